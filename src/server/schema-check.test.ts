import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Entity } from '../protocol/entity.js';
import type { Mutation, PushRequest } from '../protocol/push.js';
import type { StandardSchemaV1 } from '../protocol/standard-schema.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createSyncCore } from './core.js';
import { createPGliteBackend } from './pglite-backend.js';

const push = (mutations: Mutation[]): PushRequest => ({ pushVersion: 1, clientGroupID: 'group-a', profileID: 'p', schemaVersion: '1', mutations });
const upsert = (id: number, entity: Entity): Mutation => ({ clientID: 'c1', id, name: 'upsert', args: entity as never, timestamp: 0 });
const patch = (id: number, key: string, set: Record<string, unknown>): Mutation => ({ clientID: 'c1', id, name: 'patch', args: { id: key, type: 'comment', set, unset: [] } as never, timestamp: 0 });

describe.each([
  ['zod 4', { comment: z.object({ filePath: z.string(), line: z.number().int(), body: z.string().default('') }) }],
  ['valibot 1', { comment: v.object({ filePath: v.string(), line: v.pipe(v.number(), v.integer()), body: v.optional(v.string(), '') }) }],
])('startSyncServer({ schema }) with %s', (_name, schema) => {
  it('refuses upserts and patches that do not fit, with the issues as the reason, and stores the output of those that do', async () => {
    const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), schema });
    try {
      const outcome = await core.push(
        push([
          upsert(1, { id: 'a', type: 'comment', data: { filePath: '/a.ts', line: 1 } }),
          upsert(2, { id: 'b', type: 'comment', data: { filePath: 3, line: 1.5 } }),
          patch(3, 'a', { line: 'two' }),
          patch(4, 'a', { line: 2 }),
          upsert(5, { id: 'n', type: 'note', data: ['anything'] }),
        ]),
      );
      expect(outcome.applied).toBe(3);
      expect(outcome.refused.map((r) => r.id)).toEqual([2, 3]);
      expect(outcome.refused[0]!.reason).toMatch(/^Entity "b" of type "comment" does not fit the schema: .*filePath: .*line: /);
      expect(outcome.refused[1]!.reason).toContain('line: ');
      const pulled = await core.pull({ pullVersion: 1, clientGroupID: 'group-a', profileID: 'p', schemaVersion: '1', cookie: null });
      const values = Object.fromEntries(pulled.patch.flatMap((op) => (op.op === 'put' ? [[op.key, (op.value as unknown as Entity).data]] : [])));
      expect(values).toEqual({ a: { filePath: '/a.ts', line: 2, body: '' }, n: ['anything'] });
      expect(pulled.refused?.map((r) => r.id)).toEqual([2, 3]);
    } finally {
      await core.close();
    }
  });
});

it('a server schema that is not one, or validates asynchronously, stops the server from starting', async () => {
  const slow: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) } };
  await expect(createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), schema: { comment: slow } })).rejects.toThrow(/asynchronously/);
  await expect(createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), schema: { comment: {} as StandardSchemaV1 } })).rejects.toThrow(/Standard Schema/);
});

it('strict: true also refuses types the schema does not name (and needs a schema)', async () => {
  const schema = { comment: z.object({ filePath: z.string(), line: z.number() }) };
  const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), schema, strict: true });
  try {
    const outcome = await core.push(push([upsert(1, { id: 'a', type: 'comment', data: { filePath: '/a.ts', line: 1 } }), upsert(2, { id: 'n', type: 'note', data: {} })]));
    expect(outcome.applied).toBe(1);
    expect(outcome.refused).toEqual([{ clientID: 'c1', id: 2, reason: expect.stringMatching(/type "note", which the schema does not name/) }]);
  } finally {
    await core.close();
  }
  await expect(createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), strict: true })).rejects.toThrow(/strict needs a schema/);
});

describe('schemaVersions: the app versions a server serves', () => {
  it('a pull or push of another schemaVersion is refused as unsupported-version (versionType schema) before anything is read or changed', async () => {
    const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), schemaVersions: (version) => Number(version) >= 2 });
    try {
      const old = { pullVersion: 1 as const, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', cookie: null };
      await expect(core.pull(old)).rejects.toMatchObject({ code: 'unsupported-version', details: { versionType: 'schema', schemaVersion: '1' } });
      await expect(core.push({ ...push([upsert(1, { id: 'a', type: 'note', data: 1 })]), schemaVersion: '1' })).rejects.toMatchObject({ code: 'unsupported-version' });
      expect((await core.push({ ...push([upsert(1, { id: 'a', type: 'note', data: 2 })]), schemaVersion: '2' })).applied).toBe(1);
      // The refused push wrote nothing: the value is the served one's.
      expect((await core.pull({ ...old, schemaVersion: '2' })).patch).toMatchObject([{ op: 'clear' }, { op: 'put', key: 'a', value: { data: 2 } }]);
    } finally {
      await core.close();
    }
  });
});
