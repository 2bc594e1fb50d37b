import { withFields } from '../protocol/patch.js';
import type { KalphiteEvent, OverwrittenWrite } from './events.js';
import { KalphiteError } from './errors.js';
import type { MemoryStore } from './store/store.js';

/** The tag of a write that re-applies an overwritten value (`reapply`). */
export const REAPPLY_TAG = 'reapply';

/** What `reapply` did: `done`, or why not (a tombstone is final; the space takes no writes now). */
export type ReapplyResult = { readonly done: true } | { readonly done: false; readonly reason: 'deleted' | 'unwritable'; readonly message: string };

/**
 * The ledger of local writes the server's value replaced (`sync:overwritten`), newest last and
 * bounded, with the one way back: re-apply mine, as a new write of my fields on top of what is there now.
 */
export class OverwrittenLedger {
  readonly #limit: number;
  #writes: OverwrittenWrite[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get writes(): readonly OverwrittenWrite[] {
    return this.#writes;
  }

  hear = (event: KalphiteEvent): void => {
    if (event.type !== 'sync:overwritten') return;
    this.#writes = [...this.#writes, event.write].slice(-this.#limit);
  };

  /** Writes my value again (tagged `reapply`) and drops the entry; a delete the server refused is sent again. */
  reapply(store: MemoryStore, write: OverwrittenWrite): ReapplyResult {
    const current = store.getById(write.id) ?? undefined;
    try {
      if (write.mine === null) {
        if (current !== undefined) store.batch(() => store.delete(write.id), { tag: REAPPLY_TAG });
      } else {
        if (current === undefined) return { done: false, reason: 'deleted', message: `${write.id} was deleted on the server; a deleted entity does not come back.` };
        const next = write.fields === null ? write.mine : (withFields(current, write.mine, write.fields) ?? write.mine);
        store.batch(() => store.set(write.id, next), { tag: REAPPLY_TAG });
      }
    } catch (error) {
      if (!(error instanceof KalphiteError)) throw error;
      return { done: false, reason: 'unwritable', message: error.message };
    }
    this.#writes = this.#writes.filter((entry) => entry !== write);
    return { done: true };
  }
}
