import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface FrameworkProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything it printed, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a framework's own dev server (`next dev`, `vite dev`) as a child process on a free port of
 * 127.0.0.1 and waits until it prints `ready` (asking for a page would make it compile one). A child
 * process, not an import: these frameworks patch globals (Next.js wraps `fetch`) that the engines in
 * the test must not see.
 */
export async function startFrameworkProcess(
  command: readonly string[],
  { cwd, ready, env = {}, readyMs = 90_000 }: { cwd: string; ready: RegExp; env?: Record<string, string>; readyMs?: number },
): Promise<FrameworkProcess> {
  const port = await freePort();
  const [program, ...args] = command.map((part) => part.replace('{port}', String(port)));
  const child = spawn(program as string, args, {
    cwd,
    // Its own process group, so stop() ends the workers it starts too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'development', ...env },
  });
  let printed = '';
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-(child.pid as number), 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-(child.pid as number), 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), readyMs);
    const check = () => {
      if (!ready.test(printed)) return;
      clearTimeout(timer);
      resolve(true);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then(() => resolve(false));
  });
  if (!started) {
    await stop();
    throw new Error(`${command.join(' ')} did not print ${ready} within ${readyMs} ms (exit code ${child.exitCode}):\n${printed}`);
  }
  return { url, output: () => printed, stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
