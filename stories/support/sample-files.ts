/** Files before and after a change, for the code-review stories: long enough to fold, and one per highlighted language. */

const FLUSHER_LINES = [
  "import type { Environment } from './environment.js';",
  "import type { StoreCommit } from './store/store.js';",
  '',
  '/** Layer 2: writes memory to the local database in batches. */',
  'export interface FlusherOptions {',
  '  readonly delayMs: number;',
  '  readonly maxWaitMs: number;',
  '  readonly env: Environment;',
  '}',
  '',
  'export class Flusher {',
  '  #pending = new Set<string>();',
  '  #timer: unknown = null;',
  '  #firstAt: number | null = null;',
  '',
  '  constructor(private readonly options: FlusherOptions) {}',
  '',
  '  /** Marks the changed ids; the flush reads their current values later. */',
  '  onCommit(commit: StoreCommit): void {',
  '    for (const change of commit.changes) this.#pending.add(change.id);',
  '    this.#schedule();',
  '  }',
  '',
  '  get pending(): number {',
  '    return this.#pending.size;',
  '  }',
  '',
  '  #schedule(): void {',
  '    const { env, delayMs, maxWaitMs } = this.options;',
  '    const now = env.now();',
  '    this.#firstAt ??= now;',
  '    const due = Math.min(now + delayMs, this.#firstAt + maxWaitMs);',
  '    env.clearTimeout(this.#timer);',
  '    this.#timer = env.setTimeout(() => void this.flush(), due - now);',
  '  }',
  '',
  '  async flush(): Promise<void> {',
  '    const ids = [...this.#pending];',
  '    this.#pending.clear();',
  '    this.#firstAt = null;',
  '    await this.write(ids);',
  '  }',
  '',
  '  protected async write(ids: string[]): Promise<void> {',
  '    void ids;',
  '  }',
  '}',
];

export const FLUSHER_PATH = '/src/engine/persist/flusher.ts';
export const FLUSHER_OLD = FLUSHER_LINES.join('\n');
export const FLUSHER_NEW = FLUSHER_LINES.map((line) =>
  line === '  readonly maxWaitMs: number;'
    ? '  /** Steady writes still reach the local db within this. */\n  readonly maxWaitMs: number;'
    : line === '    await this.write(ids);'
      ? '    try {\n      await this.write(ids);\n    } catch (error) {\n      for (const id of ids) this.#pending.add(id);\n      throw error;\n    }'
      : line,
).join('\n');

export interface SampleFile {
  readonly path: string;
  readonly oldCode: string;
  readonly code: string;
}

/** One small change per language the review colours. */
export const LANGUAGE_FILES: readonly SampleFile[] = [
  {
    path: '/demo/main.js',
    oldCode: "import { App } from './app.js';\n\nconst root = document.getElementById('root');\nrender(App, root);",
    code: "import { App } from './app.js';\n\n// Mount once the local database is open.\nconst root = document.querySelector('#root');\nawait render(App, root, { strict: true });",
  },
  {
    path: '/package.json',
    oldCode: '{\n  "name": "kalphite",\n  "version": "0.1.0",\n  "type": "module"\n}',
    code: '{\n  "name": "kalphite",\n  "version": "0.2.0",\n  "type": "module",\n  "sideEffects": false\n}',
  },
  {
    path: '/src/components/theme.css',
    oldCode: '.kalphite {\n  color: #1f2328;\n  background: white;\n}',
    code: '/* Every colour is a variable an app can override. */\n.kalphite {\n  color: var(--kalphite-fg);\n  background: var(--kalphite-bg);\n}',
  },
  {
    path: '/README.md',
    oldCode: '# Kalphite\n\nA sync engine.',
    code: '# Kalphite\n\nA **memory-first** sync engine for React.\n\n- synchronous reads\n- `createKalphite()` in one line',
  },
];
