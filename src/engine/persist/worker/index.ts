export { openDatabase, type OpenDatabaseOptions } from './open-database.js';
export { OPS_BETWEEN_PAUSES, pauseFor } from './pause.js';
export { startLocalDbWorker } from './start-worker.js';
