/**
 * The components' styles: every selector starts with a `kalphite-` class, so nothing leaks into the
 * host app, and every colour, font and spacing is a CSS variable an app can override. React 19
 * hoists `<style href precedence>` into <head> once, however many components render it.
 */
const CSS = `
.kalphite {
  --kalphite-bg: #ffffff; --kalphite-surface: #f6f8fa; --kalphite-fg: #1f2328; --kalphite-muted: #59636e;
  --kalphite-border: #d1d9e0; --kalphite-accent: #0969da; --kalphite-accent-fg: #ffffff; --kalphite-danger: #cf222e;
  --kalphite-success: #1a7f37; --kalphite-warning: #9a6700; --kalphite-highlight: #fff8c5;
  --kalphite-font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  --kalphite-mono: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace;
  --kalphite-radius: 6px; --kalphite-space: 8px;
  --kalphite-added-bg: #dafbe1; --kalphite-added-gutter: #aceebb; --kalphite-removed-bg: #ffebe9; --kalphite-removed-gutter: #ffcecb;
  --kalphite-syntax-keyword: #cf222e; --kalphite-syntax-string: #0a3069; --kalphite-syntax-comment: #59636e; --kalphite-syntax-function: #6639ba;
  --kalphite-syntax-constant: #0550ae; --kalphite-syntax-type: #953800; --kalphite-syntax-tag: #116329;
  --kalphite-series-1: #0969da; --kalphite-series-2: #bf3989; --kalphite-series-3: #1a7f37; --kalphite-series-4: #9a6700;
  --kalphite-series-5: #8250df; --kalphite-series-6: #bc4c00; --kalphite-series-7: #57606a; --kalphite-series-8: #0a7ea4;
  font: var(--kalphite-font); color: var(--kalphite-fg); background: var(--kalphite-bg); box-sizing: border-box;
}
[data-kalphite-theme="dark"] .kalphite, .kalphite[data-kalphite-theme="dark"] {
  --kalphite-bg: #0d1117; --kalphite-surface: #151b23; --kalphite-fg: #e6edf3; --kalphite-muted: #9198a1;
  --kalphite-border: #3d444d; --kalphite-accent: #4493f8; --kalphite-accent-fg: #0d1117; --kalphite-danger: #ff7b72;
  --kalphite-success: #3fb950; --kalphite-warning: #d29922; --kalphite-highlight: #2e2a1a;
  --kalphite-added-bg: #12261e; --kalphite-added-gutter: #1b4721; --kalphite-removed-bg: #25171c; --kalphite-removed-gutter: #542426;
  --kalphite-syntax-keyword: #ff7b72; --kalphite-syntax-string: #a5d6ff; --kalphite-syntax-comment: #9198a1; --kalphite-syntax-function: #d2a8ff;
  --kalphite-syntax-constant: #79c0ff; --kalphite-syntax-type: #ffa657; --kalphite-syntax-tag: #7ee787;
  --kalphite-series-1: #4493f8; --kalphite-series-2: #f778ba; --kalphite-series-3: #3fb950; --kalphite-series-4: #d29922;
  --kalphite-series-5: #ab7df8; --kalphite-series-6: #f0883e; --kalphite-series-7: #9198a1; --kalphite-series-8: #39c5cf;
}
.kalphite *, .kalphite *::before, .kalphite *::after { box-sizing: inherit; }
.kalphite-button {
  font: inherit; font-size: 13px; padding: 2px calc(var(--kalphite-space) * 1.25); border-radius: var(--kalphite-radius);
  border: 1px solid var(--kalphite-border); background: var(--kalphite-surface); color: var(--kalphite-fg); cursor: pointer;
}
.kalphite-button:hover:not(:disabled) { border-color: var(--kalphite-accent); }
.kalphite-button:disabled { opacity: 0.55; cursor: default; }
.kalphite-button:focus-visible, .kalphite-input:focus-visible {
  outline: 2px solid var(--kalphite-accent); outline-offset: 1px;
}
.kalphite-button-primary { background: var(--kalphite-accent); color: var(--kalphite-accent-fg); border-color: var(--kalphite-accent); }
.kalphite-button-danger { color: var(--kalphite-danger); }
.kalphite-input {
  font: inherit; width: 100%; padding: calc(var(--kalphite-space) / 2); border-radius: var(--kalphite-radius);
  border: 1px solid var(--kalphite-border); background: var(--kalphite-bg); color: var(--kalphite-fg);
}
.kalphite-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.kalphite-muted { color: var(--kalphite-muted); }
.kalphite-heading { font-size: 16px; margin: 0 0 var(--kalphite-space); }

.kalphite-button-small { font-size: 12px; padding: 0 var(--kalphite-space); }
.kalphite-button[aria-pressed="true"] { background: var(--kalphite-accent); color: var(--kalphite-accent-fg); border-color: var(--kalphite-accent); }
.kalphite kbd { font: var(--kalphite-mono); font-size: 11px; padding: 0 4px; border: 1px solid var(--kalphite-border); border-bottom-width: 2px; border-radius: 4px; background: var(--kalphite-bg); }

.kalphite-code-review { display: flex; flex-wrap: wrap; gap: calc(var(--kalphite-space) * 2); align-items: flex-start; }
.kalphite-code-review > .kalphite-file { flex: 999 1 480px; min-width: 0; }
.kalphite-code-review > .kalphite-review-list { flex: 1 1 260px; min-width: 0; }
.kalphite-file { border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); overflow: hidden; container-type: inline-size; }
@container (max-width: 480px) {
  .kalphite-line { grid-template-columns: 2.75em 2.75em 1em minmax(0, 1fr); }
  .kalphite-line-plain { grid-template-columns: 3.25em minmax(0, 1fr); }
  .kalphite-line-number { padding-right: 4px; }
  .kalphite-keys { display: none; }
}
.kalphite-file-header {
  display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; padding: var(--kalphite-space);
  background: var(--kalphite-surface); border-bottom: 1px solid var(--kalphite-border);
}
.kalphite-file-path { font: var(--kalphite-mono); font-weight: 600; overflow-wrap: anywhere; }
.kalphite-diff-stat { font: var(--kalphite-mono); font-weight: 600; }
.kalphite-diff-stat-added { color: var(--kalphite-success); }
.kalphite-diff-stat-removed { color: var(--kalphite-danger); }
.kalphite-toggle { display: inline-flex; gap: 2px; }
.kalphite-keys { font-size: 12px; margin-left: auto; }
.kalphite-lines { list-style: none; margin: 0; padding: 0; font: var(--kalphite-mono); }
.kalphite-line { display: grid; grid-template-columns: 3.5em 3.5em 1.5em minmax(0, 1fr); }
.kalphite-line-plain { grid-template-columns: 4.5em minmax(0, 1fr); }
.kalphite-line-split { grid-template-columns: 3.5em 1.5em minmax(0, 1fr) 3.5em 1.5em minmax(0, 1fr); }
.kalphite-line-number {
  display: flex; gap: 4px; justify-content: flex-end; align-items: baseline; padding: 0 var(--kalphite-space) 0 2px;
  border-right: 1px solid var(--kalphite-border); background: var(--kalphite-surface); color: var(--kalphite-muted); text-align: right;
}
.kalphite-line-number-button { font: inherit; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; min-width: 2ch; text-align: right; }
.kalphite-line-number-button:hover:not(:disabled) { color: var(--kalphite-accent); text-decoration: underline; }
.kalphite-line-number-button:disabled { cursor: default; }
.kalphite-line-number-button:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-gutter-count {
  margin-right: auto; min-width: 1.5em; padding: 0 3px; border-radius: 999px; font-size: 10px; line-height: 1.6;
  text-align: center; background: var(--kalphite-accent); color: var(--kalphite-accent-fg);
}
.kalphite-diff-mark { text-align: center; color: var(--kalphite-fg); user-select: none; }
.kalphite-line-code { padding: 0 var(--kalphite-space) 0 calc(var(--kalphite-space) + 2ch); text-indent: -2ch; white-space: pre-wrap; overflow-wrap: anywhere; min-width: 0; }
.kalphite-line-plain.kalphite-line-has-comments .kalphite-line-code { background: var(--kalphite-highlight); }
.kalphite-line-added > *:not(.kalphite-line-extra), .kalphite-split-added { background: var(--kalphite-added-bg); }
.kalphite-line-removed > *:not(.kalphite-line-extra), .kalphite-split-removed { background: var(--kalphite-removed-bg); }
.kalphite-line-added > .kalphite-line-number, .kalphite-split-added + * { color: var(--kalphite-fg); }
.kalphite-line-added > .kalphite-line-number { background: var(--kalphite-added-gutter); }
.kalphite-line-removed > .kalphite-line-number { background: var(--kalphite-removed-gutter); color: var(--kalphite-fg); }
.kalphite-line-split > .kalphite-line-code:nth-child(3) { border-right: 1px solid var(--kalphite-border); }
.kalphite-split-empty { grid-column: span 3; background: var(--kalphite-surface); border-right: 1px solid var(--kalphite-border); }
.kalphite-line-extra { grid-column: 1 / -1; padding: var(--kalphite-space); border-top: 1px solid var(--kalphite-border); border-bottom: 1px solid var(--kalphite-border); font: var(--kalphite-font); display: grid; gap: var(--kalphite-space); }
.kalphite-split-extra { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
.kalphite-gap {
  display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; padding: 2px var(--kalphite-space);
  background: var(--kalphite-surface); border-top: 1px solid var(--kalphite-border); border-bottom: 1px solid var(--kalphite-border); font: var(--kalphite-font); font-size: 12px;
}
.kalphite-gap-header { font: var(--kalphite-mono); color: var(--kalphite-muted); }
.kalphite-outside { padding: var(--kalphite-space); border-top: 1px solid var(--kalphite-border); display: grid; gap: var(--kalphite-space); }

.kalphite-tok-keyword, .kalphite-tok-important, .kalphite-tok-atrule, .kalphite-tok-rule { color: var(--kalphite-syntax-keyword); }
.kalphite-tok-string, .kalphite-tok-template-string, .kalphite-tok-char, .kalphite-tok-attr-value, .kalphite-tok-url, .kalphite-tok-code { color: var(--kalphite-syntax-string); }
.kalphite-tok-comment, .kalphite-tok-prolog, .kalphite-tok-doctype, .kalphite-tok-cdata, .kalphite-tok-blockquote, .kalphite-tok-hr { color: var(--kalphite-syntax-comment); font-style: italic; }
.kalphite-tok-function, .kalphite-tok-selector, .kalphite-tok-title { color: var(--kalphite-syntax-function); }
.kalphite-tok-number, .kalphite-tok-boolean, .kalphite-tok-constant, .kalphite-tok-property, .kalphite-tok-attr-name, .kalphite-tok-builtin, .kalphite-tok-list { color: var(--kalphite-syntax-constant); }
.kalphite-tok-class-name, .kalphite-tok-variable, .kalphite-tok-interpolation-punctuation { color: var(--kalphite-syntax-type); }
.kalphite-tok-tag, .kalphite-tok-regex, .kalphite-tok-inserted { color: var(--kalphite-syntax-tag); }
.kalphite-tok-bold { font-weight: 700; }
.kalphite-tok-italic { font-style: italic; }
.kalphite-tok-title { font-weight: 700; }

.kalphite-threads { display: grid; gap: var(--kalphite-space); }
.kalphite-thread { display: grid; gap: calc(var(--kalphite-space) / 2); border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); padding: var(--kalphite-space); background: var(--kalphite-bg); }
.kalphite-thread:focus-visible, .kalphite-thread:focus { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-thread-resolved { border-style: dashed; background: var(--kalphite-surface); }
.kalphite-thread-summary { display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; font-size: 12px; }
.kalphite-thread-summary-text { flex: 1 1 12em; min-width: 0; overflow-wrap: anywhere; color: var(--kalphite-muted); }
.kalphite-comments { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--kalphite-space); }
.kalphite-comment + .kalphite-comment { border-top: 1px solid var(--kalphite-border); padding-top: var(--kalphite-space); }
.kalphite-comment-deleted p { margin: 0; font-style: italic; }
.kalphite-comment-meta { display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: baseline; font-size: 12px; color: var(--kalphite-muted); }
.kalphite-comment-meta strong { color: var(--kalphite-fg); overflow-wrap: anywhere; }
.kalphite-md { overflow-wrap: anywhere; }
.kalphite-md > :first-child { margin-top: 4px; }
.kalphite-md > :last-child { margin-bottom: 4px; }
.kalphite-md p, .kalphite-md ul, .kalphite-md ol, .kalphite-md blockquote, .kalphite-md pre { margin: 4px 0; }
.kalphite-md ul, .kalphite-md ol { padding-left: 1.5em; }
.kalphite-md blockquote { padding-left: var(--kalphite-space); border-left: 3px solid var(--kalphite-border); color: var(--kalphite-muted); }
.kalphite-md code { font: var(--kalphite-mono); padding: 0 3px; border-radius: 4px; background: var(--kalphite-surface); }
.kalphite-md pre { padding: var(--kalphite-space); border-radius: var(--kalphite-radius); background: var(--kalphite-surface); overflow-x: auto; }
.kalphite-md pre code { padding: 0; }
.kalphite-md a { color: var(--kalphite-accent); }
.kalphite-md-unsafe-link { text-decoration: underline dotted; }
.kalphite-actions { display: flex; flex-wrap: wrap; gap: calc(var(--kalphite-space) / 2); align-items: center; }
.kalphite-form { display: grid; gap: calc(var(--kalphite-space) / 2); }
.kalphite-form-reason { margin: 0; font-size: 12px; }
.kalphite-form-hint { font-size: 12px; margin-left: auto; }
.kalphite-input:disabled { background: var(--kalphite-surface); color: var(--kalphite-muted); }

.kalphite-notice {
  display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; justify-content: space-between; margin: 0;
  padding: var(--kalphite-space); border-left: 3px solid var(--kalphite-warning); background: var(--kalphite-surface);
}
.kalphite-notice-danger { border-left-color: var(--kalphite-danger); }
.kalphite-space-state { display: grid; gap: var(--kalphite-space); padding: calc(var(--kalphite-space) * 2); border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); }
.kalphite-space-state p { margin: 0; }
.kalphite-progress { width: 100%; height: 10px; accent-color: var(--kalphite-accent); }

.kalphite-reviews { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--kalphite-space); }
.kalphite-verdicts { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
.kalphite-verdict { border-left: 3px solid var(--kalphite-border); padding-left: var(--kalphite-space); }
.kalphite-verdict-approved { border-left-color: var(--kalphite-success); }
.kalphite-verdict-changes_requested { border-left-color: var(--kalphite-danger); }
.kalphite-review { display: grid; gap: 4px; border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); padding: var(--kalphite-space); }
.kalphite-status { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 999px; border: 1px solid currentColor; }
.kalphite-status-pending { color: var(--kalphite-warning); }
.kalphite-status-approved { color: var(--kalphite-success); }
.kalphite-status-changes_requested { color: var(--kalphite-danger); }

.kalphite-dashboard { display: grid; gap: calc(var(--kalphite-space) * 2); }
.kalphite-stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: var(--kalphite-space); margin: 0; }
.kalphite-stat { border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); padding: var(--kalphite-space); background: var(--kalphite-surface); }
.kalphite-stat dt { font-size: 12px; color: var(--kalphite-muted); }
.kalphite-stat dd { margin: 0; font-size: 24px; font-weight: 600; }
.kalphite-feed { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
.kalphite-feed li { display: flex; gap: var(--kalphite-space); justify-content: space-between; border-bottom: 1px solid var(--kalphite-border); padding: 4px 0; }
.kalphite-feed-time { white-space: nowrap; }
.kalphite-feed li > span:first-child { min-width: 0; overflow-wrap: anywhere; }
.kalphite-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr)); gap: calc(var(--kalphite-space) * 2); }
.kalphite-chart { margin: 0; display: grid; gap: 4px; min-width: 0; }
.kalphite-chart-title { font-weight: 600; }
.kalphite-chart-frame { position: relative; min-width: 0; }
.kalphite-chart-frame svg { display: block; overflow: visible; }
.kalphite-chart-axis { stroke: var(--kalphite-muted); }
.kalphite-chart-grid { stroke: var(--kalphite-border); stroke-dasharray: 2 3; }
.kalphite-chart-label { fill: var(--kalphite-muted); font-size: 11px; font-family: system-ui, sans-serif; }
.kalphite-chart-hit { fill: transparent; }
.kalphite-chart-bucket { outline: none; }
.kalphite-chart-bucket-active .kalphite-chart-hit { fill: var(--kalphite-surface); }
.kalphite-chart-bucket:focus-visible .kalphite-chart-hit { stroke: var(--kalphite-accent); stroke-width: 2; }
.kalphite-chart-tooltip {
  position: absolute; z-index: 1; transform: translateY(-100%); pointer-events: none; display: grid; gap: 2px; min-width: 140px; max-width: 200px;
  padding: 4px var(--kalphite-space); font-size: 12px; background: var(--kalphite-bg); color: var(--kalphite-fg);
  border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); box-shadow: 0 4px 12px rgb(0 0 0 / 0.15);
}
.kalphite-chart-tooltip-row { display: flex; gap: 4px; align-items: center; }
.kalphite-legend { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px var(--kalphite-space); font-size: 12px; }
.kalphite-legend li { display: inline-flex; gap: 4px; align-items: center; }
.kalphite-legend-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.kalphite-range { flex-wrap: wrap; gap: 4px; }
.kalphite-chart-empty { fill: var(--kalphite-muted); font-size: 12px; font-family: system-ui, sans-serif; }

.kalphite-badge { display: inline-flex; gap: var(--kalphite-space); align-items: center; font-size: 12px; padding: 2px var(--kalphite-space); border: 1px solid var(--kalphite-border); border-radius: 999px; }
.kalphite-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--kalphite-success); }
.kalphite-dot-offline { background: var(--kalphite-danger); }
.kalphite-dot-syncing { background: var(--kalphite-warning); }

.kalphite-table { border-collapse: collapse; width: 100%; }
.kalphite-table caption { text-align: left; font-weight: 600; padding: var(--kalphite-space) 0; }
.kalphite-table th, .kalphite-table td { padding: 4px var(--kalphite-space); border-bottom: 1px solid var(--kalphite-border); text-align: left; vertical-align: top; }
.kalphite-table code, .kalphite-json { font: var(--kalphite-mono); white-space: pre-wrap; overflow-wrap: anywhere; }
.kalphite-entity-table { container-type: inline-size; }
/* Cells of 12px code beside 14px text: one shared baseline, not each cell's top. */
.kalphite-entity-table td { vertical-align: baseline; }
.kalphite-entity-table-id code { overflow-wrap: break-word; }
.kalphite-entity-table-updated { white-space: nowrap; }
.kalphite-entity-table-action { text-align: right; }
@container (max-width: 560px) {
  .kalphite-entity-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .kalphite-entity-table tbody tr {
    display: grid; grid-template-columns: auto minmax(0, 1fr) auto; grid-template-areas: "id id action" "type updated updated" "data data data";
    align-items: baseline; column-gap: var(--kalphite-space); padding: 4px 0; border-bottom: 1px solid var(--kalphite-border);
  }
  .kalphite-entity-table tbody td { border-bottom: 0; padding: 2px var(--kalphite-space); }
  .kalphite-entity-table-id { grid-area: id; }
  .kalphite-entity-table-type { grid-area: type; color: var(--kalphite-muted); }
  .kalphite-entity-table-updated { grid-area: updated; }
  .kalphite-entity-table-action { grid-area: action; }
  .kalphite-entity-table-data { grid-area: data; }
  .kalphite-entity-table-empty { grid-column: 1 / -1; }
}
`;

/** Renders the stylesheet once per document (every component includes it). */
export function KalphiteStyles() {
  return (
    <style href="kalphite-components" precedence="default">
      {CSS}
    </style>
  );
}
