import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerProblemCode } from '../server/problems.js';

/** What `server-main.ts` runs: a database, and for PostgreSQL the backend's options. */
export interface ServerProcessConfig {
  /** `memory://`, a PGlite folder or a `postgres://` URL. */
  readonly db: string;
  /** Given for PostgreSQL: the backend is built with these (and the process's error hook). */
  readonly postgres?: {
    readonly applicationName?: string;
    readonly maxConnections?: number;
    readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  };
  /** When set, requests need `authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /** JSON-able `startSyncServer` options (port, host, maxBodyBytes, cors, …). */
  readonly options?: Record<string, unknown>;
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every report the server's error hook received, in order. */
  readonly problems: readonly { readonly code: ServerProblemCode; readonly message: string }[];
  /** Resolves at the first report with this code (including one already received). */
  problem(code: ServerProblemCode, timeoutMs?: number): Promise<void>;
  /** Everything the process wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url));

/** Starts `server-main.ts` in a child process; resolves once it listens. */
export async function startServerProcess(config: ServerProcessConfig): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, KALPHITE_TEST_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const problems: { code: ServerProblemCode; message: string }[] = [];
  const waiters = new Set<() => void>();
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((resolve, reject) => {
    resolveUrl = resolve;
    void exited.then(() => reject(new Error(`the server process exited (${child.exitCode ?? child.signalCode}): ${stderr}`)));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let fact: { url?: string; problem?: { code: ServerProblemCode; message: string } };
    try {
      fact = JSON.parse(line) as typeof fact;
    } catch {
      return; // Not one of ours (a library writing to stdout): nothing to record.
    }
    if (fact.url) resolveUrl(fact.url);
    if (fact.problem) {
      problems.push(fact.problem);
      for (const wake of [...waiters]) wake();
    }
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    return {
      url: await url,
      child,
      problems,
      problem: (code, timeoutMs = 10_000) =>
        new Promise<void>((resolve, reject) => {
          const check = () => {
            if (!problems.some((p) => p.code === code)) return;
            cleanup();
            resolve();
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`no ${code} report within ${timeoutMs} ms; reports: ${JSON.stringify(problems)}; stderr: ${stderr}`));
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        }),
      stderr: () => stderr,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
