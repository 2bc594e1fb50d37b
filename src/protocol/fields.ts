import { ProtocolError } from './errors.js';

/** Field checks shared by the request parsers. */
export function requireString(record: Record<string, unknown>, key: string, prefix = ''): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') throw invalid(`${prefix}${key} must be a non-empty string`);
  return value;
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
