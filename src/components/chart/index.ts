export { BarChart } from './bar-chart.js';
export type { BarChartProps, ChartBucket, ChartSeries } from './bar-chart.js';
