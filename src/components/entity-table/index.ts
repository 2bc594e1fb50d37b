export { EntityTable } from './entity-table.js';
export type { EntityTableProps } from './entity-table.js';
