import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { postgresAvailable, POSTGRES_URL } from '../test-support/postgres.js';
import { CliConfigError, cliConfig } from './cli-config.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
// An absolute loader path: the CLI runs in a scratch folder, where `--import tsx` would not resolve.
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
const hasPostgres = await postgresAvailable();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kalphite-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `npm run server` as a child process in `cwd`, with only these settings from the environment. */
function cli(env: Record<string, string>, { cwd = scratch(), args = [] as string[] } = {}) {
  const base = { ...process.env };
  for (const name of ['KALPHITE_DB', 'PORT', 'HOST', 'KALPHITE_CORS_ORIGINS', 'KALPHITE_ALLOWED_HOSTS']) delete base[name];
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, env: { ...base, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  return {
    child,
    cwd,
    /** Resolves with the exit code and what was printed. */
    exit: async () => ({ code: await exited, stdout, stderr }),
    /** Resolves with the sync URL it prints once it listens; rejects if it exits first. */
    url: () =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const url = /http:\/\/[^/\s]+\/api\/sync/.exec(stdout)?.[0];
          if (url) resolve(url);
        };
        child.stdout!.on('data', check);
        check();
        void exited.then(() => reject(new Error(`the server exited: ${stderr}`)));
      }),
    stderr: () => stderr,
  };
}

/** Exits 1 with one line on stderr (no stack trace) matching `pattern`. */
async function failsWith(run: ReturnType<typeof cli>, pattern: RegExp) {
  const { code, stderr } = await run.exit();
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('npm run server: settings', () => {
  it('--help prints the flags and settings and exits 0', async () => {
    const { code, stdout } = await cli({}, { args: ['--help'] }).exit();
    expect(code).toBe(0);
    for (const name of ['--port', '--host', '--db', '--help', 'KALPHITE_DB', 'PORT', 'HOST', 'KALPHITE_CORS_ORIGINS', 'KALPHITE_ALLOWED_HOSTS']) expect(stdout).toContain(name);
  });

  it('an unknown argument is an error', async () => {
    await failsWith(cli({}, { args: ['--prot=1'] }), /Unknown argument "--prot=1": the server takes --port, --host, --db and --help/);
  });

  it('prints the sync URL an engine takes; flags win over the environment', async () => {
    // Each variable is one its flag would refuse: the flags must win before the variables are read.
    const run = cli({ KALPHITE_DB: 'postgress://x', PORT: 'abc', HOST: '' }, { args: ['--db', 'memory://', '--port=0', '--host', '127.0.0.1'] });
    const syncUrl = await run.url();
    expect(syncUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/sync$/);
    const k = await createKalphite({ pglite: await freshPGlite(), syncUrl, poke: false, pullIntervalMs: 600_000 });
    cleanups.push(() => k.close());
    k.store.entities.set('x', { id: 'x', type: 'note', data: { text: 'hi' } });
    await k.flush();
    await k.sync!.push();
    await k.sync!.pull();
    expect(k.sync!.status.unacknowledged).toBe(0);
  });

  // The parsing itself, without a process per case.
  const refused: Array<[string[], Record<string, string>, RegExp]> = [
    [['--db', 'postgress://u@127.0.0.1/test'], {}, /^--db starts with postgress:\/\/, which is none of .* Did you mean postgres:\/\/\?$/],
    [['--db=mysql://x'], {}, /^--db starts with mysql:\/\/, which is none of/],
    [['--db', 'postgres://u@localhost:54x2/test'], {}, /^--db is not a valid PostgreSQL URL: the port "54x2" is not a number from 1 to 65535/],
    [[], { KALPHITE_DB: 'postgres://u:p@@/test' }, /^KALPHITE_DB is not a valid PostgreSQL URL: no host after the @/],
    [['--db', 'postgres://u:p#w@localhost/test'], {}, /^--db is not a valid PostgreSQL URL: an @ after a \/, \? or #/],
    [['--db', 'postgres://u:a:b@localhost/test'], {}, /^--db is not a valid PostgreSQL URL: the user and password "u:a:b" have more than one colon/],
    [['--db', ''], {}, /^--db is empty/],
    [['--port', '65536'], {}, /^--port must be a port from 1 to 65535, or 0 for any free one, not "65536"\.$/],
    [['--port=-1'], {}, /^--port must be a port from 1 to 65535/],
    [['--port', 'http'], {}, /^--port must be a port from 1 to 65535/],
    [['--port'], {}, /^--port needs a value, e\.g\. --port 4848\.$/],
    [['--port', '--host', 'x'], {}, /^--port needs a value/],
    [['--host='], {}, /^--host is empty/],
  ];
  it.each(refused)('refuses %j (env %j) with one clear line', (args, env, pattern) => {
    let error: unknown;
    try {
      cliConfig(env, args);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliConfigError);
    expect((error as CliConfigError).code).toBe('cli-config');
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });

  it('takes --name value and --name=value, a later flag over an earlier one', () => {
    expect(cliConfig({}, ['--port', '1', '--port=65535', '--host=0.0.0.0', '--db', 'postgresql://u:p%40ss@[::1]:5432/app'])).toMatchObject({
      port: 65535,
      host: '0.0.0.0',
      db: 'postgresql://u:p%40ss@[::1]:5432/app',
    });
  });

  // Each case in a process of its own, all at once: a process start is most of the cost.
  it('a KALPHITE_DB with a scheme other than postgres:// or memory:// is an error, not a folder', async () => {
    const runs = ['postgress://postgres@127.0.0.1/test', 'mysql://x', 'postgres:/127.0.0.1/test'].map((db) => cli({ KALPHITE_DB: db }));
    for (const run of runs) {
      await failsWith(run, /KALPHITE_DB starts with \w+:\/*, which is none of/);
      expect(readdirSync(run.cwd)).toEqual([]);
    }
  });

  it('an empty KALPHITE_DB, or a postgres URL that does not parse, is an error', async () => {
    const empty = cli({ KALPHITE_DB: '' });
    const bad = cli({ KALPHITE_DB: 'postgres://a:b:c@/x' });
    await failsWith(empty, /KALPHITE_DB is empty/);
    await failsWith(bad, /KALPHITE_DB is not a valid PostgreSQL URL: no host after the @/);
  });

  it('a PORT that is not a port is an error', async () => {
    const runs = ['abc', '', '65536', '-1', '1e3'].map((port) => cli({ PORT: port, KALPHITE_DB: 'memory://' }));
    for (const run of runs) await failsWith(run, /PORT must be a port from 1 to 65535, or 0 for any free one/);
  });

  it('a port in use is one clear line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as { port: number }).port;
    await failsWith(cli({ PORT: String(port), KALPHITE_DB: 'memory://' }), new RegExp(`Port ${port} on 127.0.0.1 is in use`));
  });

  it.skipIf(!hasPostgres)('a database that is missing or unreachable is one clear line', async () => {
    const missing = new URL(POSTGRES_URL);
    missing.pathname = '/kalphite_no_such_database';
    await failsWith(cli({ KALPHITE_DB: missing.toString() }), /could not start: PostgreSQL refused: database "kalphite_no_such_database" does not exist/);
    await failsWith(cli({ KALPHITE_DB: 'postgres://postgres@127.0.0.1:1/test' }), /could not start: PostgreSQL is unavailable \(connecting\): .*ECONNREFUSED/);
  });
});

describe('npm run server: one process per PGlite folder', () => {
  it('a second server on the same folder refuses to start; a dead owner’s lock is taken over', async () => {
    const cwd = scratch();
    const first = cli({ KALPHITE_DB: 'data/server' }, { cwd });
    const url = await first.url();
    await failsWith(cli({ KALPHITE_DB: 'data/server' }, { cwd }), new RegExp(`data/server is in use by process ${first.child.pid}`));
    expect((await fetch(`${url}/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pullVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', cookie: null }) })).status).toBe(200);
    // Killed: the lock stays behind with a pid that no longer runs.
    first.child.kill('SIGKILL');
    await first.exit();
    expect(existsSync(join(cwd, 'data/server.lock'))).toBe(true);
    const third = cli({ KALPHITE_DB: 'data/server' }, { cwd });
    await third.url();
    third.child.kill('SIGTERM');
    const stopped = await third.exit();
    expect(stopped.code).toBe(0);
    // A clean stop removes the lock.
    expect(existsSync(join(cwd, 'data/server.lock'))).toBe(false);
  });

});

describe('npm run server: not a door for other sites', () => {
  const pull = JSON.stringify({ pullVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', cookie: null });

  /** A raw request (fetch cannot set Host) answering the status. */
  async function status(url: string, headers: Record<string, string>): Promise<number> {
    const { request } = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = request(`${url}/pull`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end(pull);
    });
  }

  it('by default: pages on localhost get in, other origins and foreign Host names get 403; beyond loopback it warns', async () => {
    // On every address, so the warning shows too; the Host and Origin rules are the same on loopback.
    const run = cli({ KALPHITE_DB: 'memory://', HOST: '0.0.0.0' });
    const url = (await run.url()).replace('0.0.0.0', '127.0.0.1');
    expect(run.stderr()).toMatch(/open-to-network: Listening on 0\.0\.0\.0:\d+ with no authenticate hook/);
    const port = new URL(url).port;
    expect(await status(url, {})).toBe(200);
    expect(await status(url, { origin: 'http://localhost:5173' })).toBe(200);
    expect(await status(url, { origin: 'http://127.0.0.1:6006' })).toBe(200);
    expect(await status(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await status(url, { origin: 'http://localhost.evil.example' })).toBe(403);
    expect(await status(url, { host: `localhost:${port}` })).toBe(200);
    // DNS rebinding: a page at http://rebind.evil.example:PORT whose name now resolves to 127.0.0.1.
    expect(await status(url, { host: `rebind.evil.example:${port}`, origin: `http://rebind.evil.example:${port}` })).toBe(403);
    expect(await status(url, { host: `localhost:${Number(port) + 1}` })).toBe(403);
  });

  it('KALPHITE_CORS_ORIGINS and KALPHITE_ALLOWED_HOSTS widen it', async () => {
    const [url, any] = await Promise.all([
      cli({ KALPHITE_DB: 'memory://', KALPHITE_CORS_ORIGINS: 'https://app.example', KALPHITE_ALLOWED_HOSTS: 'sync.example' }).url(),
      cli({ KALPHITE_DB: 'memory://', KALPHITE_CORS_ORIGINS: '*', KALPHITE_ALLOWED_HOSTS: '*' }).url(),
    ]);
    const port = new URL(url).port;
    expect(await status(url, { origin: 'https://app.example' })).toBe(200);
    expect(await status(url, { origin: 'https://other.example' })).toBe(403);
    expect(await status(url, { host: `sync.example:${port}` })).toBe(200);
    expect(await status(any, { origin: 'https://other.example', host: 'anything.example' })).toBe(200);
  });

  it('a malformed KALPHITE_CORS_ORIGINS entry is an error', async () => {
    await failsWith(cli({ KALPHITE_DB: 'memory://', KALPHITE_CORS_ORIGINS: 'app.example' }), /KALPHITE_CORS_ORIGINS: "app.example" is not an origin/);
  });
});
