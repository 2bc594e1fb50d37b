export { Dashboard, StatCard, ActivityChart } from './dashboard.js';
export type { DashboardProps, ActivityChartProps } from './dashboard.js';
export { TIME_RANGES } from './time-range.js';
export type { TimeRange, TimeRangeId } from './time-range.js';
