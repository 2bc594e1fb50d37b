import { describe, expect, it } from 'vitest';
import type { Entity, KalphiteEvent } from '../engine/index.js';
import { traceDurability } from './durability.js';

const e = (id: string, space = 'default'): Entity => ({ id, type: 'note', data: {}, space });
const changed = (at: number, ...ids: string[]): KalphiteEvent => ({ type: 'store:changed', at, origin: 'local', tag: null, version: at, changes: ids.map((id) => ({ id, before: undefined, after: e(id) })) });
const pushed = (at: number, space: string, lastMutationId: number): KalphiteEvent => ({ type: 'sync:push-succeeded', at, space, requestId: at, mutations: 1, bytes: 10, durationMs: 1, lastMutationId });
const acknowledged = (at: number, space: string, acknowledgedUpTo: number): KalphiteEvent => ({
  type: 'sync:pull-succeeded',
  at,
  space,
  requestId: at,
  durationMs: 1,
  bytes: 10,
  cookieBefore: 0,
  cookie: 1,
  patchSize: 0,
  applied: 0,
  skipped: 0,
  acknowledgedUpTo,
  more: false,
});

describe('traceDurability', () => {
  it('follows each write from memory to disk, server and acknowledgement', () => {
    const events: KalphiteEvent[] = [
      changed(1, 'a', 'b'),
      { type: 'flush:committed', at: 2, batchId: 1, size: 2, durationMs: 1, ids: ['a', 'b'], spaces: ['default', 'default'], mutationIds: [1, 2] },
      changed(3, 'c'),
      pushed(4, 'default', 2),
      acknowledged(5, 'default', 1),
    ];
    expect(traceDurability(events)).toEqual([
      { id: 'c', op: 'set', memoryAt: 3, diskAt: null, mutationId: null, serverAt: null, acknowledgedAt: null },
      { id: 'b', op: 'set', memoryAt: 1, diskAt: 2, mutationId: 2, serverAt: 4, acknowledgedAt: null },
      { id: 'a', op: 'set', memoryAt: 1, diskAt: 2, mutationId: 1, serverAt: 4, acknowledgedAt: 5 },
    ]);
  });

  it('mutation ids count per space: a push or an acknowledgement in one space moves only that space\'s writes', () => {
    const events: KalphiteEvent[] = [
      changed(1, 'a', 'r'),
      // Both are mutation 1, each in its own space.
      { type: 'flush:committed', at: 2, batchId: 1, size: 2, durationMs: 1, ids: ['a', 'r'], spaces: ['default', 'review:1'], mutationIds: [1, 1] },
      pushed(3, 'review:1', 1),
      acknowledged(4, 'default', 1),
    ];
    expect(traceDurability(events).map((w) => [w.id, w.mutationId, w.serverAt, w.acknowledgedAt])).toEqual([
      ['r', 1, 3, null],
      // Acknowledged without a push seen here (another tab's, or before the panel opened): it reached the server too.
      ['a', 1, 4, 4],
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
