/**
 * The floating devtools' own styles: the toggle button and the dock around the panel. Apart from
 * the panel's (`panel/styles.tsx`, in its lazy chunk), so an app whose panel stays closed ships only these.
 */
const CSS = `
.kalphite-devtools-toggle {
  display: inline-flex; gap: 6px; align-items: center; font: inherit; font-size: 13px; font-weight: 600; line-height: 1;
  padding: 6px 10px 6px 8px; border-radius: 999px; border: 1px solid var(--kalphite-border); cursor: pointer;
  background: var(--kalphite-bg); color: var(--kalphite-fg); box-shadow: 0 2px 10px rgba(0, 0, 0, .18);
}
.kalphite-devtools-toggle:hover { border-color: var(--kalphite-accent); }
.kalphite-devtools-toggle:focus-visible { outline: 2px solid var(--kalphite-accent); outline-offset: 2px; }
.kalphite-devtools-toggle .kalphite-devtools-mark { color: var(--kalphite-accent); }
.kalphite-devtools-toggle-box { position: relative; display: inline-block; }
.kalphite-devtools-badge {
  position: absolute; top: -7px; right: -7px; pointer-events: none; min-width: 20px; box-sizing: border-box; padding: 2px 5px;
  border-radius: 999px; border: 2px solid var(--kalphite-bg); font-size: 11px; font-weight: 700; line-height: 1.2; text-align: center;
  font-variant-numeric: tabular-nums; background: var(--kalphite-warning); color: #fff;
}
.kalphite-devtools-toggle[data-state="at-risk"] { border-color: var(--kalphite-danger); }
.kalphite-devtools-toggle-box[data-state="at-risk"] .kalphite-devtools-badge { background: var(--kalphite-danger); }

.kalphite-devtools-dock { position: fixed; z-index: 2147483000; display: flex; background: var(--kalphite-bg, #fff); box-shadow: 0 0 12px rgba(0, 0, 0, .2); }
.kalphite-devtools-dock > .kalphite-devtools-content { flex: 1; min-width: 0; min-height: 0; overflow: auto; }
.kalphite-devtools-resize { flex: none; background: var(--kalphite-border, #d1d9e0); border: 0; padding: 0; }
.kalphite-devtools-resize:focus-visible, .kalphite-devtools-resize:hover { background: var(--kalphite-accent, #0969da); }
.kalphite-devtools-resize[aria-orientation="horizontal"] { height: 6px; width: 100%; cursor: ns-resize; }
.kalphite-devtools-resize[aria-orientation="vertical"] { width: 6px; height: 100%; cursor: ew-resize; }
`;

export function FrameStyles() {
  return (
    <style href="kalphite-devtools-frame" precedence="default">
      {CSS}
    </style>
  );
}
