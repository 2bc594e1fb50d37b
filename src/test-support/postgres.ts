import pg from 'pg';

/**
 * The PostgreSQL the server tests use (KALPHITE_TEST_PG, else the local one). Outside CI, tests
 * that need it skip with a visible notice when none is reachable; in CI (CI=true) that is a failure.
 */
export const POSTGRES_URL = process.env.KALPHITE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but unreachable at ${POSTGRES_URL}: ${String(error)}`);
    console.warn(`\n⚠ PostgreSQL unreachable at ${POSTGRES_URL}: skipping the PostgreSQL tests (they run in CI).\n`);
    return false;
  } finally {
    await client.end().catch(() => {
      // Never connected: nothing to end.
    });
  }
}

/** A fresh schema of its own, so tests (and test files running in parallel) never share tables. */
export async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `kalphite_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}
