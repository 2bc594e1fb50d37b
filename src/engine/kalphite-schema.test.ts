import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { freshPGlite } from '../test-support/pglite.js';
import { createKalphite, SchemaInvalidError, type Entity, type StandardSchemaV1, type TypedKalphite } from './index.js';

const schema = {
  comment: z.object({ filePath: z.string(), line: z.number(), body: z.string().default('') }),
};

const engines: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function engine<const Strict extends boolean = false>(strict?: Strict): Promise<TypedKalphite<typeof schema, Strict>> {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000, schema, ...(strict !== undefined && { strict }), indexes: { comment: ['filePath'] } });
  engines.push(k);
  return k;
}

describe('createKalphite({ schema })', () => {
  it('validates local writes, stores the output, persists it, and types the store from the schema', async () => {
    const k = await engine();
    k.store.entities.set('c1', { id: 'c1', type: 'comment', data: { filePath: '/a.ts', line: 2 } });
    const stored = k.store.getByType('comment')[0]!;
    expectTypeOf(stored.data.line).toEqualTypeOf<number>();
    expect(stored.data).toEqual({ filePath: '/a.ts', line: 2, body: '' });
    expect(() => k.store.entities.set('c2', { id: 'c2', type: 'comment', data: { filePath: '/a.ts', line: 'two' as unknown as number } })).toThrow(SchemaInvalidError);
    const live = k.store.query('comment', { where: { filePath: '/a.ts' }, orderBy: 'line' });
    expect(live.result.map((e) => e.data.body)).toEqual(['']);
    await k.flush();
    expect(k.store.getById('c2')).toBeNull();
    // Unnamed types pass through unchecked unless strict.
    k.store.entities.set('n1', { id: 'n1', type: 'note', data: [1, 2] });
  });

  it('strict: true refuses types the schema does not name', async () => {
    const k = await engine(true);
    expect(() => k.store.entities.set('n1', { id: 'n1', type: 'note', data: {} } as unknown as Entity & { type: 'comment'; data: { filePath: string; line: number } })).toThrow(
      expect.objectContaining({ code: 'schema-invalid' }),
    );
  });

  it('refuses at creation: an asynchronous validator, strict without a schema, a bad index', async () => {
    const slow: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'test', validate: () => Promise.resolve({ value: null }) } };
    await expect(createKalphite({ schema: { comment: slow } })).rejects.toMatchObject({ code: 'invalid-options' });
    await expect(createKalphite({ strict: true })).rejects.toMatchObject({ code: 'invalid-options' });
    await expect(createKalphite({ indexes: { comment: [''] } })).rejects.toMatchObject({ code: 'invalid-query' });
  });

  it('without a schema, the engine behaves as before: any type, any JSON', async () => {
    const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
    engines.push(k);
    k.store.entities.set('x', { id: 'x', type: 'anything', data: { line: 'not a number' } });
    expectTypeOf(k.store.getById('x')).toEqualTypeOf<Entity | null>();
    expect(k.store.getById('x')?.data).toEqual({ line: 'not a number' });
  });
});
