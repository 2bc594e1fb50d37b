/** Why a request or response was refused: a code for programs, a plain message for people. */
export type ProtocolErrorCode =
  | 'malformed-json'
  | 'invalid-request'
  | 'invalid-response'
  | 'unsupported-version'
  | 'payload-too-large'
  | 'unauthorized'
  | 'mutation-from-future'
  | 'not-found'
  | 'method-not-allowed'
  | 'unsupported-media-type'
  | 'forbidden'
  | 'unavailable';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  /** Fields the answer carries beside `error` and `message`, for programs (a 413's `maxBodyBytes`). */
  readonly details: Readonly<Record<string, number | string>>;

  constructor(code: ProtocolErrorCode, message: string, details: Readonly<Record<string, number | string>> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
