import { PGlite } from '@electric-sql/pglite';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Entity } from '../../engine/store/entity.js';
import type { KalphiteEvent } from '../../engine/events.js';
import { createKalphite, type Kalphite } from '../../engine/kalphite.js';
import { freshSchema, POSTGRES_URL } from '../postgres.js';
import { emptyFaultCounts, faultyFetch, type FetchFaultCounts } from './faulty-fetch.js';
import { seededRandom, type Random } from './random.js';
import { ServerProcess } from './server-process.js';

/**
 * One round of the randomized fault test (hardening issue 14). A sync server in a child process
 * is SIGKILLed and restarted on its data; client engines on PGlite folders write at random and are
 * closed and reopened on their folders; their requests are dropped, duplicated, delayed and lose
 * their responses; on PostgreSQL the server's connections are terminated. Then the faults stop and
 * nobody calls push() or pull(): the engines' own scheduling must bring every client to the
 * server's state. What must hold afterwards is in `verify` below; every broken rule is a line in
 * `problems`, with the seed, so the caller fails once with the whole picture.
 */
export interface ChaosRoundOptions {
  readonly seed: number;
  readonly backend: 'pglite' | 'postgres';
  /** An initialised, closed PGlite folder (see `prepareBlankFolder`): copied instead of running initdb per database. */
  readonly blankFolder: string;
  /** An empty folder for this round's databases. */
  readonly workDir: string;
  readonly clients?: number;
  /** How long faults are injected (default 12 s). */
  readonly faultMs?: number;
  /** How long the engines get to converge on their own once faults stop (default 20 s: with a 400 ms backoff cap they need about one). */
  readonly settleTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosStats {
  writes: number;
  deletes: number;
  /** Writes whose mutation the server acknowledged (seen in outbox:acknowledged). */
  acknowledged: number;
  serverKills: number;
  clientRestarts: number;
  /** PostgreSQL backends of this round's server terminated with pg_terminate_backend. */
  backendsTerminated: number;
  /** Pushes and pulls the engines started (from their events). */
  pushes: number;
  pulls: number;
  requestFailures: number;
  fetch: FetchFaultCounts;
  settleMs: number | null;
  serverEntities: number;
}

export interface ChaosReport {
  readonly seed: number;
  readonly backend: 'pglite' | 'postgres';
  readonly problems: readonly string[];
  readonly stats: ChaosStats;
  readonly durationMs: number;
}

/** One write the harness made, identified by the tag it stores in the entity (`data.w`). */
interface Write {
  readonly tag: string;
  readonly slot: number;
  /** Order of the slot's writes: a slot's later write to an id must win over its earlier one. */
  readonly serial: number;
  readonly id: string;
  readonly value: Entity | null;
  acknowledged: boolean;
}

/** A client: a folder that outlives the engines opened on it (each one a new client id in its group). */
interface Slot {
  readonly index: number;
  readonly folder: string;
  engine: Kalphite | null;
  restarting: boolean;
  /** This slot's newest write per id: what a flush of that id carried. */
  readonly latest: Map<string, Write>;
  lastPushStartedAt: number;
  pushesStarted: number;
  readonly random: Random;
}

const SYNC_URL = 'http://kalphite-chaos.invalid/api/sync';
const SHARED_KEYS = 4;
const PRIVATE_KEYS = 6;

/** A PGlite folder that has been through initdb (seconds, once): each database of a round starts as a copy. */
export async function prepareBlankFolder(folder: string): Promise<void> {
  const db = await PGlite.create(folder);
  await db.close();
}

export async function runChaosRound(options: ChaosRoundOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const random = seededRandom(options.seed);
  const log = options.log ?? (() => {});
  const clientCount = options.clients ?? 3;
  const faultMs = options.faultMs ?? 12_000;
  const settleTimeoutMs = options.settleTimeoutMs ?? 20_000;
  const problems: string[] = [];
  const stats: ChaosStats = {
    writes: 0,
    deletes: 0,
    acknowledged: 0,
    serverKills: 0,
    clientRestarts: 0,
    backendsTerminated: 0,
    pushes: 0,
    pulls: 0,
    requestFailures: 0,
    fetch: emptyFaultCounts(),
    settleMs: null,
    serverEntities: 0,
  };
  const tag = `[chaos ${options.backend} seed=${options.seed}]`;

  mkdirSync(options.workDir, { recursive: true });
  const cleanups: (() => Promise<unknown>)[] = [];
  let serverDb: string;
  let terminate: (() => Promise<number>) | null = null;
  if (options.backend === 'pglite') {
    serverDb = join(options.workDir, 'server');
    cpSync(options.blankFolder, serverDb, { recursive: true });
  } else {
    const schema = await freshSchema();
    cleanups.push(schema.drop);
    const name = new URL(schema.url).searchParams.get('options')?.match(/search_path=(\S+)/)?.[1];
    if (!name) throw new Error(`no schema in ${schema.url}`);
    // The server's connections carry the schema's name, so only they are terminated: other tests
    // share this database, and the service itself is never stopped.
    const url = new URL(schema.url);
    url.searchParams.set('application_name', name);
    serverDb = url.toString();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    terminate = async () => {
      const result = await admin.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()) AS t',
        [name],
      );
      return result.rows[0]?.n ?? 0;
    };
  }

  const server = new ServerProcess(serverDb);
  cleanups.push(() => server.kill());
  let faulty = true;
  const writes = new Map<string, Write>();
  const byMutation = new Map<string, Write>();
  const acknowledgedUpTo = new Map<string, number>();
  const deletedIds = new Set<string>();
  let writeSerial = 0;

  const markAcknowledged = (write: Write | undefined) => {
    if (!write || write.acknowledged) return;
    write.acknowledged = true;
    stats.acknowledged++;
  };

  const onEvent = (slot: Slot, clientId: string) => (event: KalphiteEvent) => {
    if (event.type === 'flush:committed') {
      // ids[i] got mutation id mutationIds[i] (one space here), and carried the slot's newest value of that id.
      event.ids.forEach((id, i) => {
        const mutationId = event.mutationIds[i] as number;
        const write = slot.latest.get(id);
        if (!write) return;
        byMutation.set(`${clientId}#${mutationId}`, write);
        if (mutationId <= (acknowledgedUpTo.get(clientId) ?? 0)) markAcknowledged(write);
      });
    } else if (event.type === 'outbox:acknowledged') {
      // byClient names every client of the group: a reopened engine acknowledges its predecessors' rows.
      for (const [client, upTo] of Object.entries(event.byClient)) {
        const before = acknowledgedUpTo.get(client) ?? 0;
        for (let m = before + 1; m <= upTo; m++) markAcknowledged(byMutation.get(`${client}#${m}`));
        if (upTo > before) acknowledgedUpTo.set(client, upTo);
      }
    } else if (event.type === 'sync:push-started') {
      stats.pushes++;
      slot.pushesStarted++;
      slot.lastPushStartedAt = Date.now();
    } else if (event.type === 'sync:pull-started') {
      stats.pulls++;
    } else if (event.type === 'sync:request-failed') {
      stats.requestFailures++;
    }
  };

  /** A server that cannot start on its data (after a SIGKILL) is a finding: note it, retry a few times. */
  const startServer = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await server.start();
        return;
      } catch (error) {
        problems.push(`${tag} the server did not start on its data (attempt ${attempt}): ${String(error)}`);
        if (attempt >= 3) throw error;
        await sleep(500);
      }
    }
  };

  const fetchRandom = random.fork('fetch');
  const engineFetch = faultyFetch({ random: fetchRandom, target: () => server.url, faulty: () => faulty, counts: stats.fetch });

  const open = async (slot: Slot): Promise<Kalphite> => {
    const engine = await createKalphite({
      dataDir: slot.folder,
      tabs: false,
      syncUrl: SYNC_URL,
      fetch: engineFetch,
      flushDelayMs: 5,
      flushMaxWaitMs: 50,
      flushRetry: { baseMs: 10, maxMs: 200 },
      pushDelayMs: 20,
      pullIntervalMs: 250,
      syncRetry: { baseMs: 20, maxMs: 400 },
    });
    engine.subscribe(onEvent(slot, engine.clientId));
    return engine;
  };

  const slots: Slot[] = Array.from({ length: clientCount }, (_, index) => {
    const folder = join(options.workDir, `client-${index}`);
    cpSync(options.blankFolder, folder, { recursive: true });
    return { index, folder, engine: null, restarting: false, latest: new Map(), lastPushStartedAt: 0, pushesStarted: 0, random: random.fork(`client-${index}`) };
  });
  cleanups.push(() => Promise.all(slots.map((slot) => slot.engine?.close().catch(() => {}))));

  try {
    await startServer();
    await Promise.all(slots.map(async (slot) => (slot.engine = await open(slot))));
    log(`${tag} server and ${clientCount} clients up after ${Date.now() - startedAt} ms; faults for ${faultMs} ms`);

    // ---- Faults: writers, server kills, client restarts, connection terminations, all at once.
    const faultsEnd = Date.now() + faultMs;
    const during = () => Date.now() < faultsEnd;

    const write = (slot: Slot, engine: Kalphite) => {
      const r = slot.random;
      const roll = r.next();
      if (roll < 0.12) {
        // Deletes: own private ids, shared ids, created ids of anyone — whatever this client holds.
        const held = [...engine.store.entities.keys()].filter((id) => !id.startsWith('p') || id.startsWith(`p${slot.index}-`));
        if (held.length === 0) return;
        const id = r.pick(held);
        engine.store.entities.delete(id);
        const w: Write = { tag: `${slot.index}:${++writeSerial}`, slot: slot.index, serial: writeSerial, id, value: null, acknowledged: false };
        writes.set(w.tag, w);
        slot.latest.set(id, w);
        // Tombstones are final: from now on nobody writes this id again.
        deletedIds.add(id);
        stats.deletes++;
        return;
      }
      const id = roll < 0.5 ? `p${slot.index}-${r.int(0, PRIVATE_KEYS - 1)}` : roll < 0.8 ? `s-${r.int(0, SHARED_KEYS - 1)}` : `n${slot.index}-${++writeSerial}`;
      if (deletedIds.has(id)) return;
      const serial = ++writeSerial;
      const w: Write = {
        tag: `${slot.index}:${serial}`,
        slot: slot.index,
        serial,
        id,
        value: { id, type: r.pick(['note', 'task']), data: { w: `${slot.index}:${serial}`, text: 'x'.repeat(r.int(0, 200)), n: serial, flag: r.chance(0.5) } },
        acknowledged: false,
      };
      engine.store.entities.set(id, w.value!);
      writes.set(w.tag, w);
      slot.latest.set(id, w);
      stats.writes++;
    };

    const writer = async (slot: Slot) => {
      while (during()) {
        const engine = slot.engine;
        if (engine && !slot.restarting) {
          const burst = slot.random.int(1, 6);
          for (let i = 0; i < burst; i++) write(slot, engine);
        }
        await sleep(slot.random.int(5, 80));
      }
    };

    const serverKiller = async () => {
      const r = random.fork('server-kills');
      while (during()) {
        await sleep(r.int(2000, 4500));
        if (!during()) break;
        await server.kill();
        stats.serverKills++;
        await sleep(r.int(0, 700));
        await startServer();
      }
    };

    const clientRestarter = async () => {
      const r = random.fork('client-restarts');
      while (during()) {
        await sleep(r.int(1500, 3500));
        if (!during()) break;
        const slot = r.pick(slots);
        slot.restarting = true;
        const engine = slot.engine;
        slot.engine = null;
        // close() flushes memory to the folder first: the writes made so far are the reopened engine's to push.
        await engine?.close();
        await sleep(r.int(0, 300));
        slot.engine = await open(slot);
        slot.restarting = false;
        stats.clientRestarts++;
      }
    };

    const terminator = async () => {
      if (!terminate) return;
      const r = random.fork('terminations');
      while (during()) {
        await sleep(r.int(300, 1500));
        if (!during()) break;
        stats.backendsTerminated += await terminate();
      }
    };

    /** A server that died on its own is a finding; bring it back so the round can show what else goes wrong. */
    const crashWatch = async () => {
      let seen = 0;
      while (faulty) {
        if (server.unexpectedExits.length > seen) {
          seen = server.unexpectedExits.length;
          log(`${tag} the server process exited on its own; restarting it`);
          await startServer();
        }
        await sleep(100);
      }
    };

    const watching = crashWatch();
    await Promise.all([...slots.map(writer), serverKiller(), clientRestarter(), terminator()]);

    // ---- Quiescence: no faults, no writes, and no push() or pull() by hand.
    await startServer();
    faulty = false;
    await watching;
    const settleStart = Date.now();
    const deadline = settleStart + settleTimeoutMs;
    let serverState = new Map<string, Entity>();
    let serverPullFailures = 0;
    for (;;) {
      if (!server.running) await startServer();
      const drained = slots.every((slot) => slot.engine !== null && slot.engine.inspect().outbox.length === 0 && slot.engine.inspect().flush.pending.length === 0);
      if (drained) {
        try {
          serverState = await readServer(server.url);
          if (slots.every((slot) => sameState(memoryOf(slot.engine!), serverState))) {
            stats.settleMs = Date.now() - settleStart;
            break;
          }
        } catch {
          serverPullFailures++;
        }
      }
      if (Date.now() > deadline) break;
      await sleep(50);
    }
    log(`${tag} faults over; ${stats.settleMs === null ? `NOT settled after ${settleTimeoutMs} ms` : `settled in ${stats.settleMs} ms`}`);

    // ---- What must hold.
    if (stats.settleMs === null) {
      serverState = await readServer(server.url).catch((error: unknown) => {
        problems.push(`${tag} could not read the server's state after quiescence: ${String(error)} (${serverPullFailures} failed reads)`);
        return new Map<string, Entity>();
      });
      for (const slot of slots) {
        const engine = slot.engine!;
        const inspection = engine.inspect();
        if (inspection.outbox.length > 0 || inspection.flush.pending.length > 0) {
          const sinceLastPush = slot.lastPushStartedAt === 0 ? 'never pushed' : `last push started ${Date.now() - slot.lastPushStartedAt} ms ago`;
          problems.push(
            `${tag} client ${slot.index} did not drain its outbox within ${settleTimeoutMs} ms of quiescence: ${inspection.outbox.length} unacknowledged, ` +
              `${inspection.flush.pending.length} unflushed, ${sinceLastPush}, pushing=${inspection.sync?.pushing}, lastError=${inspection.sync?.lastError?.message ?? 'none'}`,
          );
        }
      }
    }
    stats.serverEntities = serverState.size;
    for (const slot of slots) {
      const diff = stateDiff(memoryOf(slot.engine!), serverState);
      if (diff) problems.push(`${tag} client ${slot.index}'s memory differs from the server: ${diff}`);
    }

    // Every client reopened on its folder (what its local db holds), and a new client, equal the server.
    for (const slot of slots) {
      await slot.engine!.close();
      slot.engine = null;
      const reopened = await createKalphite({ dataDir: slot.folder, tabs: false });
      slot.engine = reopened;
      const diff = stateDiff(memoryOf(reopened), serverState);
      if (diff) problems.push(`${tag} client ${slot.index}'s local db differs from the server: ${diff}`);
      if (reopened.inspect().outbox.length > 0) problems.push(`${tag} client ${slot.index}'s local db still holds ${reopened.inspect().outbox.length} unacknowledged outbox rows`);
    }
    const freshFolder = join(options.workDir, 'fresh-client');
    cpSync(options.blankFolder, freshFolder, { recursive: true });
    const fresh = await createKalphite({ dataDir: freshFolder, tabs: false, syncUrl: SYNC_URL, fetch: (input, init) => fetch(`${server.url}${new URL(String(input)).pathname}`, init), pullIntervalMs: 200 });
    cleanups.push(() => fresh.close());
    const freshDeadline = Date.now() + 15_000;
    while (!(fresh.inspect().sync?.lastPullAt != null && sameState(memoryOf(fresh), serverState)) && Date.now() < freshDeadline) await sleep(50);
    const freshDiff = stateDiff(memoryOf(fresh), serverState);
    if (freshDiff) problems.push(`${tag} a new client's first pulls differ from the server: ${freshDiff}`);

    // No acknowledged write lost: the server holds it, or a later write of that id by the same
    // client, or any other client's write (the server's order decides between clients), or a delete.
    // (Unacknowledged writes are the outbox check's business above.)
    const acknowledgedDeletes = new Set([...writes.values()].filter((w) => w.acknowledged && w.value === null).map((w) => w.id));
    const lost: string[] = [];
    for (const w of writes.values()) {
      if (!w.acknowledged || w.value === null) continue;
      const final = serverState.get(w.id);
      if (!final) {
        if (!deletedIds.has(w.id)) lost.push(`${w.id}: acknowledged write ${w.tag} is gone and nobody deleted the id`);
        continue;
      }
      const finalTag = (final.data as { w?: unknown }).w;
      const finalWrite = typeof finalTag === 'string' ? writes.get(finalTag) : undefined;
      if (!finalWrite || finalWrite.id !== w.id) lost.push(`${w.id}: the server holds a value nobody wrote there (${JSON.stringify(final.data)})`);
      else if (finalWrite.slot === w.slot && finalWrite.serial < w.serial) lost.push(`${w.id}: acknowledged write ${w.tag} lost to the same client's earlier write ${finalWrite.tag}`);
    }
    if (lost.length > 0) problems.push(`${tag} ${lost.length} acknowledged writes lost, e.g. ${lost.slice(0, 5).join('; ')}`);

    // Tombstones are final: an id whose delete the server acknowledged is gone for good.
    const resurrected = [...acknowledgedDeletes].filter((id) => serverState.has(id));
    if (resurrected.length > 0) {
      problems.push(`${tag} ${resurrected.length} ids whose delete was acknowledged are back on the server: ${resurrected.slice(0, 5).map((id) => `${id} = ${JSON.stringify(serverState.get(id)?.data)}`).join('; ')}`);
    }

    for (const exit of server.unexpectedExits) {
      problems.push(`${tag} the server process exited on its own (code ${exit.code}, signal ${exit.signal}); its stderr:\n${crashExcerpt(exit.stderr)}`);
    }
  } catch (error) {
    problems.push(`${tag} the round stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    faulty = false;
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => problems.push(`${tag} cleanup failed: ${String(error)}`));
  }
  const durationMs = Date.now() - startedAt;
  log(`${tag} ${summary(stats)} in ${durationMs} ms: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}`);
  return { seed: options.seed, backend: options.backend, problems, stats, durationMs };
}

export function summary(stats: ChaosStats): string {
  const f = stats.fetch;
  return (
    `${stats.writes} writes + ${stats.deletes} deletes (${stats.acknowledged} acknowledged), ${stats.serverKills} server kills, ` +
    `${stats.clientRestarts} client restarts, ${stats.backendsTerminated} PostgreSQL backends terminated, ` +
    `${f.requests} requests (${f.dropped} dropped, ${f.responsesLost} responses lost, ${f.duplicated} duplicated, ${f.delayed} delayed, ${f.unreachable} unreachable, ` +
    `statuses ${JSON.stringify(f.statuses)}), ${stats.pushes} pushes, ${stats.pulls} pulls, ${stats.requestFailures} failed; ${stats.serverEntities} entities on the server`
  );
}

/** The server's whole state, read through a client group of its own (so no real client is affected). */
async function readServer(origin: string): Promise<Map<string, Entity>> {
  const response = await fetch(`${origin}/api/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pullVersion: 1, clientGroupID: `chaos-observer-${Math.random().toString(36).slice(2)}`, cookie: null }),
  });
  if (!response.ok) throw new Error(`pull answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { patch: { op: string; key?: string; value?: Entity }[] };
  const state = new Map<string, Entity>();
  for (const op of body.patch) if (op.op === 'put' && op.key !== undefined && op.value) state.set(op.key, op.value);
  return state;
}

/** The part of a dead server's stderr that says why: from the first line naming an error, at most 15 lines. */
function crashExcerpt(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const first = lines.findIndex((line) => /error|exception|unhandled/i.test(line));
  return lines.slice(first === -1 ? Math.max(0, lines.length - 15) : first, (first === -1 ? lines.length : first) + 15).join('\n');
}

function memoryOf(engine: Kalphite): Map<string, Entity> {
  return new Map(engine.store.entities);
}

function sameState(a: ReadonlyMap<string, Entity>, b: ReadonlyMap<string, Entity>): boolean {
  return stateDiff(a, b) === null;
}

/** null when equal; otherwise a short description (PostgreSQL's jsonb reorders keys, so compare canonically). */
function stateDiff(actual: ReadonlyMap<string, Entity>, expected: ReadonlyMap<string, Entity>): string | null {
  const missing = [...expected.keys()].filter((id) => !actual.has(id));
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  const different = [...expected.keys()].filter((id) => actual.has(id) && canonical(actual.get(id)) !== canonical(expected.get(id)));
  if (missing.length + extra.length + different.length === 0) return null;
  const some = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
  return [
    missing.length > 0 && `${missing.length} missing (${some(missing)})`,
    extra.length > 0 && `${extra.length} extra (${some(extra)})`,
    different.length > 0 && `${different.length} different (${some(different)})`,
  ]
    .filter(Boolean)
    .join(', ');
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
