import { cpus, totalmem } from 'node:os';
import { benchColdStart } from './cold-start.bench.js';
import { closeTemplate } from './engines.js';
import { benchFlush } from './flush.bench.js';
import { printTable, type Row } from './measure.js';
import { benchStore } from './store.bench.js';
import { benchTabLatency } from './tab-latency.bench.js';
import { benchConvergence, benchPushThroughput } from './sync.bench.js';
import { postgresAvailable, POSTGRES_URL } from '../src/test-support/postgres.js';

/** `npm run bench`: every figure as a ratio to a floor measured in the same run. */
const sizes = [10_000, 100_000];
const rows: Row[] = [];
for (const n of sizes) rows.push(...(await benchStore(n)));
for (const n of sizes) rows.push(...(await benchFlush(n)));
for (const n of sizes) rows.push(...(await benchColdStart(n)));
rows.push(...(await benchPushThroughput((await postgresAvailable()) ? POSTGRES_URL : null)));
rows.push(...(await benchConvergence()));
rows.push(...(await benchTabLatency()));
await closeTemplate();

const cpu = cpus();
console.log(`\nKalphite benchmarks — Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
printTable(rows);
