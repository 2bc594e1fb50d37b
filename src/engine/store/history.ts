import { jsonEqual } from '../../protocol/json.js';
import { changedFields, isFieldMap, withFields } from '../../protocol/patch.js';
import { EventBus } from '../event-bus.js';
import { KalphiteError } from '../errors.js';
import type { Entity } from './entity.js';
import type { EntityChange, MemoryStore, StoreCommit } from './store.js';

/** What an undo or redo left alone: one field of an entity (null: the whole entity), and why. */
export interface HistorySkip {
  readonly id: string;
  readonly field: string | null;
  /**
   * `changed`: someone changed it since (another client, another tab); `deleted`: a hard delete
   * is final (undoing one, or redoing a create after its undo); `unwritable`: its space takes no
   * writes now (closed, read-only).
   */
  readonly reason: 'changed' | 'deleted' | 'unwritable';
}

/** What one `undo()` or `redo()` did. */
export interface HistoryResult {
  /** False when there was no step to take. */
  readonly done: boolean;
  /** The step's label: its batch's tag (`store.batch(fn, { tag })`), or null. */
  readonly label: string | null;
  readonly skipped: readonly HistorySkip[];
}

/** Undo and redo of this engine's own writes (`kalphite.history`). */
export interface KalphiteHistory {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** The label of the step `undo()` would take back (null: untagged, or none). */
  readonly undoLabel: string | null;
  readonly redoLabel: string | null;
  /**
   * Takes back the newest step as an ordinary write (it flushes and syncs like any other). A field
   * someone changed since is left alone and reported, never overwritten.
   */
  undo(): HistoryResult;
  redo(): HistoryResult;
  /** Forgets every step. */
  clear(): void;
  /** Called after every change of the steps (a write, an undo, a redo). */
  subscribe(listener: () => void): () => void;
}

interface Step {
  readonly label: string | null;
  readonly changes: readonly EntityChange[];
}

/** The tags history's own writes carry, so the devtools can tell them apart. */
export const UNDO_TAG = 'undo';
export const REDO_TAG = 'redo';

/**
 * One step per local commit of the store: a batch, or a tick of loose writes. Writes from the
 * server or other tabs are not steps; they are what an undo checks against, field by field.
 */
export class UndoHistory implements KalphiteHistory {
  readonly #store: MemoryStore;
  readonly #limit: number;
  readonly #onSkipped: (direction: 'undo' | 'redo', result: HistoryResult) => void;
  #undo: Step[] = [];
  #redo: Step[] = [];
  #applying = false;
  readonly #bus = new EventBus<void>();

  constructor(store: MemoryStore, options: { readonly limit: number; readonly onSkipped: (direction: 'undo' | 'redo', result: HistoryResult) => void }) {
    this.#store = store;
    this.#limit = options.limit;
    this.#onSkipped = options.onSkipped;
    store.subscribe(this.#hear);
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  get undoLabel(): string | null {
    return this.#undo.at(-1)?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.#redo.at(-1)?.label ?? null;
  }

  subscribe = (listener: () => void): (() => void) => this.#bus.subscribe(listener);

  undo = (): HistoryResult => this.#take('undo');

  redo = (): HistoryResult => this.#take('redo');

  clear = (): void => {
    this.#undo = [];
    this.#redo = [];
    this.#bus.emit();
  };

  #hear = (commit: StoreCommit): void => {
    if (commit.origin !== 'local' || this.#applying || this.#limit <= 0) return;
    this.#undo.push({ label: commit.tag, changes: commit.changes });
    if (this.#undo.length > this.#limit) this.#undo.shift();
    this.#redo = [];
    this.#bus.emit();
  };

  #take(direction: 'undo' | 'redo'): HistoryResult {
    const from = direction === 'undo' ? this.#undo : this.#redo;
    const step = from.pop();
    if (step === undefined) return { done: false, label: null, skipped: [] };
    const skipped: HistorySkip[] = [];
    // Local writes not yet delivered belong before this step is taken back.
    this.#store.notifyNow();
    this.#applying = true;
    try {
      this.#store.batch(
        () => {
          // Backwards in the step's order for an undo, forwards for a redo.
          const changes = direction === 'undo' ? [...step.changes].reverse() : step.changes;
          for (const change of changes) {
            const [expected, target] = direction === 'undo' ? [change.after, change.before] : [change.before, change.after];
            this.#restore(change.id, expected, target, skipped);
          }
        },
        { tag: direction === 'undo' ? UNDO_TAG : REDO_TAG },
      );
    } finally {
      this.#applying = false;
    }
    (direction === 'undo' ? this.#redo : this.#undo).push(step);
    const result = { done: true, label: step.label, skipped };
    if (skipped.length > 0) this.#onSkipped(direction, result);
    this.#bus.emit();
    return result;
  }

  /** Moves one entity from `expected` (what the step left) to `target`, field by field where it is still as the step left it. */
  #restore(id: string, expected: Entity | undefined, target: Entity | undefined, skipped: HistorySkip[]): void {
    const store = this.#store;
    const current = store.getById(id) ?? undefined;
    const write = (fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        if (!(error instanceof KalphiteError)) throw error;
        skipped.push({ id, field: null, reason: 'unwritable' });
      }
    };
    // Tombstones are final: a deleted entity does not come back, by undo or by redo.
    if (target !== undefined && current === undefined) {
      skipped.push({ id, field: null, reason: 'deleted' });
      return;
    }
    if (current === undefined) return;
    if (target === undefined) {
      if (jsonEqual(current, expected)) write(() => store.delete(id));
      else skipped.push({ id, field: null, reason: 'changed' });
      return;
    }
    const fields = changedFields(expected, target);
    if (fields === null || expected === undefined || !isFieldMap(current.data) || !isFieldMap(expected.data)) {
      if (jsonEqual(current, expected)) write(() => store.set(id, target));
      else skipped.push({ id, field: null, reason: 'changed' });
      return;
    }
    const now = current.data;
    const then = expected.data;
    const restorable = fields.filter((field) => {
      const unchanged = jsonEqual(now[field], then[field]);
      if (!unchanged) skipped.push({ id, field, reason: 'changed' });
      return unchanged;
    });
    const next = restorable.length > 0 ? withFields(current, target, restorable) : null;
    if (next !== null) write(() => store.set(id, next));
  }
}
