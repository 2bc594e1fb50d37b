import { loopbackHosts } from './http.js';

/**
 * What `npm run server` is told by its flags and environment, checked before anything opens: a typo
 * must be one clear line, never a PGlite folder named after it or a stack trace.
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

export const USAGE = `Usage: npm run server -- [--port N] [--host ADDRESS] [--db WHERE] [--help]

A Kalphite sync server. It prints its sync URL (http://HOST:PORT/api/sync): give that to an engine
as syncUrl. A flag wins over its environment variable.

Flags (each also as --name=value):
  --db WHERE              Where the data lives (env KALPHITE_DB; default ${DEFAULT_DB}):
                            a folder            PGlite on disk (one server process per folder)
                            memory://           PGlite in memory, gone when the server stops
                            postgres://…        PostgreSQL (also postgresql://); several servers may share it
  --port N                Port to listen on, 1 to 65535, or 0 for any free one (env PORT; default 4848).
  --host ADDRESS          Address to listen on (env HOST; default 127.0.0.1). Beyond loopback anyone who
                          can reach it can read and write: the server has no authentication of its own.
  --help, -h              This text.

Environment variables only:
  KALPHITE_CORS_ORIGINS   Browser origins allowed besides this machine's (http(s)://localhost,
                          127.0.0.1 and [::1] on any port, which are always allowed): a comma-separated
                          list such as https://app.example,http://10.0.0.5:3000, or * for any site.
                          Requests from other origins answer 403.
  KALPHITE_ALLOWED_HOSTS  Host names this server answers to besides localhost, 127.0.0.1, [::1] and
                          the host it listens on (a guard against DNS rebinding): a comma-separated list
                          such as sync.example,10.0.0.5, or * for any. Others answer 403.
`;

/** A value and where it came from, so an error names what the user typed: `--port` or `PORT`. */
interface Setting {
  readonly value: string;
  readonly from: string;
}

const FLAGS = { '--db': 'KALPHITE_DB', '--port': 'PORT', '--host': 'HOST' } as const;
type Flag = keyof typeof FLAGS;

/** Reads the settings; `'help'` when asked for usage. Throws a `CliConfigError`. */
export function cliConfig(env: Readonly<Record<string, string | undefined>>, args: readonly string[]): CliConfig | 'help' {
  const flags = parseFlags(args);
  if (flags === 'help') return 'help';
  const setting = (flag: Flag): Setting | undefined => {
    const given = flags.get(flag);
    if (given !== undefined) return { value: given, from: flag };
    const name = FLAGS[flag];
    const value = env[name];
    return value === undefined ? undefined : { value, from: name };
  };
  const host = setting('--host');
  if (host && host.value.trim() === '') throw new CliConfigError(`${host.from} is empty: leave it out for 127.0.0.1, or give an address to listen on.`);
  const address = host?.value ?? '127.0.0.1';
  return {
    db: database(setting('--db')),
    port: port(setting('--port')),
    host: address,
    cors: { origin: origins(env.KALPHITE_CORS_ORIGINS) },
    allowedHosts: hosts(env.KALPHITE_ALLOWED_HOSTS, address),
  };
}

/** `--name value` or `--name=value`; a later flag wins over an earlier one. */
function parseFlags(args: readonly string[]): Map<Flag, string> | 'help' {
  const flags = new Map<Flag, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (!isFlag(name)) throw new CliConfigError(`Unknown argument ${JSON.stringify(arg)}: the server takes --port, --host, --db and --help.`);
    if (equals !== -1) {
      flags.set(name, arg.slice(equals + 1));
      continue;
    }
    const value = args[i + 1];
    // `--port --host x` is a forgotten value, not a port named "--host".
    if (value === undefined || /^--?[a-z]/i.test(value)) throw new CliConfigError(`${name} needs a value, e.g. ${name} ${EXAMPLES[name]}.`);
    flags.set(name, value);
    i++;
  }
  return flags;
}

const EXAMPLES: Record<Flag, string> = { '--db': 'memory://', '--port': '4848', '--host': '127.0.0.1' };

function isFlag(name: string): name is Flag {
  return Object.hasOwn(FLAGS, name);
}

function database(setting: Setting | undefined): string {
  if (setting === undefined) return DEFAULT_DB;
  const { value, from } = setting;
  if (value.trim() === '') throw new CliConfigError(`${from} is empty: leave it out for the folder ${DEFAULT_DB}, or give a folder, memory:// or a postgres:// URL.`);
  // Any `word:` is a scheme (a one-letter one is a Windows drive): a typo of one must not become a folder.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return value;
  const known = scheme === 'postgres' || scheme === 'postgresql' || scheme === 'memory';
  if (!known || !value.toLowerCase().startsWith(`${scheme}://`)) {
    const typed = /^[^:]+:\/*/.exec(value)?.[0] ?? scheme;
    const hint = /^postg/i.test(scheme) ? ' Did you mean postgres://?' : '';
    throw new CliConfigError(`${from} starts with ${typed}, which is none of postgres://, postgresql:// or memory:// (a folder has no scheme).${hint}`);
  }
  if (scheme === 'memory') return value;
  const wrong = postgresUrlProblem(value);
  if (wrong) throw new CliConfigError(`${from} is not a valid PostgreSQL URL: ${wrong} (postgres://user:password@host:port/database).`);
  return value;
}

/**
 * Which part of a `postgres://` URL is wrong, or null if it parses. Found by hand first, because
 * `new URL` only says "Invalid URL", which leaves the user to guess.
 */
function postgresUrlProblem(value: string): string | null {
  const rest = value.slice(value.indexOf('://') + 3);
  const authority = /^[^/?#]*/.exec(rest)![0];
  const at = authority.lastIndexOf('@');
  const credentials = at === -1 ? null : authority.slice(0, at);
  const hostPort = authority.slice(at + 1);
  if (at === -1 && /[/?#].*@/.test(rest)) return `an @ after a /, ? or # (in a password write those as %2F, %3F and %23)`;
  // A bare IPv6 address has colons of its own: only what follows its closing bracket is a port.
  const portText = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[2];
  if (credentials !== null && hostPort === '') return `no host after the @ (the user and password end at the last @; write an @ in a password as %40)`;
  if (portText !== undefined) {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) return `the port ${JSON.stringify(portText)} is not a number from 1 to 65535`;
  }
  if (credentials !== null && credentials.indexOf(':') !== credentials.lastIndexOf(':')) {
    return `the user and password ${JSON.stringify(credentials)} have more than one colon (write a colon in a password as %3A)`;
  }
  try {
    new URL(value);
  } catch {
    return `it does not parse (is a character such as # or a space in it unescaped?)`;
  }
  return null;
}

function port(setting: Setting | undefined): number {
  if (setting === undefined) return 4848;
  const { value, from } = setting;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliConfigError(`${from} must be a port from 1 to 65535, or 0 for any free one, not ${JSON.stringify(value)}.`);
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
