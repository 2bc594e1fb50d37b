import type { Kalphite } from '../engine/index.js';

/**
 * The hooks that report their renders (development builds only): those whose value follows the
 * store's commits. `useSpace` and `useSyncStatus` render for space and sync events, not for a write,
 * so they do not report: counting them under the newest commit would blame it for renders it did not cause.
 */
export type ReportingHook = 'useKalphiteStore' | 'useKalphite' | 'useEntity' | 'useEntities' | 'useQuery' | 'useCount' | 'useHistory';

/** One hook's render for a commit: its value changed, and the store had committed since it last rendered. */
export interface RenderReport {
  /** The store version this render showed (the newest commit it saw). */
  readonly version: number;
  /** The component that called the hook, from the stack in development; `Anonymous` when it has no name. */
  readonly component: string;
  readonly hook: ReportingHook;
  /** The hook re-renders for every commit, whatever it changed (`useKalphiteStore`). */
  readonly everyChange: boolean;
}

/** The newest render reports of one engine's hooks, oldest first. */
export interface RenderLog {
  readonly reports: readonly RenderReport[];
  /** Called once per burst of reports (a commit re-rendering 100 components notifies once). */
  subscribe(listener: () => void): () => void;
}

/** How many reports an engine keeps: a bounded window, never the whole session. */
export const RENDER_LOG_LIMIT = 1000;

interface Log extends RenderLog {
  add(report: RenderReport): void;
}

const logs = new WeakMap<Kalphite, Log>();

/**
 * The render reports of `kalphite`'s hooks (empty in production builds, where hooks do not report).
 * Kept beside the engine rather than in it: the engine knows no React.
 */
export function renderLog(kalphite: Kalphite): RenderLog {
  let log = logs.get(kalphite);
  if (!log) logs.set(kalphite, (log = createLog()));
  return log;
}

/** Records a report for the devtools (called by the hooks in development). */
export function addRenderReport(kalphite: Kalphite, report: RenderReport): void {
  (renderLog(kalphite) as Log).add(report);
}

function createLog(): Log {
  let reports: RenderReport[] = [];
  let snapshot: readonly RenderReport[] = reports;
  let queued = false;
  const listeners = new Set<() => void>();
  const deliver = () => {
    queued = false;
    snapshot = reports.slice();
    for (const listener of [...listeners]) listener();
  };
  return {
    get reports() {
      return snapshot;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    add(report) {
      reports.push(report);
      // Trimmed in chunks, so a busy page does not copy the window on every report.
      if (reports.length > RENDER_LOG_LIMIT * 1.25) reports = reports.slice(-RENDER_LOG_LIMIT);
      if (queued) return;
      queued = true;
      // Reports arrive from effects, one per component: one snapshot and one notification per burst.
      queueMicrotask(deliver);
    },
  };
}
