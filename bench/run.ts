import { cpus, totalmem } from 'node:os';
import { benchBrowserOpen } from './browser-open.bench.js';
import { benchColdStart } from './cold-start.bench.js';
import { benchDigest } from './digest.bench.js';
import { closeTemplate } from './engines.js';
import { benchFlush } from './flush.bench.js';
import { printTable, type Row } from './measure.js';
import { benchPatch } from './patch.bench.js';
import { benchQuery } from './query.bench.js';
import { benchStore } from './store.bench.js';
import { benchStorePeers } from './store-peers.bench.js';
import { benchTabLatency } from './tab-latency.bench.js';
import { benchSpacesOpen } from './spaces-open.bench.js';
import { benchSpacesPush } from './spaces-push.bench.js';
import { benchConvergence, benchPushThroughput } from './sync.bench.js';
import { postgresAvailable, POSTGRES_URL } from '../src/test-support/postgres.js';

/**
 * `npm run bench`: every figure as a ratio to a floor measured in the same run.
 * `npm run bench -- store flush` runs only those groups (store, peers, flush, cold-start, sync, spaces-push, spaces-open, tabs, patch, query, digest, browser-open).
 */
const sizes = [10_000, 100_000];
/** One size after another: figures are never measured while another runs. */
const bySize = (bench: (n: number) => Promise<Row[]>) => async (): Promise<Row[]> => {
  const rows: Row[] = [];
  for (const n of sizes) rows.push(...(await bench(n)));
  return rows;
};
const groups: Record<string, () => Promise<Row[]>> = {
  store: bySize(benchStore),
  peers: bySize(benchStorePeers),
  flush: bySize(benchFlush),
  'cold-start': bySize(benchColdStart),
  sync: async () => [...(await benchPushThroughput((await postgresAvailable()) ? POSTGRES_URL : null)), ...(await benchConvergence())],
  'spaces-push': async () => benchSpacesPush((await postgresAvailable()) ? POSTGRES_URL : null),
  'spaces-open': () => benchSpacesOpen(10_000),
  tabs: benchTabLatency,
  patch: benchPatch,
  query: () => benchQuery(100_000),
  digest: bySize(benchDigest),
  'browser-open': () => benchBrowserOpen(),
};
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in groups));
if (unknown.length > 0) throw new Error(`Unknown benchmark group(s): ${unknown.join(', ')}. Groups: ${Object.keys(groups).join(', ')}.`);
const rows: Row[] = [];
for (const [name, run] of Object.entries(groups)) if (asked.length === 0 || asked.includes(name)) rows.push(...(await run()));
await closeTemplate();

const cpu = cpus();
console.log(`\nKalphite benchmarks — Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
printTable(rows);
