export { Markdown } from './markdown.js';
export type { MarkdownProps } from './markdown.js';
export { safeLink } from './link-policy.js';
export type { SafeLink } from './link-policy.js';
