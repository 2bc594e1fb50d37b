export { SyncStatusBadge } from './sync-status-badge.js';
export type { SyncStatusBadgeProps } from './sync-status-badge.js';
