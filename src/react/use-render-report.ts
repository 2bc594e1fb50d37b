import { useEffect, useRef } from 'react';
import type { Kalphite } from '../engine/index.js';
import { callingComponentName } from './component-name.js';
import { addRenderReport, type ReportingHook } from './render-log.js';

interface Seen {
  readonly component: string;
  value: unknown;
  version: number;
}

/**
 * In development, reports a hook's render for a commit to `renderLog(kalphite)`: when the value it
 * returns changed since its last committed render and the store committed in between. Renders
 * for other reasons (a parent's, new props) are not the hook's, and are not reported; neither are
 * renders React throws away, since only committed renders run effects. Production builds replace it
 * with a function that does nothing, which bundlers drop.
 */
export const useRenderReport: (kalphite: Kalphite, hook: ReportingHook, value: unknown) => void =
  process.env.NODE_ENV === 'production' ? () => {} : useRenderReportInDevelopment;

function useRenderReportInDevelopment(kalphite: Kalphite, hook: ReportingHook, value: unknown): void {
  // The version this render read: the effect below may run after a later commit.
  const version = kalphite.store.version;
  const seen = useRef<Seen | null>(null);
  // Once per hook instance: reading a stack costs microseconds, too much for every render.
  seen.current ??= { component: callingComponentName(), value, version };
  useEffect(() => {
    const last = seen.current as Seen;
    if (!Object.is(last.value, value) && last.version !== version) {
      addRenderReport(kalphite, { version, component: last.component, hook, everyChange: hook === 'useKalphiteStore' });
    }
    last.value = value;
    last.version = version;
  });
}
