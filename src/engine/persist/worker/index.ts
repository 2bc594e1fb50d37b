export { openDatabase, type OpenDatabaseOptions } from './open-database.js';
export { startLocalDbWorker } from './start-worker.js';
