// The panel's pictures: each draws one thing from data the views already hold, with its own styles.
export { ActivitySparkline } from './sparkline.js';
export { RiskMeter } from './risk-meter.js';
export { WriteTimeline } from './write-timeline.js';
export type { WriteTimelineProps } from './write-timeline.js';
export { SideBySideDiff } from './side-by-side-diff.js';
export type { SideBySideDiffProps } from './side-by-side-diff.js';
