import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import { KalphiteStyles } from '../../components/theme/styles.js';
import type { Kalphite } from '../../engine/index.js';
import { KalphiteProvider } from '../../react/index.js';
import type { FaultInjector } from '../faults.js';
import { useHostTheme, type DevtoolsTheme } from '../host-theme.js';
import { KalphiteMark } from '../mark.js';
import { ActivitySparkline, RiskMeter } from '../pictures/index.js';
import { createDevtoolsUiStore, type DevtoolsUiState } from '../ui-state.js';
import { useEngineView } from '../use-inspection.js';
import { useWidth } from '../use-width.js';
import { writesAtRisk } from '../write-risk.js';
import { BlockedPush } from './blocked-push.js';
import { DevtoolsErrorBoundary } from './error-boundary.js';
import { DevtoolsStyles } from './styles.js';
import { NARROW_WIDTH, useViewsLayout, ViewSwitcher } from './view-switcher.js';
import { VIEWS, type ViewContext } from './views.js';

export interface KalphiteDevtoolsPanelProps {
  readonly kalphite: Kalphite;
  /** Shared UI state (the floating devtools pass theirs); a persisted one of its own otherwise. */
  readonly ui?: StoreApi<DevtoolsUiState>;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults tab. */
  readonly faults?: FaultInjector;
  /** `auto` (default) follows the host: its `data-kalphite-theme`, its `color-scheme`, or the system's. */
  readonly theme?: DevtoolsTheme;
  /** Controls of the panel's frame (the floating devtools' dock choice and close button), at the header's end. */
  readonly chrome?: ReactNode;
}

/** The panel itself, to place anywhere (an app's debug page, a story). */
export function KalphiteDevtoolsPanel({ kalphite, ui, faults, theme = 'auto', chrome }: KalphiteDevtoolsPanelProps) {
  const own = useMemo(() => ui ?? createDevtoolsUiStore(), [ui]);
  return (
    <DevtoolsErrorBoundary>
      <KalphiteProvider kalphite={kalphite}>
        <PanelBody kalphite={kalphite} ui={own} faults={faults} theme={theme} chrome={chrome} />
      </KalphiteProvider>
    </DevtoolsErrorBoundary>
  );
}

interface PanelBodyProps {
  readonly kalphite: Kalphite;
  readonly ui: StoreApi<DevtoolsUiState>;
  readonly faults: FaultInjector | undefined;
  readonly theme: DevtoolsTheme;
  readonly chrome: ReactNode;
}

function PanelBody({ kalphite, ui, faults, theme, chrome }: PanelBodyProps) {
  const view = useEngineView(kalphite);
  const storedTab = useStore(ui, (s) => s.tab);
  const filter = useStore(ui, (s) => s.filter);
  const set = useStore(ui, (s) => s.set);
  const baseId = useId();
  const root = useRef<HTMLElement>(null);
  const width = useWidth(root);
  const resolvedTheme = useHostTheme(root, theme);
  const [confirmingReset, setConfirmingReset] = useState(false);
  const [resetError, setResetError] = useState<string | null>(null);
  const { inspection } = view;
  // The engine's clock, so countdowns are right under fake timers too.
  const now = inspection.at;
  const sync = kalphite.sync;
  const risk = writesAtRisk(inspection);
  const atRisk = risk.total > 0;
  const narrow = width !== null && width <= NARROW_WIDTH;
  // A blocked push is the engine's last error too: the notice above the views says it once.
  const blocked = inspection.sync?.blocked ?? null;
  const lastError = inspection.lastError && !(blocked && inspection.lastError.message === blocked.message) ? inspection.lastError : null;
  useEffect(() => {
    if (!atRisk) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    globalThis.addEventListener?.('beforeunload', warn);
    return () => globalThis.removeEventListener?.('beforeunload', warn);
  }, [atRisk]);

  const context: ViewContext = { kalphite, view, now, narrow, filter, onFilter: (value) => set({ filter: value }), faults };
  const views = VIEWS.filter((v) => v.available?.(context) ?? true);
  // A remembered view this panel does not have (Faults, without an injector) falls back to the first.
  const current = views.find((v) => v.id === storedTab) ?? views[0]!;
  const layout = useViewsLayout(views, width);
  const spacesOpen = inspection.spaces.filter((s) => s.open).length;

  return (
    <section ref={root} className="kalphite kalphite-devtools" data-kalphite-theme={resolvedTheme} data-narrow={narrow} aria-label="Kalphite devtools">
      <KalphiteStyles />
      <DevtoolsStyles />
      <header className="kalphite-devtools-header">
        <div className="kalphite-devtools-title">
          <span className="kalphite-devtools-brand">
            <KalphiteMark size={16} /> Kalphite
          </span>
          <span className="kalphite-devtools-facts">
            <span aria-label="Entities in memory">{inspection.entityCount.toLocaleString()} entities</span>
            <span aria-label="Pending flushes">{inspection.flush.pending.length} pending flush</span>
            <span aria-label="Unacknowledged writes">{inspection.outbox.length} unacknowledged</span>
            <span aria-label="This tab">
              {inspection.tabs.role} · {inspection.tabs.count} {inspection.tabs.count === 1 ? 'tab' : 'tabs'}
            </span>
            {inspection.sync && (
              <span className={inspection.sync.paused || !inspection.sync.online ? 'kalphite-devtools-fact-warn' : undefined}>
                {inspection.sync.paused ? 'paused' : inspection.sync.online ? 'online' : 'offline'}
              </span>
            )}
            <span className="kalphite-muted">
              {spacesOpen} of {inspection.spaces.length} {inspection.spaces.length === 1 ? 'space' : 'spaces'} open
            </span>
          </span>
          {chrome && <span className="kalphite-devtools-chrome">{chrome}</span>}
        </div>
        <div className="kalphite-devtools-glance">
          <RiskMeter risk={risk} syncs={sync !== null} />
          {risk.stuck && <span className="kalphite-devtools-stuck">{risk.stuck}</span>}
          <ActivitySparkline rates={view.rates} now={now} />
        </div>
        <div className="kalphite-devtools-actions" role="group" aria-label="Actions">
          <button type="button" className="kalphite-button" onClick={() => void kalphite.flush().catch(() => {})}>
            Flush now
          </button>
          {sync && (
            <>
              <button type="button" className="kalphite-button" onClick={() => void sync.push().catch(() => {})}>
                Push now
              </button>
              <button type="button" className="kalphite-button" onClick={() => void sync.pull().catch(() => {})}>
                Pull now
              </button>
              <button type="button" className="kalphite-button" aria-pressed={inspection.sync?.paused ?? false} onClick={() => (inspection.sync?.paused ? sync.resume() : sync.pause())}>
                {inspection.sync?.paused ? 'Resume sync' : 'Pause sync'}
              </button>
              <button type="button" className="kalphite-button" aria-pressed={inspection.sync?.simulatedOffline ?? false} onClick={() => sync.setOffline(!inspection.sync?.simulatedOffline)}>
                {inspection.sync?.simulatedOffline ? 'Go online' : 'Go offline'}
              </button>
            </>
          )}
          <button type="button" className="kalphite-button kalphite-button-danger" aria-expanded={confirmingReset} onClick={() => setConfirmingReset(true)}>
            Reset local db…
          </button>
        </div>
      </header>
      {sync && <BlockedPush sync={sync} view={view} />}
      {confirmingReset && (
        <div role="alertdialog" aria-label="Reset the local database" className="kalphite-devtools-confirm">
          <p style={{ margin: 0 }}>
            {sync
              ? `Throw away the local data and start again as a new client with the server’s? ${risk.notOnServer === 0 ? 'Every write is on the server.' : `${risk.notOnServer} write(s) not on the server will be lost.`}`
              : `This engine does not sync: all ${inspection.entityCount.toLocaleString()} entities will be lost.`}
          </p>
          <button
            type="button"
            className="kalphite-button kalphite-button-danger"
            onClick={() => {
              setConfirmingReset(false);
              setResetError(null);
              kalphite.reset().catch((reason: unknown) => setResetError(reason instanceof Error ? reason.message : String(reason)));
            }}
          >
            Reset
          </button>
          <button type="button" className="kalphite-button" autoFocus onClick={() => setConfirmingReset(false)}>
            Cancel
          </button>
        </div>
      )}
      {resetError && <p role="alert">Reset failed: {resetError}</p>}
      {lastError && (
        <p role="alert" className="kalphite-muted kalphite-devtools-last-error">
          Last error ({lastError.code}): {lastError.message}
        </p>
      )}
      <ViewSwitcher views={views} current={current.id} onSelect={(tab) => set({ tab })} baseId={baseId} layout={layout} />
      <div
        className="kalphite-devtools-view"
        {...(layout.asMenu
          ? { role: 'region', 'aria-label': `${current.label} view` }
          : { role: 'tabpanel', id: `${baseId}-${current.id}-panel`, 'aria-labelledby': `${baseId}-${current.id}-tab` })}
      >
        {current.render(context)}
      </div>
    </section>
  );
}
