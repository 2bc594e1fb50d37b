import { lazy, Suspense } from 'react';
import type { KalphiteDevtoolsPanelProps } from './panel/panel.js';

// The panel body (tabs, diff, styles) is its own chunk: an app pays for it only when it renders.
const PanelBody = lazy(() => import('./panel/panel.js').then((module) => ({ default: module.KalphiteDevtoolsPanel })));

/** The panel itself, to place anywhere (an app's debug page, a story); loads its body on first render. */
export function KalphiteDevtoolsPanel(props: KalphiteDevtoolsPanelProps) {
  return (
    <Suspense fallback={<p role="status">Loading Kalphite devtools…</p>}>
      <PanelBody {...props} />
    </Suspense>
  );
}

export type { KalphiteDevtoolsPanelProps };
