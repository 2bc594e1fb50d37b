/**
 * Runs an async task so that at most one is in flight. A request while one runs queues exactly
 * one follow-up (which will see everything the caller wanted), shared by every later request.
 */
export class SingleFlight {
  readonly #task: () => Promise<void>;
  readonly #onIdle: () => void;
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;

  /** `onIdle` runs each time the last task in flight ends (none queued), when `busy` is false again. */
  constructor(task: () => Promise<void>, onIdle: () => void = () => {}) {
    this.#task = task;
    this.#onIdle = onIdle;
  }

  get busy(): boolean {
    return this.#running !== null;
  }

  run(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#running) {
      const after = this.#running.catch(() => {
        // The running task's failure belongs to its own callers; the follow-up runs regardless.
      });
      this.#queued = after.then(() => {
        this.#queued = null;
        return this.run();
      });
      return this.#queued;
    }
    this.#running = this.#task().finally(() => {
      this.#running = null;
      if (this.#queued === null) this.#onIdle();
    });
    return this.#running;
  }

  /** Resolves once nothing is in flight or queued. */
  async settled(): Promise<void> {
    while (this.#running || this.#queued) await (this.#queued ?? this.#running)?.catch(() => {});
  }
}
