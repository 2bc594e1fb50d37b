import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The repository root: `--import tsx` resolves tsx from the child's working directory. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;

/** A server process that ended without being told to: the thing the hardening issue says must not happen. */
export interface UnexpectedExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of its stderr: the stack trace of whatever killed it. */
  readonly stderr: string;
  readonly at: number;
}

/**
 * The sync server in a child process, on a database that outlives it (a PGlite folder or a
 * PostgreSQL schema). `kill()` is SIGKILL: no close, no flush, as a crash would leave it;
 * `start()` opens a new process on the same data, on a new port (`url` follows it).
 */
export class ServerProcess {
  readonly #db: string;
  #child: ChildProcess | null = null;
  #starting: Promise<string> | null = null;
  #url: string | null = null;
  #stderr = '';
  readonly unexpectedExits: UnexpectedExit[] = [];
  starts = 0;

  constructor(db: string) {
    this.#db = db;
  }

  /** The current server's origin, or a closed port while it is down (requests then fail as unreachable). */
  get url(): string {
    return this.#url ?? 'http://127.0.0.1:9';
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts a process unless one is running or starting (the crash watch and the killer may both ask). */
  start(): Promise<string> {
    if (this.#starting) return this.#starting;
    if (this.#child && this.#url) return Promise.resolve(this.#url);
    this.#starting = this.#spawn().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #spawn(): Promise<string> {
    this.starts++;
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, this.#db, '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#stderr = '';
    // Keep only the tail: enough for a stack trace, bounded over a long run.
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      if (this.#child !== child) return;
      // Ours to kill only through kill(), which forgets the child first: anything else is a crash.
      this.#child = null;
      this.#url = null;
      this.unexpectedExits.push({ code, signal, stderr: this.#stderr, at: Date.now() });
    });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the server process did not start within ${STARTUP_TIMEOUT_MS} ms: ${output}${this.#stderr}`)), STARTUP_TIMEOUT_MS);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /^ready (\S+)$/m.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server process exited while starting (code ${code}, signal ${signal}): ${this.#stderr}`));
      });
    });
    // It may have died between printing and here; then the exit handler has recorded it.
    if (this.#child === child) this.#url = url;
    return url;
  }

  /** SIGKILL, and wait until the process is gone (so a restart never overlaps it on the same data). */
  async kill(): Promise<void> {
    await this.#starting?.catch(() => {});
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    this.#url = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }

}
