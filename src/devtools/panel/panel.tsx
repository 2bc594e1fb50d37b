import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore, type StoreApi } from 'zustand';
import { KalphiteStyles } from '../../components/theme/styles.js';
import type { Kalphite } from '../../engine/index.js';
import { KalphiteProvider } from '../../react/index.js';
import { ChangeLogTab } from '../views/change-log-tab.js';
import { DurabilityTab } from '../views/durability-tab.js';
import { EventsTab } from '../views/events-tab.js';
import { FaultsTab } from '../views/faults-tab.js';
import type { FaultInjector } from '../faults.js';
import { FlushesTab } from '../views/flushes-tab.js';
import { MemoryTab } from '../views/memory-tab.js';
import { SpacesTab } from '../views/spaces-tab.js';
import { SyncTab } from '../views/sync-tab.js';
import { createDevtoolsUiStore, type DevtoolsTab, type DevtoolsUiState } from '../ui-state.js';
import { useEngineView } from '../use-inspection.js';
import { BlockedPush } from './blocked-push.js';
import { DevtoolsErrorBoundary } from './error-boundary.js';
import { DevtoolsStyles } from './styles.js';

export interface KalphiteDevtoolsPanelProps {
  readonly kalphite: Kalphite;
  /** Shared UI state (the floating devtools pass theirs); a persisted one of its own otherwise. */
  readonly ui?: StoreApi<DevtoolsUiState>;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults tab. */
  readonly faults?: FaultInjector;
}

const TABS: readonly { id: DevtoolsTab; label: string }[] = [
  { id: 'memory', label: 'Memory' },
  { id: 'flushes', label: 'Flushes' },
  { id: 'changes', label: 'Change log' },
  { id: 'sync', label: 'Sync' },
  { id: 'spaces', label: 'Spaces' },
  { id: 'durability', label: 'Durability' },
  { id: 'events', label: 'Events' },
];

/** The panel itself, to place anywhere (an app's debug page, a story). */
export function KalphiteDevtoolsPanel({ kalphite, ui, faults }: KalphiteDevtoolsPanelProps) {
  const own = useMemo(() => ui ?? createDevtoolsUiStore(), [ui]);
  return (
    <DevtoolsErrorBoundary>
      <KalphiteProvider kalphite={kalphite}>
        <PanelBody kalphite={kalphite} ui={own} faults={faults} />
      </KalphiteProvider>
    </DevtoolsErrorBoundary>
  );
}

function PanelBody({ kalphite, ui, faults }: { kalphite: Kalphite; ui: StoreApi<DevtoolsUiState>; faults: FaultInjector | undefined }) {
  const view = useEngineView(kalphite);
  const storedTab = useStore(ui, (s) => s.tab);
  const filter = useStore(ui, (s) => s.filter);
  const set = useStore(ui, (s) => s.set);
  const baseId = useId();
  const [confirmingReset, setConfirmingReset] = useState(false);
  const [resetError, setResetError] = useState<string | null>(null);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const { inspection } = view;
  // The engine's clock, so countdowns are right under fake timers too.
  const now = inspection.at;
  const sync = kalphite.sync;
  // Data at risk, from inspect(): writes only in memory, and writes the server has not acknowledged.
  const notOnDisk = inspection.flush.pending.length + (inspection.flush.inFlight?.size ?? 0);
  const notOnServer = sync ? notOnDisk + inspection.outbox.length : 0;
  const atRisk = notOnDisk + notOnServer > 0;
  // A blocked push is the engine's last error too: the notice above the tabs says it once.
  const blocked = inspection.sync?.blocked ?? null;
  const lastError = inspection.lastError && !(blocked && inspection.lastError.message === blocked.message) ? inspection.lastError : null;
  useEffect(() => {
    if (!atRisk) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    globalThis.addEventListener?.('beforeunload', warn);
    return () => globalThis.removeEventListener?.('beforeunload', warn);
  }, [atRisk]);

  const tabs = faults ? [...TABS, { id: 'faults' as const, label: 'Faults' }] : TABS;
  // A remembered tab this panel does not have (Faults, without an injector) falls back to Memory.
  const tab = tabs.some((t) => t.id === storedTab) ? storedTab : 'memory';
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = (index + step + tabs.length) % tabs.length;
    set({ tab: tabs[next]!.id });
    tabRefs.current[next]?.focus();
  };

  return (
    <section className="kalphite kalphite-devtools" aria-label="Kalphite devtools" style={{ display: 'grid', gap: 8, padding: 8, height: '100%', overflow: 'auto' }}>
      <KalphiteStyles />
      <DevtoolsStyles />
      <header style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center' }}>
        <strong>Kalphite</strong>
        <span aria-label="Entities in memory">{inspection.entityCount.toLocaleString()} entities</span>
        <span aria-label="Pending flushes">{inspection.flush.pending.length} pending flush</span>
        <span aria-label="Unacknowledged writes">{inspection.outbox.length} unacknowledged</span>
        <span aria-label="Data at risk" className={atRisk ? 'kalphite-status kalphite-status-changes_requested' : 'kalphite-muted'}>
          {atRisk ? `at risk: ${notOnDisk} not on disk, ${notOnServer} not on the server` : 'nothing at risk'}
        </span>
        <span aria-label="This tab">
          {inspection.tabs.role} · {inspection.tabs.count} {inspection.tabs.count === 1 ? 'tab' : 'tabs'}
        </span>
        {inspection.sync && <span>{inspection.sync.paused ? 'paused' : inspection.sync.online ? 'online' : 'offline'}</span>}
        <span className="kalphite-muted">
          {inspection.spaces.filter((s) => s.open).length} of {inspection.spaces.length} {inspection.spaces.length === 1 ? 'space' : 'spaces'} open
        </span>
        <span className="kalphite-actions" role="group" aria-label="Actions">
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
        </span>
      </header>
      {sync && <BlockedPush sync={sync} view={view} />}
      {confirmingReset && (
        <div role="alertdialog" aria-label="Reset the local database" className="kalphite-devtools-confirm">
          <p style={{ margin: 0 }}>
            {sync
              ? `Throw away the local data and start again as a new client with the server’s? ${notOnServer === 0 ? 'Every write is on the server.' : `${notOnServer} write(s) not on the server will be lost.`}`
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
        <p role="alert" className="kalphite-muted">
          Last error ({lastError.code}): {lastError.message}
        </p>
      )}
      <div role="tablist" aria-label="Devtools views" className="kalphite-actions">
        {tabs.map((t, index) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-${t.id}-tab`}
            aria-selected={tab === t.id}
            aria-controls={`${baseId}-${t.id}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            className={`kalphite-button${tab === t.id ? ' kalphite-button-primary' : ''}`}
            onClick={() => set({ tab: t.id })}
            onKeyDown={(event) => onTabKey(event, index)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${baseId}-${tab}-panel`} aria-labelledby={`${baseId}-${tab}-tab`}>
        {tab === 'memory' && <MemoryTab kalphite={kalphite} filter={filter} onFilter={(value) => set({ filter: value })} />}
        {tab === 'flushes' && <FlushesTab view={view} now={now} />}
        {tab === 'changes' && <ChangeLogTab kalphite={kalphite} />}
        {tab === 'sync' && <SyncTab view={view} now={now} />}
        {tab === 'spaces' && <SpacesTab kalphite={kalphite} view={view} />}
        {tab === 'durability' && <DurabilityTab view={view} />}
        {tab === 'events' && <EventsTab view={view} />}
        {tab === 'faults' && faults && <FaultsTab kalphite={kalphite} injector={faults} />}
      </div>
    </section>
  );
}
