import { ProtocolError } from '../../protocol/errors.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { Environment, TimerHandle } from '../environment.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { SingleFlight } from '../single-flight.js';
import { httpStatus, isPermanent } from './transport.js';

/** A failure of a request kind that has not succeeded since. */
export interface SyncErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** Why a loop stopped on its own: a refusal retrying cannot fix. `count`: what the refused request carried. */
export interface LoopStop extends SyncErrorInfo {
  readonly status: number;
  readonly count: number;
}

/** One request as the loop numbers and times it. */
export interface BegunRequest {
  readonly requestId: number;
  readonly startedAt: number;
}

/** A request with what it carries, as the loop keeps it for a stop. */
interface Begun extends BegunRequest {
  readonly count: number;
}

/** What a delegate gets for one turn. */
export interface LoopTurn {
  /**
   * Numbers and times the request: call it just before sending (a turn with nothing to send never
   * does). `count`: the items it carries (a push's mutations), kept if a refusal stops the loop.
   */
  begin(count?: number): BegunRequest;
  /**
   * The request worked: failures, the error and a stop are over. Call it before announcing the
   * success, so whoever hears the event reads a status without the old error. (The loop calls it
   * too when the turn resolves: a turn with nothing to send also ends them.)
   */
  succeeded(): void;
}

/**
 * One turn of a loop: sends a request. Resolves with the delay before the loop's next turn of its
 * own (a pull's interval), or null for none; rejects with the failure (the loop reports it).
 */
export type LoopDelegate = (turn: LoopTurn) => Promise<number | null>;

/**
 * Thrown by a delegate for a failure to retry at once without counting it (a push too large for
 * the server, already split in two): reported with `retryInMs` 0; the caller receives `error`.
 */
export class RetryAtOnce extends Error {
  readonly error: KalphiteError;

  constructor(error: KalphiteError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

export interface RequestLoopOptions {
  readonly kind: 'push' | 'pull';
  readonly send: LoopDelegate;
  /** Paused or closed: no turn runs and no timer is set. */
  readonly halted: () => boolean;
  /** Numbers requests of every loop in one sequence, so events order them. */
  readonly nextRequestId: () => number;
  /** Runs each time the last turn in flight ends. */
  readonly onIdle: () => void;
  readonly retry: BackoffOptions;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/**
 * Sends one kind of request (push or pull) again and again, as Replicache's connection loop does
 * with its delegates; what a request is, is the delegate's business.
 *
 * Guarantees: never two turns in flight (a request while one runs queues one follow-up); at most
 * one timer; nothing runs and no timer is set while `halted()`. After a failure the next turn is
 * due after a backoff with jitter that grows with the failures in a row, unless the failure has a
 * permanent status (a 4xx retrying cannot fix): then the loop is stopped — no timer, no `kick()` —
 * until `resume()`, `retry()` or a turn that succeeds (`run()` always sends). Every failure is a
 * `sync:request-failed` event and the loop's `error`, until a turn succeeds.
 *
 * States: idle → (a timer) scheduled → (it fires, or `run()`) running → idle | scheduled (the next
 * turn or a backoff) | stopped (a permanent failure); stopped → idle on `resume()` or `retry()`.
 */
export class RequestLoop {
  readonly #o: RequestLoopOptions;
  readonly #flight: SingleFlight;
  #timer: TimerHandle | null = null;
  #dueAt: number | null = null;
  #failures = 0;
  #error: SyncErrorInfo | null = null;
  #stop: LoopStop | null = null;

  constructor(options: RequestLoopOptions) {
    this.#o = options;
    this.#flight = new SingleFlight(() => this.#turn(), options.onIdle);
  }

  get busy(): boolean {
    return this.#flight.busy;
  }

  /** A turn is due on the timer. */
  get scheduled(): boolean {
    return this.#timer !== null;
  }

  /** When the timer fires; null without one. */
  get dueAt(): number | null {
    return this.#dueAt;
  }

  get failures(): number {
    return this.#failures;
  }

  /** The newest failure since the last success; null once a turn succeeds. */
  get error(): SyncErrorInfo | null {
    return this.#error;
  }

  get stopped(): LoopStop | null {
    return this.#stop;
  }

  /** Runs a turn now (or after the one in flight), stopped or not; rejects with its failure. */
  run(): Promise<void> {
    return this.#flight.run();
  }

  /** Forgets backoff, and runs a turn in the background if `send` and no permanent failure stopped the loop. */
  kick(send = true): void {
    this.#failures = 0;
    if (send && this.#stop === null) background(this.run());
  }

  /** Ends a stop and runs a turn in the background at once, forgetting backoff. */
  retry(): void {
    this.#stop = null;
    this.kick();
  }

  /** Ends a stop (a new write may fix what was refused); the caller decides when to run. */
  resume(): void {
    this.#stop = null;
  }

  /** Forgets the error and a stop (the local db was reset: a new client has no history). */
  forget(): void {
    this.#error = null;
    this.#stop = null;
  }

  /** The next turn in `delayMs`, replacing any timer; none while halted. */
  schedule(delayMs: number): void {
    if (this.#o.halted()) return;
    this.cancel();
    const { env } = this.#o;
    this.#dueAt = env.now() + delayMs;
    this.#timer = env.setTimeout(() => {
      this.#timer = null;
      this.#dueAt = null;
      background(this.run());
    }, delayMs);
  }

  cancel(): void {
    if (this.#timer !== null) this.#o.env.clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = null;
  }

  /** Resolves once no turn is in flight or queued. */
  settled(): Promise<void> {
    return this.#flight.settled();
  }

  async #turn(): Promise<void> {
    if (this.#o.halted()) return;
    this.cancel();
    const { env } = this.#o;
    let begun: Begun | null = null;
    const begin = (count = 0): Begun => (begun = { requestId: this.#o.nextRequestId(), startedAt: env.now(), count });
    const succeeded = () => {
      this.#failures = 0;
      this.#error = null;
      this.#stop = null;
    };
    let next: number | null;
    try {
      next = await this.#o.send({ begin, succeeded });
    } catch (cause) {
      const atOnce = cause instanceof RetryAtOnce;
      const error = atOnce ? cause.error : syncError(cause);
      // A failure before anything was sent (the local db) is still a failed request, with its own id.
      // (`as`: TypeScript cannot see that `begin` may have run inside `send`.)
      const request = (begun as Begun | null) ?? begin();
      this.#fail(request, error, atOnce);
      throw error;
    }
    succeeded();
    if (next !== null) this.schedule(next);
  }

  #fail(request: Begun, error: KalphiteError, atOnce: boolean): void {
    const { env } = this.#o;
    const status = httpStatus(error);
    let attempt: number;
    let retryInMs: number | null;
    if (atOnce) {
      attempt = this.#failures + 1;
      retryInMs = 0;
    } else if (isPermanent(status)) {
      // Retrying cannot fix it: wait for resume() (a new write), retry() or a run() by hand.
      this.#failures = 0;
      this.#stop = { code: error.code, message: error.message, at: env.now(), status, count: request.count };
      attempt = 1;
      retryInMs = null;
    } else {
      attempt = ++this.#failures;
      retryInMs = backoffDelay(attempt, this.#o.retry, env.random);
    }
    if (retryInMs !== null) this.schedule(retryInMs);
    this.#error = { code: error.code, message: error.message, at: env.now() };
    this.#o.emit({
      type: 'sync:request-failed',
      kind: this.#o.kind,
      requestId: request.requestId,
      durationMs: env.now() - request.startedAt,
      status,
      error,
      attempt,
      retryInMs,
      permanent: retryInMs === null,
    });
  }
}

/** Runs a request nobody awaits. */
export function background(request: Promise<void>): void {
  request.catch(() => {
    // Not dropped: the loop reported it as a sync:request-failed event and retries it (or stopped
    // on a permanent refusal, which the status shows); the caller who asked did not wait for it.
  });
}

/** One typed error per failed request: the event reports the same object the caller receives. */
function syncError(cause: unknown): KalphiteError {
  return toKalphiteError('protocol', cause instanceof ProtocolError ? new KalphiteError('protocol', cause.message) : cause);
}
