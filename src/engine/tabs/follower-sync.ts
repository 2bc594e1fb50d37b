import { KalphiteError, type KalphiteErrorCode } from '../errors.js';
import type { DivergenceReport, KalphiteSync, SyncStatus, Verification } from '../sync/sync-client.js';

/** What a follower tab asks of the leader's sync client. */
export type SyncCall = 'push' | 'pull' | 'pause' | 'resume' | 'offline' | 'online' | 'verify' | 'divergence' | 'retry' | 'drop-blocked';

/** An error as tabs pass it (structured clone keeps no class or code). */
export interface PlainError {
  readonly code: string;
  readonly message: string;
}

export const toPlainError = (error: KalphiteError): PlainError => ({ code: error.code, message: error.message });
export const fromPlainError = (error: PlainError): KalphiteError => new KalphiteError(error.code as KalphiteErrorCode, error.message);

/** What a sync call answers: verify's or the divergence check's result, drop-blocked's count, or nothing. */
export type SyncCallResult = Verification | DivergenceReport | number | null;

interface Waiting {
  readonly resolve: (result: SyncCallResult) => void;
  readonly reject: (error: KalphiteError) => void;
}

/**
 * `kalphite.sync` in a follower tab: the leader syncs for every tab, so this shows the leader's
 * status (as this tab's client) and forwards calls to it.
 */
export class FollowerSync implements KalphiteSync {
  readonly #send: (call: SyncCall, id: number, space?: string, type?: string) => void;
  readonly #clientId: () => string;
  #status: SyncStatus;
  #acknowledged = new Map<string, number>();
  #seq = 0;
  readonly #waiting = new Map<number, Waiting>();

  constructor(send: (call: SyncCall, id: number, space?: string, type?: string) => void, clientId: () => string, status: SyncStatus) {
    this.#send = send;
    this.#clientId = clientId;
    this.#status = status;
  }

  get status(): SyncStatus {
    const clientId = this.#clientId();
    const spaces = this.#status.spaces.map((s) => ({ ...s, acknowledgedMutationId: this.#acknowledged.get(`${s.space} ${clientId}`) ?? 0 }));
    return { ...this.#status, clientId, spaces };
  }

  /** The leader's latest status and, in one space, the mutation ids the server acknowledged per client. */
  update(status: SyncStatus, acknowledged?: { readonly space: string; readonly byClient: Readonly<Record<string, number>> }): void {
    this.#status = status;
    for (const [client, id] of Object.entries(acknowledged?.byClient ?? {})) {
      const key = `${acknowledged?.space} ${client}`;
      this.#acknowledged.set(key, Math.max(id, this.#acknowledged.get(key) ?? 0));
    }
  }

  push = (): Promise<void> => this.#call('push').then(() => {});
  pull = (): Promise<void> => this.#call('pull').then(() => {});
  pause = (): void => this.#fire('pause');
  resume = (): void => this.#fire('resume');
  setOffline = (offline: boolean): void => this.#fire(offline ? 'offline' : 'online');
  retry = (): void => this.#fire('retry');
  dropBlocked = async (): Promise<number> => {
    const result = await this.#call('drop-blocked');
    return typeof result === 'number' ? result : 0;
  };
  verify = async (space?: string): Promise<Verification> => {
    const result = await this.#call('verify', space);
    if (result === null || typeof result === 'number' || !('matches' in result)) throw new KalphiteError('protocol', 'The leader tab answered verify without a result.');
    return result;
  };
  checkDivergence = async (space?: string, type?: string): Promise<DivergenceReport> => {
    const result = await this.#call('divergence', space, type);
    if (result === null || typeof result === 'number' || !('types' in result)) throw new KalphiteError('protocol', 'The leader tab answered the divergence check without a result.');
    return result;
  };

  /** The leader's answer to call `id`. */
  answer(id: number, result: SyncCallResult, error: PlainError | null): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    if (error) waiting.reject(fromPlainError(error));
    else waiting.resolve(result);
  }

  /** The leader went away before answering: the calls fail (the next leader syncs on its own). */
  abandon(message: string): void {
    for (const id of [...this.#waiting.keys()]) this.answer(id, null, { code: 'not-leader', message });
  }

  #call(call: SyncCall, space?: string, type?: string): Promise<SyncCallResult> {
    return new Promise((resolve, reject) => {
      const id = ++this.#seq;
      this.#waiting.set(id, { resolve, reject });
      this.#send(call, id, space, type);
    });
  }

  // Pause, resume and offline cannot fail at the leader; the new status arrives as an event.
  #fire(call: SyncCall): void {
    this.#send(call, ++this.#seq);
  }
}

/** A follower's sync status until the leader's arrives. */
export function idleSyncStatus(): SyncStatus {
  return {
    online: false,
    paused: false,
    simulatedOffline: false,
    pushing: false,
    pulling: false,
    poke: 'off',
    clientId: '',
    profileId: '',
    unacknowledged: 0,
    spaces: [],
    lastPushAt: null,
    lastPullAt: null,
    nextPullAt: null,
    lastError: null,
    blocked: null,
  };
}
