export { Dashboard, StatCard, ActivityChart } from './dashboard.js';
export type { DashboardProps, ActivityChartProps } from './dashboard.js';
