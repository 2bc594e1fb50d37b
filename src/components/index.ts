export { EntityTable } from './entity-table/index.js';
export type { EntityTableProps } from './entity-table/index.js';
export * from './code-review/index.js';
export * from './dashboard/index.js';
export * from './sync-status/index.js';
export { KalphiteStyles } from './theme/styles.js';
export { SpaceGate } from './space-gate.js';
export type { SpaceGateProps } from './space-gate.js';
