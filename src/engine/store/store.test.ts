import { describe, expect, it, vi } from 'vitest';
import type { Entity } from './entity.js';
import { KalphiteError } from '../errors.js';
import { MemoryStore, type StoreCommit } from './store.js';

const comment = (id: string, message = 'hi'): Entity => ({ id, type: 'comment', data: { message }, updatedAt: 1, space: 'default' });
const review = (id: string, status = 'pending'): Entity => ({ id, type: 'review', data: { status }, space: 'default' });

function listen(store: MemoryStore) {
  const commits: StoreCommit[] = [];
  store.subscribe((commit) => commits.push(commit));
  return commits;
}

describe('store.entities (seed bug: the Proxy over a Map threw on set)', () => {
  it('entities.set stores the entity, is readable at once, and notifies', async () => {
    const store = new MemoryStore();
    const commits = listen(store);
    store.entities.set('c1', comment('c1'));
    expect(store.getById('c1')).toEqual(comment('c1'));
    expect(store.entities.get('c1')?.data).toEqual({ message: 'hi' });
    await Promise.resolve();
    expect(commits).toHaveLength(1);
    expect(commits[0]?.changes).toEqual([{ id: 'c1', before: undefined, after: comment('c1') }]);
  });

  it('behaves like a Map: has, delete, size, keys, values, entries, forEach, iteration, clear', async () => {
    const store = new MemoryStore();
    const map = store.entities;
    expect(map.set('a', comment('a'))).toBe(map);
    map.set('b', review('b'));
    expect(map.size).toBe(2);
    expect(map.has('a')).toBe(true);
    expect([...map.keys()]).toEqual(['a', 'b']);
    expect([...map.values()].map((e) => e.type)).toEqual(['comment', 'review']);
    expect([...map.entries()].map(([id]) => id)).toEqual(['a', 'b']);
    expect([...map].map(([id]) => id)).toEqual(['a', 'b']);
    const seen: string[] = [];
    map.forEach((entity, id) => seen.push(`${id}:${entity.type}`));
    expect(seen).toEqual(['a:comment', 'b:review']);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(store.getById('a')).toBeNull();
    map.clear();
    expect(map.size).toBe(0);
    expect(store.getAll()).toEqual([]);
    expect(Object.prototype.toString.call(map)).toBe('[object EntityMap]');
  });

  it('deleting a missing id changes nothing and notifies nobody', async () => {
    const store = new MemoryStore();
    const commits = listen(store);
    const version = store.version;
    expect(store.entities.delete('nope')).toBe(false);
    await Promise.resolve();
    expect(commits).toHaveLength(0);
    expect(store.version).toBe(version);
  });
});

describe('bad writes throw a typed error and change nothing', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['key differs from entity.id (seed examples used two UUIDs)', 'key-1', comment('id-2'), 'id-mismatch'],
    ['no id', 'x', { type: 'comment', data: {} }, 'invalid-entity'],
    ['empty type', 'x', { id: 'x', type: '', data: {} }, 'invalid-entity'],
    ['not an object', 'x', 'x', 'invalid-entity'],
    ['an array', 'x', ['x'], 'invalid-entity'],
    ['updatedAt not a number', 'x', { id: 'x', type: 't', data: {}, updatedAt: '1' }, 'invalid-entity'],
    // PostgreSQL refuses it as text: such an entity would fail every flush after it.
    ['an id holding a lone surrogate', 'x\ud800', { id: 'x\ud800', type: 't', data: {} }, 'invalid-entity'],
    ['a type holding a lone surrogate', 'x', { id: 'x', type: '\udc00t', data: {} }, 'invalid-entity'],
    ['a function in data', 'x', { id: 'x', type: 't', data: { f: () => 1 } }, 'not-serializable'],
    ['a Date in data', 'x', { id: 'x', type: 't', data: { when: new Date() } }, 'not-serializable'],
    ['a Map in data', 'x', { id: 'x', type: 't', data: new Map() }, 'not-serializable'],
    ['NaN in data', 'x', { id: 'x', type: 't', data: { n: Number.NaN } }, 'not-serializable'],
    ['Infinity in data', 'x', { id: 'x', type: 't', data: [Infinity] }, 'not-serializable'],
    ['a bigint in data', 'x', { id: 'x', type: 't', data: { n: 1n } }, 'not-serializable'],
    ['undefined in an array', 'x', { id: 'x', type: 't', data: [1, undefined] }, 'not-serializable'],
    ['a symbol', 'x', { id: 'x', type: 't', data: { s: Symbol('s') } }, 'not-serializable'],
    ['a class instance in data', 'x', { id: 'x', type: 't', data: { at: new (class Point { x = 1 })() } }, 'not-serializable'],
    // The plain-object check reads `constructor` first: an own one must not pass for Object.
    ['a Date claiming Object as its constructor', 'x', { id: 'x', type: 't', data: { when: Object.assign(new Date(), { constructor: Object }) } }, 'not-serializable'],
    ['Object itself as a value named constructor', 'x', { id: 'x', type: 't', data: { constructor: Object } }, 'not-serializable'],
    ['an entity that is a class instance', 'x', new (class Comment { id = 'x'; type = 't'; data = {} })(), 'invalid-entity'],
    // What PostgreSQL cannot store would fail the flush or the push, and every write behind it.
    ['a truncated emoji in data', 'x', { id: 'x', type: 't', data: { text: '😀'.slice(0, 1) } }, 'not-serializable'],
    ['a lone surrogate in a data key', 'x', { id: 'x', type: 't', data: { nested: [{ ['\udfff']: 1 }] } }, 'not-serializable'],
    ['a NUL in data', 'x', { id: 'x', type: 't', data: { text: 'a\u0000b' } }, 'not-serializable'],
    ['a NUL in a data key', 'x', { id: 'x', type: 't', data: { ['a\u0000']: true } }, 'not-serializable'],
    ['a NUL in the id', 'x\u0000', { id: 'x\u0000', type: 't', data: {} }, 'invalid-entity'],
    ['an id longer than PostgreSQL can index', 'x'.repeat(501), { id: 'x'.repeat(501), type: 't', data: {} }, 'invalid-entity'],
    ['a lone surrogate in an extra top-level field', 'x', { id: 'x', type: 't', data: {}, note: '\ud83d' }, 'not-serializable'],
  ];

  it.each(cases)('%s', async (_name, key, entity, code) => {
    const store = new MemoryStore();
    store.entities.set('keep', comment('keep'));
    await Promise.resolve();
    const commits = listen(store);
    const version = store.version;
    let thrown: unknown;
    try {
      store.entities.set(key, entity as Entity);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KalphiteError);
    expect((thrown as KalphiteError).code).toBe(code);
    expect((thrown as KalphiteError).message.length).toBeGreaterThan(10);
    expect(store.entities.size).toBe(1);
    expect(store.version).toBe(version);
    await Promise.resolve();
    expect(commits).toHaveLength(0);
  });

  it('refuses an entity larger than the push limit, measured as UTF-8 JSON, and keeps one just under it', () => {
    const store = new MemoryStore({ maxEntityBytes: 1000 });
    const sized = (text: string): Entity => ({ id: 'big', type: 't', data: { text } });
    const overhead = JSON.stringify(sized('')).length;
    store.entities.set('big', sized('a'.repeat(1000 - overhead)));
    // 'é' is two bytes in UTF-8: the same number of characters is now too large.
    expect(() => store.entities.set('big', sized('é'.repeat(1000 - overhead)))).toThrow(expect.objectContaining({ code: 'entity-too-large' }));
    expect(() => store.entities.set('big', sized('\n'.repeat(600)))).toThrow(expect.objectContaining({ code: 'entity-too-large' }));
    expect((store.getById('big')?.data as { text: string }).text).toHaveLength(1000 - overhead);
    // A surrogate pair (an emoji) is fine, and counts 4 bytes.
    store.entities.set('big', sized('😀'.repeat(Math.floor((1000 - overhead) / 4))));
  });

  it('refuses a cycle', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    const store = new MemoryStore();
    expect(() => store.entities.set('x', { id: 'x', type: 't', data } as unknown as Entity)).toThrow(
      expect.objectContaining({ code: 'not-serializable' }),
    );
  });

  it('accepts nested JSON, null prototypes and undefined properties (dropped like JSON)', () => {
    const store = new MemoryStore();
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    store.entities.set('x', { id: 'x', type: 't', data: { list: [1, 'two', null, { deep: [true] }], bare, gone: undefined } });
    expect(store.getById('x')).not.toBeNull();
    store.entities.set('y', { id: 'y', type: 't', data: { constructor: 'a key like any other', nested: { constructor: 2 } } });
    expect(store.getById('y')?.data).toEqual({ constructor: 'a key like any other', nested: { constructor: 2 } });
  });
});

describe('notifications', () => {
  it('10,000 writes in one batch notify once', () => {
    const store = new MemoryStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.batch(() => {
      for (let i = 0; i < 10_000; i++) store.entities.set(`c${i}`, comment(`c${i}`));
    });
    expect(listener).toHaveBeenCalledTimes(1);
    expect((listener.mock.calls[0]?.[0] as StoreCommit).changes).toHaveLength(10_000);
  });

  it('writes outside a batch in the same tick notify once, with reads current throughout', async () => {
    const store = new MemoryStore();
    const listener = vi.fn();
    store.subscribe(listener);
    for (let i = 0; i < 100; i++) {
      store.entities.set(`c${i}`, comment(`c${i}`));
      expect(store.entities.size).toBe(i + 1);
    }
    expect(listener).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('coalesces each entity to its first before and last after', async () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a', 'v1'));
    await Promise.resolve();
    const commits = listen(store);
    store.entities.set('a', comment('a', 'v2'));
    store.entities.set('a', comment('a', 'v3'));
    store.entities.set('b', comment('b'));
    store.entities.delete('b');
    await Promise.resolve();
    expect(commits).toHaveLength(1);
    expect(commits[0]?.changes).toEqual([{ id: 'a', before: comment('a', 'v1'), after: comment('a', 'v3') }]);
  });

  it('nested batches notify once, at the end of the outermost', () => {
    const store = new MemoryStore();
    const listener = vi.fn();
    store.subscribe(listener);
    store.batch(() => {
      store.entities.set('a', comment('a'));
      store.batch(() => store.entities.set('b', comment('b')));
      expect(listener).not.toHaveBeenCalled();
    });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a batch that throws leaves none of its writes and notifies nobody', async () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a', 'old'));
    await Promise.resolve();
    const listener = vi.fn();
    store.subscribe(listener);
    const before = store.getByType('comment');
    expect(() =>
      store.batch(() => {
        store.entities.set('a', comment('a', 'new'));
        store.entities.set('b', comment('b'));
        store.entities.set('c', comment('other-id'));
      }),
    ).toThrow(KalphiteError);
    expect(store.getById('a')).toEqual(comment('a', 'old'));
    expect(store.getById('b')).toBeNull();
    expect(store.getByType('comment')).toEqual(before);
    await Promise.resolve();
    expect(listener).not.toHaveBeenCalled();
  });

  it('a batch that throws restores writes made earlier in the same tick to their value at batch start', async () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a', 'v0'));
    await Promise.resolve();
    const commits = listen(store);
    store.entities.set('a', comment('a', 'v1'));
    expect(() =>
      store.batch(() => {
        store.entities.set('a', comment('a', 'v2'));
        store.entities.set('b', comment('b'));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(store.getById('a')).toEqual(comment('a', 'v1'));
    expect(store.getById('b')).toBeNull();
    await Promise.resolve();
    expect(commits).toHaveLength(1);
    expect(commits[0]?.changes).toEqual([{ id: 'a', before: comment('a', 'v0'), after: comment('a', 'v1') }]);
  });

  it('the snapshot version changes with every committed change, for useSyncExternalStore', () => {
    const store = new MemoryStore();
    const seen = new Set([store.getSnapshot()]);
    store.entities.set('a', comment('a'));
    seen.add(store.getSnapshot());
    store.entities.set('a', comment('a', 'edited'));
    seen.add(store.getSnapshot());
    store.entities.delete('a');
    seen.add(store.getSnapshot());
    expect(seen.size).toBe(4);
    expect(store.version).toBe(store.getSnapshot());
  });

  it('a tagged batch commits on its own, carrying its tag; earlier and later writes do not', async () => {
    const store = new MemoryStore();
    const commits = listen(store);
    store.entities.set('a', comment('a'));
    store.batch(() => store.entities.set('b', comment('b')), { tag: 'devtools' });
    store.entities.set('c', comment('c'));
    await Promise.resolve();
    expect(commits.map((c) => [c.tag, c.changes.map((x) => x.id)])).toEqual([
      [null, ['a']],
      ['devtools', ['b']],
      [null, ['c']],
    ]);
  });

  it('a subscriber that writes is heard in a later notification', async () => {
    const store = new MemoryStore();
    const commits = listen(store);
    store.subscribe((commit) => {
      if (commit.changes.some((c) => c.id === 'a')) store.entities.set('echo', comment('echo'));
    });
    store.entities.set('a', comment('a'));
    await Promise.resolve();
    await Promise.resolve();
    expect(commits.map((c) => c.changes.map((x) => x.id))).toEqual([['a'], ['echo']]);
  });
});

describe('indexes', () => {
  it('getByType keeps its reference while another type changes (seed: scanned on every call)', () => {
    const store = new MemoryStore();
    store.entities.set('c1', comment('c1'));
    store.entities.set('r1', review('r1'));
    const comments = store.getByType('comment');
    expect(store.getByType('comment')).toBe(comments);
    store.entities.set('r2', review('r2'));
    store.entities.delete('r1');
    expect(store.getByType('comment')).toBe(comments);
    store.entities.set('c2', comment('c2'));
    const updated = store.getByType('comment');
    expect(updated).not.toBe(comments);
    expect(updated.map((e) => e.id)).toEqual(['c1', 'c2']);
    expect(store.getByType('missing')).toEqual([]);
  });

  it('getAll keeps its reference until anything changes', () => {
    const store = new MemoryStore();
    store.entities.set('c1', comment('c1'));
    const all = store.getAll();
    expect(store.getAll()).toBe(all);
    store.entities.set('r1', review('r1'));
    expect(store.getAll()).not.toBe(all);
    expect(store.getAll()).toHaveLength(2);
  });

  it('an entity whose type changes moves between type indexes', () => {
    const store = new MemoryStore();
    store.entities.set('x', comment('x'));
    store.entities.set('x', { ...review('x') });
    expect(store.getByType('comment')).toEqual([]);
    expect(store.getByType('review').map((e) => e.id)).toEqual(['x']);
    expect(store.countsByType()).toEqual({ review: 1 });
  });

  it('an update keeps the entity in place in getByType', () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a'));
    store.entities.set('b', comment('b'));
    store.entities.set('a', comment('a', 'edited'));
    expect(store.getByType('comment').map((e) => [e.id, (e.data as { message: string }).message])).toEqual([
      ['a', 'edited'],
      ['b', 'hi'],
    ]);
  });

  it('keeps insertion order in getByType through deletes and re-inserts, and drops deleted entities from it', () => {
    const store = new MemoryStore();
    store.batch(() => {
      for (let i = 0; i < 300; i++) store.entities.set(`c${i}`, comment(`c${i}`));
    });
    store.batch(() => {
      for (let i = 0; i < 300; i++) if (i % 3 !== 0) store.entities.delete(`c${i}`);
    });
    store.entities.set('c1', comment('c1', 'back'));
    const ids = store.getByType('comment').map((e) => e.id);
    expect(ids).toEqual([...Array.from({ length: 100 }, (_, i) => `c${i * 3}`), 'c1']);
    expect(store.countsByType()).toEqual({ comment: 101 });
    expect(store.entities.size).toBe(101);
  });
});

describe('delete and write again in one commit', () => {
  it('a delete then a write of the same id is one change from the first value to the last', async () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a', 'one'));
    await Promise.resolve();
    const commits = listen(store);
    store.entities.delete('a');
    expect(store.entities.has('a')).toBe(false);
    expect(store.entities.size).toBe(0);
    expect([...store.entities.keys()]).toEqual([]);
    expect(store.getByType('comment')).toEqual([]);
    store.entities.set('a', comment('a', 'two'));
    await Promise.resolve();
    expect(commits).toHaveLength(1);
    expect(commits[0]?.changes).toEqual([{ id: 'a', before: comment('a', 'one'), after: comment('a', 'two') }]);
    expect(store.getByType('comment')).toEqual([comment('a', 'two')]);
  });

  it('a write then a delete of a new id in one commit leaves nothing and notifies nobody', async () => {
    const store = new MemoryStore();
    const commits = listen(store);
    store.entities.set('a', comment('a'));
    store.entities.delete('a');
    await Promise.resolve();
    expect(commits).toHaveLength(0);
    expect(store.entities.size).toBe(0);
    expect([...store.entities]).toEqual([]);
    expect(store.countsByType()).toEqual({});
  });

  it('a batch that throws after deleting and re-creating entities puts every one back as it was', async () => {
    const store = new MemoryStore();
    store.entities.set('a', comment('a', 'kept'));
    store.entities.set('b', review('b'));
    await Promise.resolve();
    const commits = listen(store);
    expect(() =>
      store.batch(() => {
        store.entities.delete('a');
        store.entities.set('b', comment('b', 'now a comment'));
        store.entities.set('c', comment('c'));
        store.entities.delete('c');
        store.entities.set('a', comment('a', 'replaced'));
        throw new Error('nope');
      }),
    ).toThrow('nope');
    await Promise.resolve();
    expect(commits).toHaveLength(0);
    expect([...store.entities.values()]).toEqual([comment('a', 'kept'), review('b')]);
    expect(store.getByType('comment')).toEqual([comment('a', 'kept')]);
    expect(store.getByType('review')).toEqual([review('b')]);
    expect(store.entities.has('c')).toBe(false);
  });
});

describe('remote changes', () => {
  it('applyExternal commits with its origin (server or tab), separately from pending local writes', () => {
    const store = new MemoryStore();
    const commits = listen(store);
    store.entities.set('local', comment('local'));
    store.applyExternal([
      ['server', comment('server')],
      ['missing', undefined],
    ], 'server');
    store.applyExternal([['other-tab', comment('other-tab')]], 'tab');
    expect(commits.map((c) => [c.origin, c.changes.map((x) => x.id)])).toEqual([
      ['local', ['local']],
      ['server', ['server']],
      ['tab', ['other-tab']],
    ]);
  });
});

describe('closed store', () => {
  it('refuses writes with a closed error', () => {
    const store = new MemoryStore();
    store.refuseWrites('closed for good');
    expect(() => store.entities.set('a', comment('a'))).toThrow(expect.objectContaining({ code: 'closed' }));
    expect(() => store.entities.delete('a')).toThrow(expect.objectContaining({ code: 'closed' }));
  });
});
