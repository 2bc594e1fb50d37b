import { describe, expect, it } from 'vitest';
import type { Entity, KalphiteEvent } from '../engine/index.js';
import { traceDurability } from './durability.js';

const e = (id: string): Entity => ({ id, type: 'note', data: {} });
const changed = (at: number, ...ids: string[]): KalphiteEvent => ({ type: 'store:changed', at, origin: 'local', tag: null, version: at, changes: ids.map((id) => ({ id, before: undefined, after: e(id) })) });

describe('traceDurability', () => {
  it('follows each write from memory to disk, server and acknowledgement', () => {
    const events: KalphiteEvent[] = [
      changed(1, 'a', 'b'),
      { type: 'flush:committed', at: 2, batchId: 1, size: 2, durationMs: 1, lastMutationId: 2, ids: ['a', 'b'] },
      changed(3, 'c'),
      { type: 'sync:push-succeeded', at: 4, requestId: 1, mutations: 2, bytes: 10, durationMs: 1, lastMutationId: 2 },
      { type: 'sync:pull-succeeded', at: 5, requestId: 2, durationMs: 1, bytes: 10, cookieBefore: 0, cookie: 1, patchSize: 0, applied: 0, skipped: 0, acknowledgedUpTo: 1, more: false },
    ];
    expect(traceDurability(events)).toEqual([
      { id: 'c', op: 'set', memoryAt: 3, diskAt: null, mutationId: null, serverAt: null, acknowledgedAt: null },
      { id: 'b', op: 'set', memoryAt: 1, diskAt: 2, mutationId: 2, serverAt: 4, acknowledgedAt: null },
      { id: 'a', op: 'set', memoryAt: 1, diskAt: 2, mutationId: 1, serverAt: 4, acknowledgedAt: 5 },
    ]);
  });

  it('a newer write to an entity still in memory replaces the older one; remote changes are not local writes', () => {
    const events: KalphiteEvent[] = [
      changed(1, 'a'),
      changed(2, 'a'),
      { type: 'store:changed', at: 3, origin: 'server', tag: null, version: 3, changes: [{ id: 'r', before: undefined, after: e('r') }] },
    ];
    expect(traceDurability(events).map((w) => [w.id, w.memoryAt])).toEqual([['a', 2]]);
  });
});
