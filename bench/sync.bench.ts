import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../src/engine/index.js';
import { createPGliteBackend } from '../src/server/pglite-backend.js';
import { createPostgresBackend } from '../src/server/postgres-backend.js';
import { createSyncCore } from '../src/server/core.js';
import { startSyncServer } from '../src/server/http.js';
import type { SyncBackend } from '../src/server/backend.js';
import { freshPGlite } from './engines.js';
import { ms, perSecond, type Row } from './measure.js';

/** A PGlite backend over a fresh clone that it also closes. */
async function clonedBackend(): Promise<SyncBackend> {
  const pglite = await freshPGlite();
  const backend = await createPGliteBackend(pglite);
  return {
    ...backend,
    close: async () => {
      await backend.close();
      await pglite.close();
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Write on engine A, time until engine B's memory has it; p50/p95 over `samples`. */
async function convergence(name: string, options: KalphiteOptions, samples: number, serverOptions: { readonly pokeDataLimit?: number } = {}): Promise<{ name: string; p50: number; p95: number }> {
  const server = await startSyncServer({ db: await clonedBackend(), ...serverOptions });
  const engines: Kalphite[] = [];
  const dbs = [await freshPGlite(), await freshPGlite()];
  try {
    for (const pglite of dbs) engines.push(await createKalphite({ pglite, syncUrl: `${server.url}/api/sync`, ...options }));
    const [a, b] = engines as [Kalphite, Kalphite];
    // B's stream names its client group once its first pull made one (then pokes carry changes to it).
    if (options.poke !== false) while (b.sync!.status.poke !== 'open' || !b.sync!.status.spaces[0]?.lastPullAt) await new Promise((resolve) => setTimeout(resolve, 10));
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = `sample-${i}`;
      const arrived = new Promise<number>((resolve) => {
        const stop = b.store.subscribe(() => {
          if (b.store.entities.has(id)) {
            stop();
            resolve(performance.now());
          }
        });
      });
      const start = performance.now();
      a.store.entities.set(id, { id, type: 'note', data: { i } });
      times.push((await arrived) - start);
    }
    return { name, p50: percentile(times, 50), p95: percentile(times, 95) };
  } finally {
    for (const k of engines) await k.close();
    for (const pglite of dbs) await pglite.close();
    await server.close();
  }
}

/**
 * The floor of convergence on loopback: a bare `node:http` server that answers a POST by sending
 * its body as one server-sent event to an open stream; from before the POST until the reader has
 * the event. No database, no engine: what one write's round trip costs on this machine.
 */
async function bareRoundTrip(samples: number): Promise<{ p50: number; p95: number }> {
  let stream: ServerResponse | null = null;
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      stream = res;
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      stream?.write(`event: poke\ndata: ${body}\n\n`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const abort = new AbortController();
  try {
    const response = await fetch(`${url}/s`, { signal: abort.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async (): Promise<string> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('event: poke')) return block;
          continue;
        }
        const { value } = await reader.read();
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      const arrived = next();
      await fetch(`${url}/w`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: `sample-${i}`, type: 'note', data: { i } }) });
      await arrived;
      times.push(performance.now() - start);
    }
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  } finally {
    abort.abort();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function benchConvergence(): Promise<Row[]> {
  const floor = await bareRoundTrip(100);
  const zero = await convergence('all debounces 0', { flushDelayMs: 0, pushDelayMs: 0 }, 60);
  const versionsOnly = await convergence('all debounces 0, pokes of versions alone (pokeDataLimit 0: push, poke, pull)', { flushDelayMs: 0, pushDelayMs: 0 }, 40, { pokeDataLimit: 0 });
  const defaults = await convergence('default timings (flush 100 ms, push 1 s, pokes)', {}, 8);
  const seed = await convergence("the seed's design (push 1 s, polling 5 s, no poke)", { poke: false, pullIntervalMs: 5000 }, 6);
  const bare = `${ms(floor.p50)} (bare HTTP POST + SSE message round trip p50, p95 ${ms(floor.p95)})`;
  return [
    { figure: `convergence A→B, ${zero.name}: p50 (p95 ${ms(zero.p95)})`, n: 2, kalphite: ms(zero.p50), floor: bare, ratio: zero.p50 / floor.p50, target: 'p50 ≤ 10 ms', pass: zero.p50 <= 10 },
    { figure: `convergence A→B, ${versionsOnly.name}: p50 (p95 ${ms(versionsOnly.p95)})`, n: 2, kalphite: ms(versionsOnly.p50), floor: bare, ratio: versionsOnly.p50 / floor.p50, target: '—', pass: true },
    {
      figure: `convergence A→B, ${defaults.name}: p50 (p95 ${ms(defaults.p95)})`,
      n: 2,
      kalphite: ms(defaults.p50),
      floor: `${ms(seed.p50)} (seed design p50, p95 ${ms(seed.p95)})`,
      ratio: defaults.p50 / seed.p50,
      target: '—',
      pass: true,
    },
  ];
}

/**
 * Server push throughput: batches of 100 upserts through the core, against the floor of writing
 * the same rows with one plain multi-row INSERT per batch.
 */
async function pushThroughput(name: string, open: () => Promise<SyncBackend>, floorBackend: () => Promise<SyncBackend>, target: number): Promise<Row> {
  const batches = 100;
  const size = 100;
  const core = await createSyncCore({ backend: await open() });
  const startCore = performance.now();
  for (let b = 0; b < batches; b++) {
    await core.push({
      pushVersion: 1,
      clientGroupID: 'bench',
      profileID: 'bench',
      schemaVersion: '1',
      mutations: Array.from({ length: size }, (_, i) => ({
        clientID: 'bench-client',
        id: b * size + i + 1,
        name: 'upsert',
        args: { id: `e-${b}-${i}`, type: 'note', data: { text: `mutation ${b * size + i}`, n: i } },
        timestamp: 0,
      })),
    });
  }
  const coreMs = performance.now() - startCore;
  await core.close();

  const floorDb = await floorBackend();
  await floorDb.transaction('write', (tx) => tx.query('CREATE TEMP TABLE IF NOT EXISTS floor_entities (key text PRIMARY KEY, type text, value jsonb, version bigint, deleted boolean)'));
  const startFloor = performance.now();
  for (let b = 0; b < batches; b++) {
    const rows = Array.from({ length: size }, (_, i) => ({ key: `f-${b}-${i}`, type: 'note', value: { id: `f-${b}-${i}`, type: 'note', data: { text: `mutation ${b * size + i}`, n: i } } }));
    await floorDb.transaction('write', (tx) =>
      tx.query(
        `INSERT INTO floor_entities (key, type, value, version, deleted)
         SELECT key, type, value, $2, false FROM jsonb_to_recordset($1::jsonb) AS r(key text, type text, value jsonb)`,
        [JSON.stringify(rows), b],
      ),
    );
  }
  const floorMs = performance.now() - startFloor;
  await floorDb.close();
  const total = batches * size;
  const rate = (total / coreMs) * 1000;
  return {
    figure: `server push throughput, ${name}, batches of ${size}`,
    n: total,
    kalphite: `${ms(coreMs)} (${perSecond(total, coreMs)})`,
    floor: `${ms(floorMs)} (${perSecond(total, floorMs)}, plain INSERT per batch)`,
    ratio: coreMs / floorMs,
    target: `≥ ${target.toLocaleString('en-US')}/s`,
    pass: rate >= target,
  };
}

export async function benchPushThroughput(postgresUrl: string | null): Promise<Row[]> {
  const rows = [await pushThroughput('PGlite', clonedBackend, clonedBackend, 5000)];
  if (postgresUrl) {
    const schema = `kalphite_bench_${Date.now().toString(36)}`;
    const admin = createPostgresBackend(postgresUrl);
    await admin.transaction('write', (tx) => tx.query(`CREATE SCHEMA ${schema}`));
    const url = new URL(postgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    try {
      rows.push(await pushThroughput('PostgreSQL', async () => createPostgresBackend(url.toString()), async () => createPostgresBackend(url.toString()), 10_000));
    } finally {
      await admin.transaction('write', (tx) => tx.query(`DROP SCHEMA ${schema} CASCADE`));
      await admin.close();
    }
  }
  return rows;
}
