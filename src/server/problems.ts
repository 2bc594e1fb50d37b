/**
 * What the server reports instead of writing to the console: a request that failed inside the
 * server, a lost database connection, a hook that threw. Each is also answered (or retried) where it
 * happened; the hook is for logs and alerts.
 */
export type ServerProblemCode =
  /** A request failed for a reason that is the server's, not the caller's (answered 500). */
  | 'request-failed'
  /** The database could not be reached or dropped the connection (answered 503, or retried). */
  | 'database-unavailable'
  /** The LISTEN connection that carries pokes was lost; it reconnects with backoff. */
  | 'poke-channel-lost'
  /** The `authenticate` hook threw (answered 401). */
  | 'authenticate-threw'
  /** The `authenticate` hook returned something that is not a user `{ id }`, null or false (answered 401). */
  | 'authenticate-invalid'
  /** The `authorize` hook threw (answered 403: permissions that cannot be checked are refused). */
  | 'authorize-threw'
  /** The `authorize` hook answered something that is not a boolean (answered 403). */
  | 'authorize-invalid'
  /** A conflict resolver threw: that mutation was refused with the error's message. */
  | 'resolver-threw'
  /** The server listens beyond loopback with no `authenticate` hook: anyone who can reach it can write. */
  | 'open-to-network'
  /** A new PGlite database could not start from the packed one, so PostgreSQL's initdb ran (seconds slower, nothing lost). */
  | 'prebuilt-skipped';

export interface ServerProblem {
  readonly code: ServerProblemCode;
  readonly message: string;
  readonly cause?: unknown;
}

export type ServerErrorHook = (problem: ServerProblem) => void;

/** The default hook: one line on stderr. */
export const logServerProblem: ServerErrorHook = (problem) => {
  console.error(`[kalphite] ${problem.code}: ${problem.message}`);
};
