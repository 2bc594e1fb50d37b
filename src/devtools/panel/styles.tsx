/**
 * The panel's own styles, on top of the components' theme: `kalphite-devtools-` classes only, so
 * nothing reaches the host app, and the same CSS variables, so a theme applies to both. The panel is
 * a size container: below 560 px its two-column views stack, whatever the viewport (a dock is
 * narrow on a wide screen).
 */
const CSS = `
.kalphite-devtools {
  container: kalphite-devtools / inline-size;
  display: flex; flex-direction: column; gap: var(--kalphite-space); padding: var(--kalphite-space);
  height: 100%; overflow: hidden; box-sizing: border-box;
}
/* In a dock the header stays and the view scrolls under it. */
.kalphite-devtools > * { flex: none; }
.kalphite-devtools > .kalphite-devtools-view { flex: 1 1 auto; min-height: 0; overflow: auto; }
.kalphite-devtools-header { display: grid; grid-template-columns: minmax(0, 1fr); gap: 6px; }
.kalphite-devtools-title { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
.kalphite-devtools-brand { display: inline-flex; gap: 6px; align-items: center; font-weight: 700; color: var(--kalphite-fg); }
.kalphite-devtools-brand .kalphite-devtools-mark { color: var(--kalphite-accent); }
.kalphite-devtools-facts { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 13px; }
.kalphite-devtools-fact-warn { color: var(--kalphite-danger); font-weight: 600; }
.kalphite-devtools-chrome { display: inline-flex; gap: 6px; align-items: center; margin-left: auto; }
.kalphite-devtools-dock-choice { font-size: 12px; white-space: nowrap; }
.kalphite-devtools-select { font: inherit; font-size: 12px; padding: 1px 4px; border-radius: var(--kalphite-radius); border: 1px solid var(--kalphite-border); background: var(--kalphite-bg); color: var(--kalphite-fg); }
.kalphite-devtools-close { line-height: 1; padding: 3px 7px; }
.kalphite-devtools-glance { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; }
.kalphite-devtools-stuck { font-size: 12px; font-weight: 600; color: var(--kalphite-danger); }
.kalphite-devtools-actions { display: flex; flex-wrap: wrap; gap: 4px; }
.kalphite-devtools-last-error { margin: 0; overflow-wrap: anywhere; }

.kalphite-devtools-tabs { display: flex; flex-wrap: nowrap; gap: 2px; overflow: hidden; border-bottom: 1px solid var(--kalphite-border); }
.kalphite-devtools-tab {
  flex: none; font: inherit; font-size: 13px; padding: 4px 10px; border: 0; border-bottom: 2px solid transparent; margin-bottom: -1px;
  background: none; color: var(--kalphite-muted); cursor: pointer; white-space: nowrap;
}
.kalphite-devtools-tab:hover { color: var(--kalphite-fg); }
.kalphite-devtools-tab[aria-selected="true"] { color: var(--kalphite-fg); font-weight: 600; border-bottom-color: var(--kalphite-accent); }
.kalphite-devtools-tab:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: -2px; }
.kalphite-devtools-view-menu { position: relative; }
.kalphite-devtools-view-button { display: inline-flex; gap: 6px; align-items: baseline; min-width: min(100%, 16em); text-align: left; padding: 4px 10px; }
.kalphite-devtools-view-button strong { margin-right: auto; }
.kalphite-devtools-menu {
  position: absolute; z-index: 1; left: 0; min-width: min(100%, 16em); top: calc(100% + 2px); margin: 0; padding: 4px; list-style: none;
  background: var(--kalphite-bg); border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); box-shadow: 0 4px 16px rgba(0, 0, 0, .2);
}
.kalphite-devtools-menu [role="menuitemradio"] { padding: 6px 10px; border-radius: 4px; cursor: pointer; }
.kalphite-devtools-menu [role="menuitemradio"]:hover, .kalphite-devtools-menu [role="menuitemradio"]:focus { background: var(--kalphite-surface); outline: none; }
.kalphite-devtools-menu [role="menuitemradio"]:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: -2px; }
.kalphite-devtools-menu [aria-checked="true"] { font-weight: 600; }
.kalphite-devtools-menu [aria-checked="true"]::before { content: '✓'; display: inline-block; width: 1.2em; color: var(--kalphite-accent); }
.kalphite-devtools-menu [aria-checked="false"]::before { content: ''; display: inline-block; width: 1.2em; }

.kalphite-devtools-viewport { position: relative; overflow: auto; border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); }
.kalphite-devtools-viewport:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-devtools-rows { position: relative; list-style: none; margin: 0; padding: 0; }
.kalphite-devtools-row {
  position: absolute; left: 0; right: 0; box-sizing: border-box; display: flex; gap: var(--kalphite-space); align-items: center;
  padding: 0 var(--kalphite-space); border-bottom: 1px solid var(--kalphite-border); white-space: nowrap; overflow: hidden;
}
.kalphite-devtools-row > :first-child { overflow: hidden; text-overflow: ellipsis; }
.kalphite-devtools-row > .kalphite-muted, .kalphite-devtools-row-detail { margin-left: auto; }
.kalphite-devtools-row-detail { overflow: hidden; text-overflow: ellipsis; }
/* A narrow panel's rows are two lines: what the row is, then its details, so neither is cut to a few letters. */
.kalphite-devtools-stacked .kalphite-devtools-row { flex-direction: column; align-items: stretch; justify-content: center; gap: 0; }
.kalphite-devtools-stacked .kalphite-devtools-row > * { min-width: 0; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.kalphite-devtools-stacked .kalphite-devtools-row > .kalphite-muted, .kalphite-devtools-stacked .kalphite-devtools-row-detail { margin-left: 0; font-size: 12px; }
.kalphite-devtools-stacked .kalphite-devtools-row > .kalphite-status { align-self: flex-start; }
.kalphite-devtools-stacked .kalphite-devtools-row > .kalphite-button { align-self: flex-start; max-width: 100%; }
.kalphite-devtools-split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: var(--kalphite-space); }
.kalphite-devtools-filters { display: grid; gap: 4px; }
.kalphite-devtools-editor { font: var(--kalphite-mono); width: 100%; min-height: 12em; box-sizing: border-box; }
.kalphite-devtools-scroll { overflow-x: auto; }
.kalphite-devtools-scroll:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-devtools-spaces td { max-width: 20em; overflow-wrap: anywhere; }
.kalphite-devtools-spaces th[scope="row"] { white-space: nowrap; }
.kalphite-devtools-scroll progress { accent-color: var(--kalphite-accent); vertical-align: middle; width: 6em; }
.kalphite-devtools-refused { padding: var(--kalphite-space); border-left: 3px solid var(--kalphite-danger); background: var(--kalphite-surface); }
.kalphite-devtools-group { font-weight: 600; background: var(--kalphite-surface); }
.kalphite-devtools-confirm { display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; padding: var(--kalphite-space); border: 1px solid var(--kalphite-danger); border-radius: var(--kalphite-radius); }

@container kalphite-devtools (max-width: 560px) {
  .kalphite-devtools-split { grid-template-columns: minmax(0, 1fr); }
  /* The brand and the frame's controls on the first line, the facts under them. */
  .kalphite-devtools-facts { order: 1; flex-basis: 100%; gap: 0 10px; }
}
@container kalphite-devtools (max-width: 360px) {
  .kalphite-devtools-view-button { width: 100%; }
  .kalphite-devtools-menu { right: 0; }
  .kalphite-devtools-facts { font-size: 12px; }
  .kalphite-devtools-actions .kalphite-button { font-size: 12px; padding: 1px 8px; }
  /* The spaces table becomes one card per space: each cell under its column's name. */
  .kalphite-devtools-spaces thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .kalphite-devtools-spaces, .kalphite-devtools-spaces tbody, .kalphite-devtools-spaces tr { display: block; }
  .kalphite-devtools-spaces tr { padding: 6px 0; border-bottom: 1px solid var(--kalphite-border); }
  .kalphite-devtools-spaces th, .kalphite-devtools-spaces td { display: block; position: relative; border: 0; padding: 1px 0; max-width: none; }
  .kalphite-devtools-spaces td[data-label] { padding-left: 9em; }
  .kalphite-devtools-spaces td[data-label]::before { content: attr(data-label); position: absolute; left: 0; width: 8.5em; color: var(--kalphite-muted); }
  .kalphite-devtools-spaces th[scope="row"] { display: block; white-space: normal; overflow-wrap: anywhere; }
}
`;

export function DevtoolsStyles() {
  return (
    <style href="kalphite-devtools" precedence="default">
      {CSS}
    </style>
  );
}
