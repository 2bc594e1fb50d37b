/** Every failure Kalphite reports carries one of these codes and a plain message. */
export type KalphiteErrorCode =
  | 'invalid-entity'
  | 'id-mismatch'
  | 'not-serializable'
  | 'entity-too-large'
  | 'invalid-options'
  | 'closed'
  | 'db-failed'
  | 'migration-failed'
  | 'network'
  | 'server-error'
  | 'protocol'
  | 'not-leader'
  | 'incompatible-tab'
  | 'invalid-space'
  | 'space-not-open'
  | 'space-immutable'
  | 'read-only-space'
  | 'forbidden'
  | 'invalid-query'
  | 'schema-invalid';

export class KalphiteError extends Error {
  override readonly name = 'KalphiteError';
  readonly code: KalphiteErrorCode;

  constructor(code: KalphiteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isKalphiteError(value: unknown): value is KalphiteError {
  return value instanceof KalphiteError;
}

/** Wraps anything thrown by a lower layer so callers always see a code and a message. */
export function toKalphiteError(code: KalphiteErrorCode, cause: unknown): KalphiteError {
  if (cause instanceof KalphiteError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new KalphiteError(code, detail, { cause });
}
