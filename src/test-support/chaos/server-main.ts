/**
 * The sync server as a child process for the fault test: `node --import tsx server-main.ts <db> [port]`,
 * where db is a PGlite folder or a postgres:// URL. It prints `ready <url>` once it listens and runs
 * until it is killed: the test SIGKILLs it (no graceful close, as a crash or an OOM kill would) and
 * starts another on the same data. Anything else that ends it is a bug the test reports.
 */
import { startSyncServer } from '../../server/http.js';

const [db, port = '0'] = process.argv.slice(2);
if (db === undefined) {
  process.stderr.write('usage: server-main.ts <pglite folder | postgres url> [port]\n');
  process.exit(2);
}
const server = await startSyncServer({ db, port: Number(port) });
process.stdout.write(`ready ${server.url}\n`);
