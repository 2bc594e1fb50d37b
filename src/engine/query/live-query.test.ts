import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity } from '../store/entity.js';
import { KalphiteError } from '../errors.js';
import { compareValues } from './values.js';
import { MemoryStore } from '../store/store.js';

const comment = (id: string, filePath: string, line: number, extra: Record<string, unknown> = {}): Entity => ({
  id,
  type: 'comment',
  data: { filePath, line, ...extra } as Entity['data'],
  space: 'default',
});

const ids = (rows: readonly Entity[]) => rows.map((e) => e.id);

describe('store.query', () => {
  it('returns the matching entities sorted by the field, ties by id, and follows writes', async () => {
    const store = new MemoryStore();
    store.batch(() => {
      store.set('c1', comment('c1', '/a.ts', 10));
      store.set('c2', comment('c2', '/a.ts', 2));
      store.set('c3', comment('c3', '/b.ts', 1));
      store.set('c0', comment('c0', '/a.ts', 10));
    });
    const query = store.query('comment', { where: { filePath: '/a.ts' }, orderBy: 'line' });
    expect(ids(query.result)).toEqual(['c2', 'c0', 'c1']);

    store.set('c2', comment('c2', '/a.ts', 11)); // moves to the end
    expect(ids(query.result)).toEqual(['c0', 'c1', 'c2']);
    store.set('c3', comment('c3', '/a.ts', 0)); // enters
    store.delete('c0'); // leaves
    store.set('c1', comment('c1', '/b.ts', 10)); // leaves by its field
    expect(ids(query.result)).toEqual(['c3', 'c2']);
    store.set('c3', { id: 'c3', type: 'review', data: { filePath: '/a.ts', line: 0 } }); // leaves by its type
    expect(ids(query.result)).toEqual(['c2']);
  });

  it('keeps the same result array until its rows change, and notifies once per commit that changed them', async () => {
    const store = new MemoryStore();
    store.set('c1', comment('c1', '/a.ts', 1));
    store.set('c2', comment('c2', '/a.ts', 2));
    const query = store.query('comment', { where: { filePath: '/a.ts' }, orderBy: ['line', 'desc'] });
    const heard: (readonly Entity[])[] = [];
    query.subscribe((result) => heard.push(result));
    const first = query.result;
    expect(ids(first)).toEqual(['c2', 'c1']);

    store.set('c9', comment('c9', '/b.ts', 1));
    store.set('r1', { id: 'r1', type: 'review', data: { filePath: '/a.ts' } });
    await Promise.resolve();
    expect(query.result).toBe(first);
    expect(heard).toEqual([]);

    store.set('c1', comment('c1', '/a.ts', 1, { body: 'edited' }));
    store.set('c2', comment('c2', '/a.ts', 2, { body: 'edited' }));
    await Promise.resolve();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(query.result);
    expect(query.result).not.toBe(first);
    expect(query.result.map((e) => (e.data as { body?: string }).body)).toEqual(['edited', 'edited']);
  });

  it('a rolled-back batch, or a value written back, leaves the same array and notifies nobody', async () => {
    const store = new MemoryStore();
    const original = comment('c1', '/a.ts', 1);
    store.set('c1', original);
    const query = store.query('comment', { where: { filePath: '/a.ts' } });
    const first = query.result;
    let heard = 0;
    query.subscribe(() => heard++);
    expect(() =>
      store.batch(() => {
        store.set('c2', comment('c2', '/a.ts', 0));
        store.delete('c1');
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(query.result).toBe(first);
    store.set('c1', comment('c1', '/a.ts', 5));
    store.set('c1', original);
    await Promise.resolve();
    expect(query.result).toBe(first);
    expect(heard).toBe(0);
  });

  it('with a limit, shows the first rows and hears nothing about writes below them', async () => {
    const store = new MemoryStore();
    store.batch(() => {
      for (let i = 0; i < 10; i++) store.set(`c${i}`, comment(`c${i}`, '/a.ts', i));
    });
    const query = store.query('comment', { where: { filePath: '/a.ts' }, orderBy: 'line', limit: 3 });
    let heard = 0;
    query.subscribe(() => heard++);
    expect(ids(query.result)).toEqual(['c0', 'c1', 'c2']);
    store.set('c7', comment('c7', '/a.ts', 70));
    store.notifyNow();
    expect(heard).toBe(0);
    store.delete('c1');
    store.notifyNow();
    expect(ids(query.result)).toEqual(['c0', 'c2', 'c3']);
    expect(heard).toBe(1);
  });

  it('without where reads the whole type; filter and space narrow it; missing fields sort first', () => {
    const store = new MemoryStore();
    store.set('a', { id: 'a', type: 'note', data: { rank: 2 }, space: 'default' });
    store.set('b', { id: 'b', type: 'note', data: {}, space: 'default' });
    store.set('c', { id: 'c', type: 'note', data: { rank: 'x' }, space: 'other' });
    store.set('d', { id: 'd', type: 'note', data: { rank: null }, space: 'default' });
    expect(ids(store.query('note', { orderBy: 'rank' }).result)).toEqual(['b', 'd', 'a', 'c']);
    expect(ids(store.query('note').result)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(store.query('note', { space: 'other' }).result)).toEqual(['c']);
    expect(ids(store.query('note', { filter: (e) => e.id > 'b', orderBy: ['rank', 'desc'] }).result)).toEqual(['c', 'd']);
  });

  it('reads nested paths, and several equalities at once', () => {
    const store = new MemoryStore({ indexes: { task: ['owner.id'] } });
    store.set('t1', { id: 't1', type: 'task', data: { owner: { id: 'ada' }, state: 'open', due: { day: 3 } } });
    store.set('t2', { id: 't2', type: 'task', data: { owner: { id: 'ada' }, state: 'done', due: { day: 1 } } });
    store.set('t3', { id: 't3', type: 'task', data: { owner: { id: 'bob' }, state: 'open', due: { day: 2 } } });
    store.set('t4', { id: 't4', type: 'task', data: { owner: 'nobody', state: 'open' } });
    const query = store.query('task', { where: { 'owner.id': 'ada', state: 'open' }, orderBy: 'due.day' });
    expect(ids(query.result)).toEqual(['t1']);
    store.set('t3', { id: 't3', type: 'task', data: { owner: { id: 'ada' }, state: 'open', due: { day: 2 } } });
    expect(ids(query.result)).toEqual(['t3', 't1']);
    expect(ids(store.query('task', { orderBy: 'due.day' }).result)).toEqual(['t4', 't2', 't3', 't1']);
  });

  it('a disposed query keeps its last result and hears nothing more', async () => {
    const store = new MemoryStore();
    const query = store.query('comment', { where: { filePath: '/a.ts' } });
    let heard = 0;
    query.subscribe(() => heard++);
    query.dispose();
    expect(query.disposed).toBe(true);
    store.set('c1', comment('c1', '/a.ts', 1));
    await Promise.resolve();
    expect(query.result).toEqual([]);
    expect(heard).toBe(0);
  });

  it('refuses options it cannot answer with invalid-query', () => {
    const store = new MemoryStore();
    const bad: [string, () => unknown][] = [
      ['no type', () => store.query('')],
      ['an object value in where', () => store.query('t', { where: { a: { b: 1 } as never } })],
      ['an empty path segment', () => store.query('t', { where: { 'a..b': 1 } })],
      ['a negative limit', () => store.query('t', { limit: -1 })],
      ['a fractional limit', () => store.query('t', { limit: 1.5 })],
      ['a bad direction', () => store.query('t', { orderBy: ['a', 'up' as 'asc'] })],
      ['a bad space', () => store.query('t', { space: 'a b' })],
    ];
    for (const [name, run] of bad) {
      expect(run, name).toThrow(KalphiteError);
      try {
        run();
      } catch (error) {
        expect((error as KalphiteError).code, name).toBe('invalid-query');
      }
    }
  });
});

describe('store.count', () => {
  it('counts the matching entities and notifies when the number changes', async () => {
    const store = new MemoryStore();
    const pending = store.count('review', { where: { status: 'pending' } });
    const heard: number[] = [];
    pending.subscribe((n) => heard.push(n));
    store.set('r1', { id: 'r1', type: 'review', data: { status: 'pending' } });
    store.set('r2', { id: 'r2', type: 'review', data: { status: 'pending' } });
    await Promise.resolve();
    store.set('r1', { id: 'r1', type: 'review', data: { status: 'approved' } });
    await Promise.resolve();
    store.set('r2', { id: 'r2', type: 'review', data: { status: 'pending', note: 'same count' } });
    await Promise.resolve();
    expect(pending.result).toBe(1);
    expect(heard).toEqual([2, 1]);
  });
});

describe('getByType(type, space)', () => {
  it('holds one space’s entities of a type in insertion order, the same array until one changes', () => {
    const store = new MemoryStore();
    store.set('a', { id: 'a', type: 'note', data: 1, space: 's1' });
    store.set('b', { id: 'b', type: 'note', data: 2, space: 's2' });
    store.set('c', { id: 'c', type: 'note', data: 3, space: 's1' });
    const first = store.getByType('note', 's1');
    expect(ids(first)).toEqual(['a', 'c']);
    expect(store.getByType('note', 's1')).toBe(first);
    store.set('b', { id: 'b', type: 'note', data: 20, space: 's2' });
    expect(store.getByType('note', 's1')).toBe(first);
    store.set('a', { id: 'a', type: 'note', data: 10, space: 's1' });
    expect(ids(store.getByType('note', 's1'))).toEqual(['a', 'c']);
    expect(store.getByType('note', 's1')).not.toBe(first);
    expect(store.getByType('note', 'nowhere')).toEqual([]);
    store.delete('a');
    store.delete('c');
    expect(store.getByType('note', 's1')).toEqual([]);
  });
});

/** A fresh filter-and-sort of memory: what every live result must equal. */
function naive(store: MemoryStore, type: string, where: Record<string, unknown>, orderBy: string | null, desc: boolean, limit: number, space?: string): string[] {
  return store
    .getAll()
    .filter((e) => e.type === type && (space === undefined || e.space === space) && Object.entries(where).every(([k, v]) => (e.data as Record<string, unknown>)?.[k] === v))
    .sort((a, b) => (orderBy === null ? 0 : (desc ? -1 : 1) * compareValues((a.data as Record<string, unknown>)[orderBy], (b.data as Record<string, unknown>)[orderBy])) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((e) => e.id);
}

describe('live results equal a fresh filter-and-sort after any writes (property)', () => {
  const id = fc.constantFrom('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8');
  const entity = fc.record({
    id,
    type: fc.constantFrom('comment', 'review'),
    file: fc.constantFrom('/a', '/b', '/c'),
    line: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null), fc.constant(undefined), fc.constant('x')),
    author: fc.constantFrom('ada', 'bob'),
  });
  const op = fc.oneof(
    { weight: 5, arbitrary: entity.map((e) => ({ kind: 'set' as const, e })) },
    { weight: 2, arbitrary: id.map((i) => ({ kind: 'delete' as const, id: i })) },
    { weight: 1, arbitrary: fc.array(entity, { maxLength: 4 }).map((es) => ({ kind: 'rollback' as const, es })) },
    { weight: 2, arbitrary: fc.array(fc.tuple(id, fc.option(entity, { nil: undefined })), { maxLength: 4 }).map((ws) => ({ kind: 'pull' as const, ws })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
  );
  const toEntity = (e: { id: string; type: string; file: string; line: unknown; author: string }, as = e.id): Entity => ({
    id: as,
    type: e.type,
    data: (e.line === undefined ? { file: e.file, author: e.author } : { file: e.file, line: e.line, author: e.author }) as Entity['data'],
    space: 'default',
  });

  it('for queries and counts with and without where, order, limit, opened before and during the writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 0, max: 40 }), (ops, openAt) => {
        const store = new MemoryStore({ indexes: { comment: ['author'] } });
        const specs = [
          { type: 'comment', where: { file: '/a' }, orderBy: 'line', desc: false, limit: Infinity },
          { type: 'comment', where: { file: '/b', author: 'ada' }, orderBy: 'line', desc: true, limit: 2 },
          { type: 'comment', where: {}, orderBy: 'file', desc: false, limit: Infinity },
          { type: 'review', where: { author: 'bob' }, orderBy: null, desc: false, limit: Infinity },
          { type: 'comment', where: { author: 'ada' }, orderBy: 'line', desc: false, limit: 3 },
        ];
        const open = () =>
          specs.map((s) => ({
            s,
            q: store.query(s.type, { where: s.where, ...(s.orderBy === null ? {} : { orderBy: [s.orderBy, s.desc ? 'desc' : 'asc'] as const }), limit: s.limit }),
            c: store.count(s.type, { where: s.where }),
            heard: [] as (readonly Entity[])[],
          }));
        let live = open();
        for (const l of live) l.q.subscribe((r) => l.heard.push(r));
        const check = () => {
          for (const { s, q, c } of live) {
            expect(ids(q.result)).toEqual(naive(store, s.type, s.where, s.orderBy, s.desc, s.limit));
            expect(c.result).toBe(naive(store, s.type, s.where, null, false, Infinity).length);
          }
        };
        ops.forEach((o, i) => {
          if (i === openAt) live = [...live, ...open()];
          if (o.kind === 'set') store.set(o.e.id, toEntity(o.e));
          else if (o.kind === 'delete') store.delete(o.id);
          else if (o.kind === 'rollback') {
            try {
              store.batch(() => {
                for (const e of o.es) store.set(e.id, toEntity(e));
                throw new Error('rolled back');
              });
            } catch {
              // expected: the batch's writes are undone
            }
          } else if (o.kind === 'pull') store.applyExternal(o.ws.map(([key, e]) => [key, e && toEntity(e, key)] as const), 'server');
          else store.notifyNow();
          check();
        });
        store.notifyNow();
        check();
        // What a listener heard last is the result it sees.
        for (const l of live) if (l.heard.length > 0) expect(l.heard[l.heard.length - 1]).toBe(l.q.result);
      }),
      { numRuns: 300 },
    );
  });
});
