import pg from 'pg';
import { parsePokeData, pokeData } from '../protocol/space.js';
import type { SqlExecutor, SyncBackend } from './backend.js';
import { isConnectionLoss, unavailable } from './postgres-errors.js';
import { createListenChannel, type ListenTimers } from './postgres-listener.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';

const CHANNEL = 'kalphite_poke';

/** int8 as a JS number (versions and mutation ids stay far below 2^53), the same as PGlite. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresBackendOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** `application_name` of every connection (default `kalphite`), as `pg_stat_activity` shows it. */
  readonly applicationName?: string;
  /** Connecting, or waiting for a free pooled connection, fails after this (default 10 s): a 503. */
  readonly connectTimeoutMs?: number;
  /** Delays between attempts to reopen the LISTEN connection (default 100 ms doubling to 5 s). */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  readonly timers?: ListenTimers;
  /** Hears lost connections (default: one line on stderr). */
  readonly onError?: ServerErrorHook;
}

/**
 * The shared backend: PostgreSQL through `pg`. Several server processes can use one database;
 * pushes to one space are serialised by its row lock, and pokes cross processes with LISTEN/NOTIFY.
 *
 * A lost connection never takes the process down: every client has an 'error' listener, a
 * transaction whose connection broke rejects with a `BackendUnavailableError` (503, retried by the
 * client), and the LISTEN connection reopens with backoff, then pokes every stream once.
 */
export function createPostgresBackend(connectionString: string, options: PostgresBackendOptions = {}): SyncBackend {
  const onError = options.onError ?? logServerProblem;
  const config = {
    connectionString,
    types,
    application_name: options.applicationName ?? 'kalphite',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  };
  const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
  // An idle client that dies is replaced by the pool; report it instead of crashing the process.
  pool.on('error', (error) => onError({ code: 'database-unavailable', message: `An idle PostgreSQL connection was lost: ${error.message}`, cause: error }));
  // Every pooled client listens for its whole life, checked out or not (pool.query's clients too):
  // an 'error' event with no listener exits the process. Silent, because the query in flight
  // rejects with the same error, or the pool's idle listener above reports it.
  pool.on('connect', (client) => client.on('error', () => {}));

  const listeners = new Set<{ readonly hear: (space: string, version: number) => void; readonly gap: (() => void) | undefined }>();
  const channel = createListenChannel({
    client: () => new pg.Client(config),
    channel: CHANNEL,
    // The payload is a poke's data, { space, version }: anything else on the channel is not ours.
    onNotification: (payload) => {
      const poke = parsePokeData(payload);
      if (poke.space !== null) for (const listener of listeners) listener.hear(poke.space, poke.version);
    },
    onRestored: () => {
      for (const listener of listeners) listener.gap?.();
    },
    onError,
    ...(options.reconnect && { reconnect: options.reconnect }),
    ...(options.timers && { timers: options.timers }),
  });

  return {
    transaction: async (mode, fn) => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw isConnectionLoss(error) ? unavailable('connecting', error) : error;
      }
      // While checked out the pool does not listen: without this, a backend terminated mid-transaction
      // is an uncaught 'error' event. The query in flight rejects with the same error.
      let broken: Error | null = null;
      const onClientError = (error: Error) => {
        broken = error;
      };
      client.on('error', onClientError);
      try {
        await client.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (broken || isConnectionLoss(error)) {
          broken ??= error instanceof Error ? error : new Error(String(error));
          throw unavailable('in a transaction', error);
        }
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // The connection broke as we rolled back: drop it; the original error is the one to report.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.off('error', onClientError);
        // A broken client is destroyed, not returned to the pool.
        client.release(broken ?? undefined);
      }
    },
    publish: async (space, version) => {
      try {
        await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, pokeData(space, version)]);
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        // The version is committed: the push must not fail for its poke. This process's streams
        // still hear it; other processes' clients pull on their interval or after their own gap.
        onError({ code: 'database-unavailable', message: `Could not notify other servers of version ${version} of space ${space}: ${String(error)}`, cause: error });
        for (const listener of listeners) listener.hear(space, version);
      }
    },
    onPublish: async (hear, gap) => {
      await channel.ready();
      const listener = { hear, gap };
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    close: async () => {
      listeners.clear();
      await channel.close();
      await pool.end();
    },
  };
}

function executor(client: pg.PoolClient): SqlExecutor {
  return {
    query: async <R>(sql: string, params?: readonly unknown[]) => (await client.query(sql, params ? [...params] : undefined)).rows as R[],
  };
}
