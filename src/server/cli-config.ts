import { loopbackHosts } from './http.js';

/**
 * What `npm run server` is told by its environment, checked before anything opens: a typo must be
 * one clear line, never a PGlite folder named after it or a stack trace.
 */
export interface CliConfig {
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly cors: { readonly origin: '*' | ((origin: string) => boolean) };
  readonly allowedHosts: readonly string[] | '*';
}

/** A setting the CLI cannot run with; the message says which and what it takes. */
export class CliConfigError extends Error {
  override readonly name = 'CliConfigError';
  readonly code = 'cli-config';
}

export const DEFAULT_DB = '.kalphite-data/server';

export const USAGE = `Usage: npm run server [-- --help]

A Kalphite sync server: push, pull and poke under http://HOST:PORT/api/sync.

Settings (environment variables):
  KALPHITE_DB             Where the data lives (default ${DEFAULT_DB}):
                            a folder            PGlite on disk (one server process per folder)
                            memory://           PGlite in memory, gone when the server stops
                            postgres://…        PostgreSQL (also postgresql://); several servers may share it
  PORT                    Port to listen on, 0 for any free one (default 4848).
  HOST                    Address to listen on (default 127.0.0.1). Beyond loopback anyone who can
                          reach it can read and write: the server has no authentication of its own.
  KALPHITE_CORS_ORIGINS   Browser origins allowed besides this machine's (http(s)://localhost,
                          127.0.0.1 and [::1] on any port, which are always allowed): a comma-separated
                          list such as https://app.example,http://10.0.0.5:3000, or * for any site.
                          Requests from other origins answer 403.
  KALPHITE_ALLOWED_HOSTS  Host names this server answers to besides localhost, 127.0.0.1, [::1] and
                          HOST (a guard against DNS rebinding): a comma-separated list such as
                          sync.example,10.0.0.5, or * for any. Others answer 403.
`;

/** Reads the settings; `'help'` when asked for usage. Throws a `CliConfigError`. */
export function cliConfig(env: Readonly<Record<string, string | undefined>>, args: readonly string[]): CliConfig | 'help' {
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return 'help';
    throw new CliConfigError(`Unknown argument ${JSON.stringify(arg)}: the server takes its settings from the environment (see --help).`);
  }
  const host = env.HOST ?? '127.0.0.1';
  if (host.trim() === '') throw new CliConfigError('HOST is empty: unset it for 127.0.0.1, or give an address to listen on.');
  return {
    db: database(env.KALPHITE_DB),
    port: port(env.PORT),
    host,
    cors: { origin: origins(env.KALPHITE_CORS_ORIGINS) },
    allowedHosts: hosts(env.KALPHITE_ALLOWED_HOSTS, host),
  };
}

function database(value: string | undefined): string {
  if (value === undefined) return DEFAULT_DB;
  if (value.trim() === '') throw new CliConfigError(`KALPHITE_DB is empty: unset it for the folder ${DEFAULT_DB}, or set a folder, memory:// or a postgres:// URL.`);
  // Any `word:` is a scheme (a one-letter one is a Windows drive): a typo of one must not become a folder.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return value;
  const known = scheme === 'postgres' || scheme === 'postgresql' || scheme === 'memory';
  if (!known || !value.toLowerCase().startsWith(`${scheme}://`)) {
    throw new CliConfigError(`KALPHITE_DB starts with ${/^[^:]+:\/*/.exec(value)?.[0] ?? scheme}, which is none of postgres://, postgresql:// or memory:// (a folder has no scheme).`);
  }
  if (scheme === 'memory') return value;
  try {
    new URL(value);
  } catch {
    throw new CliConfigError(`KALPHITE_DB is not a valid URL: ${value}`);
  }
  return value;
}

function port(value: string | undefined): number {
  if (value === undefined) return 4848;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliConfigError(`PORT must be a number from 0 to 65535, not ${JSON.stringify(value)}.`);
  return port;
}

/** Pages on this machine (any port, http or https) plus the listed origins, or any with `*`. */
function origins(value: string | undefined): '*' | ((origin: string) => boolean) {
  const listed = list(value);
  if (listed.includes('*')) return '*';
  for (const origin of listed) {
    let parsed: string | null = null;
    try {
      parsed = new URL(origin).origin;
    } catch {
      // Reported below with the others that are not origins.
    }
    if (parsed !== origin) throw new CliConfigError(`KALPHITE_CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path), e.g. https://app.example.`);
  }
  const allowed = new Set(listed);
  return (origin) => allowed.has(origin) || isLoopbackOrigin(origin);
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && loopbackHosts.includes(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

function hosts(value: string | undefined, host: string): readonly string[] | '*' {
  const listed = list(value);
  if (listed.includes('*')) return '*';
  return [...new Set([...loopbackHosts, host, ...listed])];
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
