import { createElement as h, Fragment, useEffect, useRef, useState } from 'react';
import { STORY_RENDERED } from 'storybook/internal/core-events';
import { AddonPanel, ToggleButton } from 'storybook/internal/components';
import { addons, types, useChannel, useGlobals, useStorybookApi } from 'storybook/manager-api';
import { useTheme } from 'storybook/theming';
import { DEVTOOLS_GLOBAL, PANEL_ID, PREVIEW_HOST_KEY, TOOL_ID, ADDON_ID, type PreviewHost } from './channel.js';

/*
 * The manager's side: a toolbar toggle and the "Kalphite" panel in the addon area. The panel is a
 * node the preview renders the devtools into (see panel-host.tsx), so they run beside the story's
 * engine; the manager only finds the preview's host and hands it the node.
 *
 * No JSX here: the manager has React of its own (Storybook's), and a compiled JSX runtime from the
 * app's React would not match it. So elements are made with that React's createElement.
 */

/** The preview's host, when the preview is this page's iframe on the same origin. */
function previewHost(): PreviewHost | 'cross-origin' | null {
  const frame = document.getElementById('storybook-preview-iframe');
  if (!(frame instanceof HTMLIFrameElement) || !frame.contentWindow) return null;
  try {
    const host = (frame.contentWindow as unknown as Record<string, unknown>)[PREVIEW_HOST_KEY];
    return host && typeof (host as PreviewHost).mount === 'function' ? (host as PreviewHost) : null;
  } catch {
    // A composed Storybook's preview on another origin: its window cannot be read from here.
    return 'cross-origin';
  }
}

/** Kalphite's mark (as in the devtools' toggle), in the toolbar's text colour. */
function Mark() {
  return h(
    'svg',
    { width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': true, focusable: false },
    h('path', { d: 'M8 .8 14.4 4.4v7.2L8 15.2 1.6 11.6V4.4Z', fill: 'currentColor' }),
    h('path', { d: 'M8 .8v6.8M1.6 4.4 8 7.6l6.4-3.2M8 7.6v7.6', fill: 'none', stroke: 'var(--kalphite-bg, #fff)', strokeOpacity: 0.55, strokeWidth: 1 }),
  );
}

function Tool() {
  const [globals, updateGlobals] = useGlobals();
  const api = useStorybookApi();
  const on = globals[DEVTOOLS_GLOBAL] !== false;
  return h(
    ToggleButton,
    {
      variant: 'ghost',
      padding: 'small',
      pressed: on,
      ariaLabel: 'Kalphite devtools',
      tooltip: on ? 'Turn the Kalphite devtools off' : 'Show the Kalphite devtools',
      onClick: () => {
        updateGlobals({ [DEVTOOLS_GLOBAL]: !on });
        if (!on) {
          // Turned on: show them, in the addon area.
          api.setSelectedPanel(PANEL_ID);
          api.togglePanel(true);
        }
      },
    },
    h(Mark),
  );
}

function detach(mounted: { readonly unmount: () => void } | null, container: HTMLElement | null): void {
  try {
    mounted?.unmount();
  } catch {
    // A reloaded preview's window is gone, and its root with it: only its nodes are left here.
    container?.replaceChildren();
  }
}

const note = (text: string) => h('p', { style: { padding: 12, margin: 0 } }, text);

function Panel({ active }: { readonly active: boolean }) {
  const [globals] = useGlobals();
  const on = globals[DEVTOOLS_GLOBAL] !== false;
  const theme = useTheme();
  const node = useRef<HTMLDivElement>(null);
  // Bumped on each rendered story (a reloaded preview has a new window, whose host is found again) and while waiting.
  const [rendered, setRendered] = useState(0);
  const [missing, setMissing] = useState<'waiting' | 'cross-origin' | null>(null);
  useChannel({ [STORY_RENDERED]: () => setRendered((n) => n + 1) });

  const mounted = useRef<{ readonly host: PreviewHost; readonly unmount: () => void } | null>(null);
  useEffect(() => {
    const container = node.current;
    if (!active || !on || !container) return;
    const host = previewHost();
    setMissing(host === null ? 'waiting' : host === 'cross-origin' ? host : null);
    if (host === null || host === 'cross-origin' || mounted.current?.host === host) return;
    detach(mounted.current, container);
    mounted.current = { host, unmount: host.mount(container) };
  }, [active, on, rendered]);
  // The preview may not have loaded yet: look again shortly.
  useEffect(() => {
    if (missing !== 'waiting') return;
    const timer = setTimeout(() => setRendered((n) => n + 1), 250);
    return () => clearTimeout(timer);
  }, [missing, rendered]);
  useEffect(() => {
    if (!active || !on) return;
    return () => {
      detach(mounted.current, node.current);
      mounted.current = null;
    };
  }, [active, on]);

  return h(AddonPanel, {
    active,
    children: h(
      Fragment,
      null,
      !on && note("The Kalphite devtools are off: the toolbar's Kalphite button turns them on."),
      on && missing === 'waiting' && note('Waiting for the story…'),
      on && missing === 'cross-origin' && note("This story's preview is on another origin, where the Kalphite panel cannot reach its engine."),
      h('div', { ref: node, 'data-kalphite-theme': theme.base === 'dark' ? 'dark' : 'light', style: { height: '100%' }, hidden: !on || missing !== null }),
    ),
  });
}

addons.register(ADDON_ID, () => {
  addons.add(TOOL_ID, {
    type: types.TOOL,
    title: 'Kalphite devtools',
    match: ({ viewMode, tabId }) => viewMode === 'story' && !tabId,
    render: () => h(Tool),
  });
  addons.add(PANEL_ID, {
    type: types.PANEL,
    title: 'Kalphite',
    match: ({ viewMode }) => viewMode === 'story',
    render: ({ active }) => h(Panel, { active: active ?? false }),
  });
});
