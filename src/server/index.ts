export { startSyncServer, openBackend } from './http.js';
export type { StartSyncServerOptions, SyncServer } from './http.js';
export { createSyncCore } from './core.js';
export type { SyncCore, SyncCoreOptions, PushOutcome, ConflictResolver } from './core.js';
export { createSyncHandler } from './handler.js';
export type { SyncHandler, SyncHandlerOptions } from './handler.js';
export { createPGliteBackend } from './pglite-backend.js';
export { createPostgresBackend } from './postgres-backend.js';
export type { SyncBackend, SqlExecutor } from './backend.js';
