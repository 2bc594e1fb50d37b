import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startSyncServer } from './http.js';

/**
 * `npm run server`: a sync server on a PGlite folder (or KALPHITE_DB=postgres://…), open to
 * browsers on any origin so a local app can reach it.
 */
const db = process.env.KALPHITE_DB ?? '.kalphite-data/server';
// PGlite creates its own folder but not the folders above it.
if (!/^(postgres(ql)?|memory):\/\//.test(db)) mkdirSync(dirname(db), { recursive: true });
const server = await startSyncServer({ db, port: Number(process.env.PORT ?? 4848), host: process.env.HOST ?? '127.0.0.1', cors: { origin: '*' } });
console.log(`Kalphite sync server on ${server.url}/api/sync (push, pull, poke) — data in ${db.startsWith('postgres') ? 'PostgreSQL' : db}`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
