import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { Entity, JsonValue } from './entity.js';
import { KalphiteError } from '../errors.js';
import { EntityValidator, SchemaInvalidError } from './schema.js';
import type { AnyEntityOf, EntityOf, StandardSchemaV1 } from './schema-types.js';
import { MemoryStore, type KalphiteStore } from './store.js';

const zodSchema = {
  comment: z.object({ filePath: z.string(), line: z.number().int().nonnegative(), body: z.string().default(''), author: z.object({ id: z.string() }).optional() }),
  review: z.object({ status: z.enum(['pending', 'approved']) }),
};
const valibotSchema = {
  comment: v.object({ filePath: v.string(), line: v.pipe(v.number(), v.integer(), v.minValue(0)), body: v.optional(v.string(), ''), author: v.optional(v.object({ id: v.string() })) }),
  review: v.object({ status: v.picklist(['pending', 'approved']) }),
};

function caught(run: () => unknown): SchemaInvalidError {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaInvalidError) return error;
    throw error;
  }
  throw new Error('expected a schema-invalid error');
}

describe.each([
  ['zod 4', zodSchema],
  ['valibot 1', valibotSchema],
])('a store with a %s schema', (_name, schema) => {
  const store = () => new MemoryStore({ schema: new EntityValidator(schema, false) });

  it('stores the validator’s output (defaults applied)', () => {
    const s = store();
    s.set('c1', { id: 'c1', type: 'comment', data: { filePath: '/a.ts', line: 3 } });
    expect(s.getById('c1')?.data).toEqual({ filePath: '/a.ts', line: 3, body: '' });
    expect(s.getById('c1')?.space).toBe('default');
  });

  it('refuses bad data with schema-invalid listing each issue with its path, and writes nothing', async () => {
    const s = store();
    s.set('c1', { id: 'c1', type: 'comment', data: { filePath: '/a.ts', line: 3 } });
    await Promise.resolve();
    const version = s.version;
    const heard: unknown[] = [];
    s.subscribe((commit) => heard.push(commit));
    const error = caught(() => s.set('c1', { id: 'c1', type: 'comment', data: { filePath: 7, line: -1, author: { id: 1 } } }));
    expect(error).toBeInstanceOf(KalphiteError);
    expect(error.code).toBe('schema-invalid');
    expect(error.type).toBe('comment');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['author.id', 'filePath', 'line']);
    expect(error.message).toContain('filePath: ');
    expect(error.message).toContain('author.id: ');
    expect(s.getById('c1')?.data).toEqual({ filePath: '/a.ts', line: 3, body: '' });
    expect(s.version).toBe(version);
    await Promise.resolve();
    expect(heard).toEqual([]);
  });

  it('in a batch, a refused write throws out of it and none of the batch stays', () => {
    const s = store();
    expect(() =>
      s.batch(() => {
        s.set('r1', { id: 'r1', type: 'review', data: { status: 'pending' } });
        s.set('r2', { id: 'r2', type: 'review', data: { status: 'maybe' } });
      }),
    ).toThrow(SchemaInvalidError);
    expect(s.getById('r1')).toBeNull();
  });

  it('lets types the schema does not name through, unless strict', () => {
    store().set('n1', { id: 'n1', type: 'note', data: { anything: [1, 'two'] } });
    const strict = new MemoryStore({ schema: new EntityValidator(schema, true) });
    const error = caught(() => strict.set('n1', { id: 'n1', type: 'note', data: {} }));
    expect(error.message).toContain('"note"');
    expect(strict.getById('n1')).toBeNull();
  });

  it('leaves what is not an entity to the store’s own check', () => {
    expect(() => store().set('x', 'x' as unknown as Entity)).toThrow(expect.objectContaining({ code: 'invalid-entity' }));
  });
});

describe('the schema option is checked at creation', () => {
  it('refuses what is not a Standard Schema validator', () => {
    expect(() => new EntityValidator({ comment: { parse: () => 1 } }, false)).toThrow(expect.objectContaining({ code: 'invalid-options' }));
    expect(() => new EntityValidator([zodSchema.comment], false)).toThrow(expect.objectContaining({ code: 'invalid-options' }));
  });

  it('refuses a validator that answers asynchronously', () => {
    const slow: StandardSchemaV1 = { '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) } };
    expect(() => new EntityValidator({ comment: slow }, false)).toThrow(expect.objectContaining({ code: 'invalid-options', message: expect.stringContaining('asynchronously') }));
  });

  it('refuses a write whose validator turns out asynchronous (an async refinement) without writing', () => {
    const refined = z.object({ n: z.number() }).refine(async () => true);
    const s = new MemoryStore({ schema: new EntityValidator({ thing: refined }, false) });
    expect(() => s.set('t', { id: 't', type: 'thing', data: { n: 1 } })).toThrow(SchemaInvalidError);
    expect(s.getById('t')).toBeNull();
  });
});

describe('types flow from the schema', () => {
  type S = typeof zodSchema;

  // Checked by the compiler (npm run typecheck): the function is typed, never run.
  it('reads are typed by type name; other types stay JSON unless strict', () => {
    expectTypeOf(typeChecks).toBeFunction();
  });

  function typeChecks(s: KalphiteStore<S>): void {
    const comments = s.getByType('comment');
    expectTypeOf(comments[0]!.data).toEqualTypeOf<{ filePath: string; line: number; body: string; author?: { id: string } | undefined }>();
    expectTypeOf(comments[0]!.type).toEqualTypeOf<'comment'>();
    expectTypeOf(s.getByType('note')[0]!.data).toEqualTypeOf<JsonValue>();
    expectTypeOf(s.query('review', { where: { status: 'pending' } }).result[0]!.data.status).toEqualTypeOf<'pending' | 'approved'>();
    expectTypeOf<AnyEntityOf<S, true>>().toEqualTypeOf<EntityOf<S, 'comment'> | EntityOf<S, 'review'>>();
    // @ts-expect-error: a where value of the wrong type
    s.query('comment', { where: { line: 'three' } });
    // @ts-expect-error: an order by a path the data does not have
    s.query('comment', { orderBy: 'nope' });
    s.query('comment', { where: { 'author.id': 'ada' }, orderBy: ['line', 'desc'] });
    // @ts-expect-error: data that does not fit the type's input
    s.entities.set('c', { id: 'c', type: 'comment', data: { filePath: 1, line: 1 } });
    // The input may leave out what has a default.
    s.entities.set('c', { id: 'c', type: 'comment', data: { filePath: '/a', line: 1 } });
    const strict = s as unknown as KalphiteStore<S, true>;
    // @ts-expect-error: strict names only the schema's types
    strict.getByType('note');
    // Strict: an entity of unknown type narrows by its type name.
    const found = strict.getById('x');
    if (found?.type === 'review') expectTypeOf(found.data).toEqualTypeOf<{ status: 'pending' | 'approved' }>();
  }

  it('without a schema the store is the seed’s: any type, any JSON', () => {
    const s: KalphiteStore = new MemoryStore();
    expectTypeOf(s.getByType('whatever')).toEqualTypeOf<readonly Entity[]>();
    expectTypeOf(s.getById('x')).toEqualTypeOf<Entity | null>();
  });
});

describe('EntityValidator.verdict: the check as a value, for values from outside memory', () => {
  const validator = new EntityValidator(zodSchema, true);

  it('answers the entity to store (the validator’s output), or the issues with their paths, without throwing', () => {
    expect(validator.verdict({ id: 'c1', type: 'comment', data: { filePath: '/a.ts', line: 1 } })).toEqual({ entity: { id: 'c1', type: 'comment', data: { filePath: '/a.ts', line: 1, body: '' } } });
    expect(validator.verdict({ id: 'c2', type: 'comment', data: { filePath: 3, line: 1 } })).toEqual({ issues: [expect.objectContaining({ path: 'filePath' })] });
    expect(validator.verdict({ id: 'n', type: 'note', data: {} })).toEqual({ issues: [expect.objectContaining({ message: expect.stringContaining('strict') })] });
  });

  it('a validator that throws is an issue, and a local write it throws on is refused as schema-invalid', () => {
    const throwing: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          if (value === undefined) return { value };
          throw new Error('boom');
        },
      },
    };
    const thrower = new EntityValidator({ note: throwing }, false);
    expect(thrower.verdict({ id: 'n', type: 'note', data: 1 })).toEqual({ issues: [{ path: '', message: 'the validator threw: boom' }] });
    expect(() => new MemoryStore({ schema: thrower }).set('n', { id: 'n', type: 'note', data: 1 })).toThrow(SchemaInvalidError);
  });
});
