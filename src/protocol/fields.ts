import { idProblem } from './entity.js';
import { ProtocolError } from './errors.js';

/** A client or client group id: the server stores and indexes it, so it must fit PostgreSQL's text. */
export function requireId(record: Record<string, unknown>, key: string, prefix = ''): string {
  const value = record[key];
  const problem = idProblem(value, `${prefix}${key}`);
  if (problem) throw invalid(problem);
  return value as string;
}

export function optionalString(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(`${key} must be a string`);
  return value;
}

export function invalid(message: string): ProtocolError {
  return new ProtocolError('invalid-request', `Invalid request: ${message}.`);
}
