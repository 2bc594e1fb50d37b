import { describe, expect, it } from 'vitest';
import { parsePullRequest } from './pull.js';

const body = { pullVersion: 1, clientGroupID: 'g', profileID: 'p', cookie: null };

describe('parsePullRequest: schemaVersion', () => {
  it("keeps the app's schemaVersion as the string it is (Replicache sends one, empty by default); none is the empty string", () => {
    expect(parsePullRequest({ ...body, schemaVersion: '2' }).schemaVersion).toBe('2');
    expect(parsePullRequest({ ...body, schemaVersion: '' }).schemaVersion).toBe('');
    expect(parsePullRequest(body).schemaVersion).toBe('');
  });

  it('refuses a schemaVersion that is not a string', () => {
    expect(() => parsePullRequest({ ...body, schemaVersion: 2 })).toThrow(expect.objectContaining({ code: 'invalid-request', message: expect.stringContaining('schemaVersion') }));
  });
});
