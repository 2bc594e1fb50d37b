import { startSyncServer, type StartSyncServerOptions } from '../server/http.js';
import { createPostgresBackend } from '../server/postgres-backend.js';
import type { ServerProblem } from '../server/problems.js';
import type { ServerProcessConfig } from './server-process.js';

/**
 * A sync server in a process of its own, for tests that must see whether a request or a database
 * fault kills the process. Configured by one JSON env var; prints one JSON line per fact on stdout:
 * `{ "url" }` once listening, `{ "problem" }` for each report to the error hook.
 */
const config = JSON.parse(process.env.KALPHITE_TEST_SERVER ?? '{}') as ServerProcessConfig;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const onError = (problem: ServerProblem) => print({ problem: { code: problem.code, message: problem.message } });

const db = config.postgres
  ? createPostgresBackend(config.db, { ...config.postgres, onError })
  : config.db;
const token = config.token;
const server = await startSyncServer({
  ...(config.options as StartSyncServerOptions),
  db,
  onError,
  ...(token !== undefined && { authenticate: (request: Request) => (request.headers.get('authorization') === `Bearer ${token}` ? { id: 'token' } : null) }),
});
print({ url: server.url });

const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
