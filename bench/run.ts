import { cpus } from 'node:os';
import { benchStore } from './store.bench.js';
import { printTable, type Row } from './measure.js';
import { closeTemplate } from './engines.js';

const sizes = [10_000, 100_000];
const rows: Row[] = [];
for (const n of sizes) rows.push(...(await benchStore(n)));

await closeTemplate();

console.log(`\nKalphite benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`);
printTable(rows);
