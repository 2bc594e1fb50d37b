import type { Environment } from '../environment.js';
import type { EmitEvent } from '../events.js';
import type { Mirror, Outbox } from './ports.js';
import { pullPages } from './pull-pages.js';
import type { LoopTurn } from './request-loop.js';

export interface PullDelegateOptions {
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly post: (body: string) => Promise<string>;
  readonly pageSize: number;
  /** Acknowledged outbox rows kept after a pull compacts (the change log shows them). */
  readonly acknowledgedRowsKept: number;
  /** The next pull after one that worked. */
  readonly intervalMs: number;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/**
 * What one pull is, for the pull loop: every page from the client's cookie, then one local-db
 * transaction that acknowledges the outbox and applies the server's values under the rows still
 * unacknowledged (rebase), then memory adopts what landed. Resolves with the interval.
 */
export class PullDelegate {
  readonly #o: PullDelegateOptions;
  #acknowledged = 0;
  #lastPullAt: number | null = null;

  constructor(options: PullDelegateOptions) {
    this.#o = options;
  }

  /** The newest of this client's mutation ids the server has acknowledged. */
  get acknowledged(): number {
    return this.#acknowledged;
  }

  get lastPullAt(): number | null {
    return this.#lastPullAt;
  }

  /** After the local db was reset: nothing has been acknowledged for the new client yet. */
  forgetAcknowledged(): void {
    this.#acknowledged = 0;
  }

  send = async (turn: LoopTurn): Promise<number> => {
    const { outbox, mirror, env, emit } = this.#o;
    const { requestId, startedAt } = turn.begin();
    const cookieBefore = outbox.cookie;
    emit({ type: 'sync:pull-started', requestId, cookie: cookieBefore });
    const pulled = await pullPages({ clientGroupID: outbox.clientGroupId, profileID: outbox.clientGroupId, cookie: cookieBefore, limit: this.#o.pageSize, post: this.#o.post });
    const { acknowledgedUpTo, cookie } = pulled;
    const result = await outbox.applyPull({ acknowledgeUpTo: acknowledgedUpTo, writes: pulled.writes, keep: pulled.keep, cookie, pendingInMemory: (id) => mirror.isPending(id) });
    // A local write may have landed while the transaction ran: the adopt rule keeps it (it will be pushed).
    const applied = mirror.adopt(result.applied);
    // Every client of the group is acknowledged (tabs sharing this database); this one's id is ours.
    const own = acknowledgedUpTo?.[outbox.clientId];
    if (own !== undefined) this.#acknowledged = Math.max(this.#acknowledged, own);
    if (acknowledgedUpTo !== null) await outbox.compact(this.#o.acknowledgedRowsKept);
    turn.succeeded();
    this.#lastPullAt = env.now();
    for (const refusal of pulled.refused) emit({ type: 'sync:refused', clientId: refusal.clientID, mutationId: refusal.id, reason: refusal.reason });
    emit({
      type: 'sync:pull-succeeded',
      requestId,
      durationMs: env.now() - startedAt,
      bytes: pulled.bytes,
      cookieBefore,
      cookie,
      patchSize: pulled.patchSize,
      applied,
      skipped: result.skipped.size,
      acknowledgedUpTo: own ?? null,
      more: false,
    });
    return this.#o.intervalMs;
  };
}
