import type { EmitEvent, KalphiteEvent, TabRole } from '../events.js';
import type { MemorySpaces, Replica } from '../replica.js';
import type { LocalWrites } from '../store/adopt.js';
import type { MemoryStore } from '../store/store.js';
import type { BatchQueue } from './batch-queue.js';
import type { TabMessage } from './tab-messages.js';

/** What both roles work with: this tab's identity, the channel, memory and the batch queue. */
export interface TabContext {
  /** This tab's client id. */
  readonly id: string;
  readonly post: (message: TabMessage) => void;
  readonly store: MemoryStore;
  /** This tab's own writes on their way (the adopt rule puts them on top of what arrives). */
  readonly localWrite: LocalWrites;
  /** The flusher's batches, numbered, until the leader (this tab or another) answers. */
  readonly queue: BatchQueue;
  readonly emit: EmitEvent;
  /** The engine's events (the leader passes its sync events on). */
  readonly subscribe: (listener: (event: KalphiteEvent) => void) => () => void;
  /** Tells the engine (an event) this tab's role and how many tabs there are. */
  readonly setTabs: (role: TabRole, count: number) => void;
  /** The spaces this tab's memory holds: others' changes are adopted for these only. */
  readonly spaces: Pick<MemorySpaces, 'holds' | 'openIds'>;
}

/** The messages a role answers, one handler per kind; kinds it has none for are not its business. */
export type MessageHandlers = { readonly [K in TabMessage['kind']]?: (message: Extract<TabMessage, { kind: K }>) => void };

/** A tab in its role: a replica for its engine and a table of message handlers. */
export interface Role extends Replica {
  readonly handlers: MessageHandlers;
  /** The role ends (the tab closes): stop listening, fail what waits on it. */
  leave(reason: string): void;
}
