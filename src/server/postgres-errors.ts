import { BackendUnavailableError } from './backend.js';

/**
 * Which `pg` errors mean "the database cannot be reached, or the connection broke" rather than
 * "this statement is wrong": the first is answered 503 and retried, the second is a bug or a bad
 * request. SQLSTATE classes from PostgreSQL's errcodes; the node codes are the socket's.
 */
const SQLSTATE_CONNECTION = /^(08|57P0[123]$|53300$)/; // connection exception, shutdown / crash / starting up, too many connections
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
// pg and pg-pool report a dropped or timed-out connection with these messages and no code.
const MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|connection timeout/i;

export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof BackendUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLSTATE_CONNECTION.test(code) || SOCKET_CODES.has(code))) return true;
  // A DNS failure or refused connection to several addresses arrives as an AggregateError.
  if (error instanceof AggregateError && error.errors.some(isConnectionLoss)) return true;
  return MESSAGES.test(error.message);
}

/** The typed error for a connection loss, naming what was being done (`connecting`: never reached). */
export function unavailable(doing: string, cause: unknown): BackendUnavailableError {
  if (cause instanceof BackendUnavailableError) return cause;
  return new BackendUnavailableError(`PostgreSQL is unavailable (${doing}): ${describe(cause)}`, { cause, reached: doing !== 'connecting' });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') return error.errors.map(describe).join('; ');
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
