export { createMockSyncServer } from './handlers.js';
export type { MockSyncServer, MockSyncServerOptions } from './handlers.js';
