import pg from 'pg';
import { startServerProcess, type ServerProcess } from '../src/test-support/server-process.js';
import { ms, perSecond, type Row } from './measure.js';

/**
 * Server push throughput on PostgreSQL over HTTP, as deployed: concurrent clients, each with one push
 * of 100 upserts in flight at a time, against one or two server processes (child processes) on one
 * database. All pushes to one space wait on its row lock; spread over 8 spaces they do not (issue
 * 16: 8 spaces ≥ 1.5× one space, ≥ 10,000 mutations/s either way). The floor is PostgreSQL itself:
 * the same batches as one plain multi-row INSERT each, from as many connections at once.
 */
const CLIENTS = 16;
const BATCHES = 10;
const SIZE = 100;
const RUNS = 3;

interface Scenario {
  readonly processes: number;
  readonly spaces: number;
}

/** A fresh schema of the bench's own on `url`, dropped after `fn`. */
async function withSchema<T>(url: string, fn: (schemaUrl: string) => Promise<T>): Promise<T> {
  const schema = `kalphite_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await sql(url, `CREATE SCHEMA ${schema}`);
  const schemaUrl = new URL(url);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  try {
    return await fn(schemaUrl.toString());
  } finally {
    await sql(url, `DROP SCHEMA ${schema} CASCADE`);
  }
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Each client's pushes, built before the clock starts: the bench measures the server, not JSON.stringify. */
function pushBodies(client: number, space: string, firstMutation: number, batches: number): string[] {
  return Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      pushVersion: 1,
      clientGroupID: `group-${client}`,
      profileID: 'bench',
      schemaVersion: '1',
      mutations: Array.from({ length: SIZE }, (_, i) => {
        const id = firstMutation + b * SIZE + i;
        return { clientID: `client-${client}`, id, name: 'upsert', args: { id: `e-${client}-${id}`, type: 'note', data: { text: `mutation ${id}`, n: i } }, timestamp: 0 };
      }),
    }),
  );
}

/** Milliseconds for every client to push its batches, one push in flight per client. */
async function pushAll(servers: readonly ServerProcess[], scenario: Scenario, firstMutation: number, batches: number): Promise<number> {
  const clients = Array.from({ length: CLIENTS }, (_, client) => {
    const space = `bench-${client % scenario.spaces}`;
    const url = `${servers[client % servers.length]!.url}/api/sync/push?space=${space}`;
    return { url, bodies: pushBodies(client, space, firstMutation, batches) };
  });
  const start = performance.now();
  await Promise.all(
    clients.map(async ({ url, bodies }) => {
      for (const body of bodies) {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`push answered ${response.status}: ${text}`);
      }
    }),
  );
  return performance.now() - start;
}

async function throughput(postgresUrl: string, scenario: Scenario): Promise<number> {
  return withSchema(postgresUrl, async (db) => {
    const servers = await Promise.all(Array.from({ length: scenario.processes }, () => startServerProcess({ db, postgres: { applicationName: 'kalphite-bench' } })));
    try {
      // Warm-up: every client, space and connection exists and the servers' code is compiled.
      await pushAll(servers, scenario, 1, 1);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) times.push(await pushAll(servers, scenario, 1 + SIZE * (1 + run * BATCHES), BATCHES));
      return median(times);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });
}

/** The floor: the same batches as one INSERT each, from CLIENTS connections at once, straight to PostgreSQL. */
async function plainInserts(postgresUrl: string): Promise<number> {
  return withSchema(postgresUrl, async (db) => {
    await sql(db, 'CREATE TABLE floor_entities (space_id text, key text, type text, value jsonb, version bigint, deleted boolean, PRIMARY KEY (space_id, key))');
    const connections = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = new pg.Client({ connectionString: db });
        await client.connect();
        return client;
      }),
    );
    try {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const batches = connections.map((_, client) =>
          Array.from({ length: BATCHES }, (_, b) =>
            JSON.stringify(Array.from({ length: SIZE }, (_, i) => ({ key: `f-${run}-${client}-${b}-${i}`, type: 'note', value: { id: `f-${run}-${client}-${b}-${i}`, type: 'note', data: { text: `mutation ${i}`, n: i } } }))),
          ),
        );
        const start = performance.now();
        await Promise.all(
          connections.map(async (connection, client) => {
            for (const [b, rows] of batches[client]!.entries()) {
              await connection.query(
                `INSERT INTO floor_entities (space_id, key, type, value, version, deleted)
                 SELECT 'floor', key, type, value, $2, false FROM jsonb_to_recordset($1::jsonb) AS r(key text, type text, value jsonb)`,
                [rows, b],
              );
            }
          }),
        );
        times.push(performance.now() - start);
      }
      return median(times);
    } finally {
      await Promise.all(connections.map((connection) => connection.end()));
    }
  });
}

export async function benchSpacesPush(postgresUrl: string | null): Promise<Row[]> {
  if (postgresUrl === null) return [];
  const total = CLIENTS * BATCHES * SIZE;
  const floorMs = await plainInserts(postgresUrl);
  const rows: Row[] = [];
  for (const processes of [1, 2]) {
    const oneMs = await throughput(postgresUrl, { processes, spaces: 1 });
    const eightMs = await throughput(postgresUrl, { processes, spaces: 8 });
    const setting = `PostgreSQL over HTTP, ${processes} server process${processes === 1 ? '' : 'es'}, ${CLIENTS} clients, batches of ${SIZE}`;
    rows.push(
      {
        figure: `push throughput, ${setting}, all to one space`,
        n: total,
        kalphite: `${ms(oneMs)} (${perSecond(total, oneMs)})`,
        floor: `${ms(floorMs)} (${perSecond(total, floorMs)}, plain INSERT per batch, ${CLIENTS} connections)`,
        ratio: oneMs / floorMs,
        target: '≥ 10,000/s',
        pass: (total / oneMs) * 1000 >= 10_000,
      },
      {
        figure: `push throughput, ${setting}, spread over 8 spaces`,
        n: total,
        kalphite: `${ms(eightMs)} (${perSecond(total, eightMs)})`,
        floor: `${ms(oneMs)} (${perSecond(total, oneMs)}, all to one space)`,
        ratio: eightMs / oneMs,
        target: '≤ 0.67× (≥ 1.5× one space), ≥ 10,000/s',
        pass: oneMs / eightMs >= 1.5 && (total / eightMs) * 1000 >= 10_000,
      },
    );
  }
  return rows;
}
