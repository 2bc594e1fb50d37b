export { EntityTable } from './entity-table/index.js';
export type { EntityTableProps } from './entity-table/index.js';
