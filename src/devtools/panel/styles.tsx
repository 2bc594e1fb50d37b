/**
 * The panel's own styles, on top of the components' theme: `kalphite-devtools-` classes only, so
 * nothing reaches the host app, and the same CSS variables, so a theme applies to both.
 */
const CSS = `
.kalphite-devtools-viewport { position: relative; overflow: auto; border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); }
.kalphite-devtools-viewport:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-devtools-rows { position: relative; list-style: none; margin: 0; padding: 0; }
.kalphite-devtools-row {
  position: absolute; left: 0; right: 0; box-sizing: border-box; display: flex; gap: var(--kalphite-space); align-items: center;
  padding: 0 var(--kalphite-space); border-bottom: 1px solid var(--kalphite-border); white-space: nowrap; overflow: hidden;
}
.kalphite-devtools-row > :first-child { overflow: hidden; text-overflow: ellipsis; }
.kalphite-devtools-row > .kalphite-muted { margin-left: auto; }
.kalphite-devtools-split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: var(--kalphite-space); }
.kalphite-devtools-editor { font: var(--kalphite-mono); width: 100%; min-height: 12em; box-sizing: border-box; }
.kalphite-devtools-diff { list-style: none; margin: 0; padding: 0; font: var(--kalphite-mono); }
.kalphite-devtools-diff li { padding: 2px var(--kalphite-space); border-left: 3px solid var(--kalphite-border); overflow-wrap: anywhere; }
.kalphite-devtools-diff .kalphite-devtools-added { border-left-color: var(--kalphite-success); }
.kalphite-devtools-diff .kalphite-devtools-removed { border-left-color: var(--kalphite-danger); }
.kalphite-devtools-diff .kalphite-devtools-changed { border-left-color: var(--kalphite-warning); }
.kalphite-devtools-dock { position: fixed; z-index: 2147483000; display: flex; background: var(--kalphite-bg, #fff); box-shadow: 0 0 12px rgba(0, 0, 0, .2); }
.kalphite-devtools-dock > .kalphite-devtools-content { flex: 1; min-width: 0; min-height: 0; overflow: auto; }
.kalphite-devtools-resize { flex: none; background: var(--kalphite-border, #d1d9e0); border: 0; padding: 0; }
.kalphite-devtools-resize:focus-visible, .kalphite-devtools-resize:hover { background: var(--kalphite-accent, #0969da); }
.kalphite-devtools-resize[aria-orientation="horizontal"] { height: 6px; width: 100%; cursor: ns-resize; }
.kalphite-devtools-resize[aria-orientation="vertical"] { width: 6px; height: 100%; cursor: ew-resize; }
.kalphite-devtools-scroll { overflow-x: auto; }
.kalphite-devtools-scroll:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 1px; }
.kalphite-devtools-spaces td { max-width: 20em; overflow-wrap: anywhere; }
.kalphite-devtools-spaces th[scope="row"] { white-space: nowrap; }
.kalphite-devtools-scroll progress { accent-color: var(--kalphite-accent); vertical-align: middle; width: 6em; }
.kalphite-devtools-refused { padding: var(--kalphite-space); border-left: 3px solid var(--kalphite-danger); background: var(--kalphite-surface); }
.kalphite-devtools-group { font-weight: 600; background: var(--kalphite-surface); }
.kalphite-devtools-confirm { display: flex; flex-wrap: wrap; gap: var(--kalphite-space); align-items: center; padding: var(--kalphite-space); border: 1px solid var(--kalphite-danger); border-radius: var(--kalphite-radius); }
`;

export function DevtoolsStyles() {
  return (
    <style href="kalphite-devtools" precedence="default">
      {CSS}
    </style>
  );
}
