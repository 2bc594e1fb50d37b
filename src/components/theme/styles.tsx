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
  font: var(--kalphite-font); color: var(--kalphite-fg); background: var(--kalphite-bg); box-sizing: border-box;
}
[data-kalphite-theme="dark"] .kalphite, .kalphite[data-kalphite-theme="dark"] {
  --kalphite-bg: #0d1117; --kalphite-surface: #151b23; --kalphite-fg: #e6edf3; --kalphite-muted: #9198a1;
  --kalphite-border: #3d444d; --kalphite-accent: #4493f8; --kalphite-accent-fg: #0d1117; --kalphite-danger: #ff7b72;
  --kalphite-success: #3fb950; --kalphite-warning: #d29922; --kalphite-highlight: #2e2a1a;
}
.kalphite *, .kalphite *::before, .kalphite *::after { box-sizing: inherit; }
.kalphite-button {
  font: inherit; font-size: 13px; padding: 2px calc(var(--kalphite-space) * 1.25); border-radius: var(--kalphite-radius);
  border: 1px solid var(--kalphite-border); background: var(--kalphite-surface); color: var(--kalphite-fg); cursor: pointer;
}
.kalphite-button:hover:not(:disabled) { border-color: var(--kalphite-accent); }
.kalphite-button:disabled { opacity: 0.55; cursor: default; }
.kalphite-button:focus-visible, .kalphite-line-number:focus-visible, .kalphite-input:focus-visible {
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

.kalphite-file { border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); overflow: hidden; }
.kalphite-file-header { padding: var(--kalphite-space); background: var(--kalphite-surface); border-bottom: 1px solid var(--kalphite-border); font-family: var(--kalphite-mono); }
.kalphite-lines { list-style: none; margin: 0; padding: 0; font: var(--kalphite-mono); }
.kalphite-line { display: grid; grid-template-columns: 4.5em 1fr; }
.kalphite-line-number {
  font: inherit; text-align: right; padding: 0 var(--kalphite-space); border: 0; border-right: 1px solid var(--kalphite-border);
  background: var(--kalphite-surface); color: var(--kalphite-muted); cursor: pointer;
}
.kalphite-line-number:hover:not(:disabled) { color: var(--kalphite-accent); }
.kalphite-line-number:disabled { cursor: default; }
.kalphite-line-code { padding: 0 var(--kalphite-space); white-space: pre-wrap; overflow-wrap: anywhere; }
.kalphite-line-has-comments .kalphite-line-code { background: var(--kalphite-highlight); }
.kalphite-line-extra { grid-column: 1 / -1; padding: var(--kalphite-space); border-top: 1px solid var(--kalphite-border); border-bottom: 1px solid var(--kalphite-border); font: var(--kalphite-font); }

.kalphite-thread { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--kalphite-space); }
.kalphite-comment { border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); padding: var(--kalphite-space); background: var(--kalphite-bg); }
.kalphite-comment-resolved { border-style: dashed; background: var(--kalphite-surface); }
.kalphite-comment-meta { display: flex; gap: var(--kalphite-space); align-items: baseline; font-size: 12px; color: var(--kalphite-muted); }
.kalphite-comment-message { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.kalphite-actions { display: flex; flex-wrap: wrap; gap: calc(var(--kalphite-space) / 2); }
.kalphite-form { display: grid; gap: calc(var(--kalphite-space) / 2); }
.kalphite-form-reason { margin: 0; font-size: 12px; }
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
.kalphite-chart-bar { fill: var(--kalphite-accent); }
.kalphite-chart-axis { stroke: var(--kalphite-border); }
.kalphite-chart-label { fill: var(--kalphite-muted); font-size: 10px; }

.kalphite-badge { display: inline-flex; gap: var(--kalphite-space); align-items: center; font-size: 12px; padding: 2px var(--kalphite-space); border: 1px solid var(--kalphite-border); border-radius: 999px; }
.kalphite-dot { width: 8px; height: 8px; border-radius: 50%; background: var(--kalphite-success); }
.kalphite-dot-offline { background: var(--kalphite-danger); }
.kalphite-dot-syncing { background: var(--kalphite-warning); }

.kalphite-table { border-collapse: collapse; width: 100%; }
.kalphite-table caption { text-align: left; font-weight: 600; padding: var(--kalphite-space) 0; }
.kalphite-table th, .kalphite-table td { padding: 4px var(--kalphite-space); border-bottom: 1px solid var(--kalphite-border); text-align: left; vertical-align: top; }
.kalphite-table code, .kalphite-json { font: var(--kalphite-mono); white-space: pre-wrap; overflow-wrap: anywhere; }
`;

/** Renders the stylesheet once per document (every component includes it). */
export function KalphiteStyles() {
  return (
    <style href="kalphite-components" precedence="default">
      {CSS}
    </style>
  );
}
