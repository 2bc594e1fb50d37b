/**
 * What the engine needs from its host, injected so the same code runs in browsers, workers,
 * Node and tests (with fake timers) without touching `window` or Node modules.
 */
export type TimerHandle = unknown;

export interface Environment {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  random(): number;
  randomId(): string;
  /** Calls `callback` when the page is being hidden or unloaded; returns an unsubscribe. */
  onPageHide(callback: () => void): () => void;
  /** Whether the platform believes it is online (`navigator.onLine` where it exists). */
  isOnline(): boolean;
  /** Calls `callback` on the platform's online/offline events; returns an unsubscribe. */
  onConnectivityChange(callback: (online: boolean) => void): () => void;
  /**
   * Starts the dedicated worker a browser's `idb://` local db runs in. Absent: Kalphite's own, where
   * `Worker` exists; null: PGlite runs on the calling thread.
   */
  readonly startLocalDbWorker?: (() => Worker) | null;
}

/** Browser or Node defaults. Globals are read at call time so test fake timers apply. */
export function defaultEnvironment(): Environment {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
    randomId,
    onPageHide: browserPageHide,
    isOnline: () => (globalThis.navigator as Navigator | undefined)?.onLine ?? true,
    onConnectivityChange: browserConnectivity,
  };
}

export function resolveEnvironment(overrides: Partial<Environment> | undefined): Environment {
  return { ...defaultEnvironment(), ...overrides };
}

function randomId(): string {
  const crypto = globalThis.crypto;
  // randomUUID exists only in secure contexts; getRandomValues exists everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function browserPageHide(callback: () => void): () => void {
  const doc = globalThis.document as Document | undefined;
  const win = globalThis.window as Window | undefined;
  if (!doc || !win) return () => {};
  const onVisibility = () => {
    if (doc.visibilityState === 'hidden') callback();
  };
  doc.addEventListener('visibilitychange', onVisibility);
  win.addEventListener('pagehide', callback);
  return () => {
    doc.removeEventListener('visibilitychange', onVisibility);
    win.removeEventListener('pagehide', callback);
  };
}

function browserConnectivity(callback: (online: boolean) => void): () => void {
  const win = globalThis.window as Window | undefined;
  if (!win) return () => {};
  const online = () => callback(true);
  const offline = () => callback(false);
  win.addEventListener('online', online);
  win.addEventListener('offline', offline);
  return () => {
    win.removeEventListener('online', online);
    win.removeEventListener('offline', offline);
  };
}
