import pg from 'pg';
import type { SqlExecutor, SyncBackend } from './backend.js';

const CHANNEL = 'kalphite_poke';

/** int8 as a JS number (versions and mutation ids stay far below 2^53), the same as PGlite. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The shared backend: PostgreSQL through `pg`. Several server processes can use one database;
 * pushes are serialised by the version row lock, and pokes cross processes with LISTEN/NOTIFY.
 */
export function createPostgresBackend(connectionString: string, options: { readonly maxConnections?: number } = {}): SyncBackend {
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, types });
  // An idle client that dies is replaced by the pool; report it instead of crashing the process.
  pool.on('error', (error) => console.error('[kalphite] PostgreSQL pool error:', error.message));
  const listeners = new Set<(version: number) => void>();
  let listening: Promise<pg.Client> | null = null;

  const startListening = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString, types });
    await client.connect();
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (message.channel === CHANNEL && Number.isFinite(version)) for (const listener of listeners) listener(version);
    });
    await client.query(`LISTEN ${CHANNEL}`);
    return client;
  };

  return {
    kind: 'postgres',
    transaction: async (mode, fn) => {
      const client = await pool.connect();
      try {
        await client.query(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          // The connection is broken; the original error is the one to report.
        });
        throw error;
      } finally {
        client.release();
      }
    },
    publish: async (version) => {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, String(version)]);
    },
    onPublish: async (listener) => {
      listening ??= startListening();
      await listening;
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    close: async () => {
      listeners.clear();
      if (listening) await (await listening).end();
      await pool.end();
    },
  };
}

function executor(client: pg.PoolClient): SqlExecutor {
  return {
    query: async <R>(sql: string, params?: readonly unknown[]) => (await client.query(sql, params ? [...params] : undefined)).rows as R[],
  };
}
