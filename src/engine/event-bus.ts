export type Listener<T> = (value: T) => void;

/**
 * A synchronous listener set. A listener that throws does not stop the others: its error is
 * rethrown asynchronously so it is reported, never swallowed.
 */
export class EventBus<T> {
  readonly #listeners = new Set<Listener<T>>();

  subscribe = (listener: Listener<T>): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
