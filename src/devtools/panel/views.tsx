import type { ReactNode } from 'react';
import type { Kalphite } from '../../engine/index.js';
import type { FaultInjector } from '../faults.js';
import type { DevtoolsTab } from '../ui-state.js';
import type { EngineView } from '../use-inspection.js';
import { ChangeLogTab } from '../views/change-log-tab.js';
import { DivergenceTab } from '../views/divergence-tab.js';
import { DurabilityTab } from '../views/durability-tab.js';
import { EventsTab } from '../views/events-tab.js';
import { FaultsTab } from '../views/faults-tab.js';
import { FlushesTab } from '../views/flushes-tab.js';
import { HeldAsideTab } from '../views/held-aside-tab.js';
import { MemoryTab } from '../views/memory-tab.js';
import { OverwrittenTab } from '../views/overwritten-tab.js';
import { RendersTab } from '../views/renders-tab.js';
import { SpacesTab } from '../views/spaces-tab.js';
import { SyncTab } from '../views/sync-tab.js';

/** What every view may read. */
export interface ViewContext {
  readonly kalphite: Kalphite;
  readonly view: EngineView;
  /** The engine clock now (countdowns are right under fake timers too). */
  readonly now: number;
  /** The panel is at most `NARROW_WIDTH` wide: lists stack, diffs are unified. */
  readonly narrow: boolean;
  readonly filter: string;
  readonly onFilter: (filter: string) => void;
  readonly faults: FaultInjector | undefined;
}

export interface DevtoolsView {
  readonly id: DevtoolsTab;
  readonly label: string;
  /** Whether this panel shows it (Faults needs an injector). */
  readonly available?: (context: ViewContext) => boolean;
  readonly render: (context: ViewContext) => ReactNode;
}

/** The panel's views, in the order of its tabs and menu: a new view is one entry here. */
export const VIEWS: readonly DevtoolsView[] = [
  { id: 'memory', label: 'Memory', render: (c) => <MemoryTab kalphite={c.kalphite} filter={c.filter} onFilter={c.onFilter} narrow={c.narrow} /> },
  { id: 'flushes', label: 'Flushes', render: (c) => <FlushesTab view={c.view} now={c.now} /> },
  { id: 'changes', label: 'Change log', render: (c) => <ChangeLogTab kalphite={c.kalphite} narrow={c.narrow} /> },
  { id: 'sync', label: 'Sync', render: (c) => <SyncTab view={c.view} now={c.now} /> },
  { id: 'spaces', label: 'Spaces', render: (c) => <SpacesTab kalphite={c.kalphite} view={c.view} /> },
  { id: 'durability', label: 'Durability', render: (c) => <DurabilityTab view={c.view} now={c.now} syncs={c.kalphite.sync !== null} /> },
  { id: 'divergence', label: 'Divergence', render: (c) => <DivergenceTab kalphite={c.kalphite} view={c.view} /> },
  { id: 'overwritten', label: 'Overwritten', render: (c) => <OverwrittenTab kalphite={c.kalphite} narrow={c.narrow} /> },
  { id: 'renders', label: 'Renders', render: (c) => <RendersTab kalphite={c.kalphite} view={c.view} /> },
  { id: 'held-aside', label: 'Held aside', render: (c) => <HeldAsideTab kalphite={c.kalphite} /> },
  { id: 'events', label: 'Events', render: (c) => <EventsTab view={c.view} narrow={c.narrow} /> },
  { id: 'faults', label: 'Faults', available: (c) => c.faults !== undefined, render: (c) => c.faults && <FaultsTab kalphite={c.kalphite} injector={c.faults} /> },
];
