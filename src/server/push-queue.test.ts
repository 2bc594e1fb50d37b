import { describe, expect, it } from 'vitest';
import type { Mutation, PushRequest } from '../protocol/push.js';
import { freshPGlite } from '../test-support/pglite.js';
import type { SyncBackend } from './backend.js';
import { createSyncCore } from './core.js';
import { createPGliteBackend } from './pglite-backend.js';

/** A backend that counts its write transactions. */
async function countingBackend(): Promise<{ backend: SyncBackend; writes: () => number }> {
  const inner = await createPGliteBackend(await freshPGlite());
  let writes = 0;
  return {
    backend: {
      ...inner,
      transaction: (mode, fn) => {
        if (mode === 'write') writes++;
        return inner.transaction(mode, fn);
      },
    },
    writes: () => writes,
  };
}

const upsert = (clientID: string, id: number, key: string): Mutation => ({ clientID, id, name: 'upsert', args: { id: key, type: 'note', data: { by: clientID } }, timestamp: 0 });
const push = (group: string, mutations: Mutation[]): PushRequest => ({ pushVersion: 1, clientGroupID: group, profileID: '', schemaVersion: '', mutations });

describe('pushes to one space that queue meanwhile share a transaction', () => {
  it('twenty concurrent pushes each apply once, in fewer transactions, with one version each', async () => {
    const { backend, writes } = await countingBackend();
    const core = await createSyncCore({ backend });
    const before = writes();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => core.push(push(`g${i}`, [upsert(`c${i}`, 1, `n${i}`)]), { space: 'busy' })));
    expect(outcomes.map((o) => o.applied)).toEqual(Array(20).fill(1));
    expect(outcomes.map((o) => o.version).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(writes() - before).toBeLessThan(20);
    const pulled = await core.pull({ pullVersion: 1, clientGroupID: 'reader', profileID: '', schemaVersion: '', cookie: null }, { space: 'busy' });
    expect(pulled.cookie).toBe(20);
    expect(pulled.patch.filter((op) => op.op === 'put')).toHaveLength(20);
  });

  it('a push refused in a shared transaction rolls back alone: the others commit', async () => {
    const { backend } = await countingBackend();
    const core = await createSyncCore({ backend });
    // Ada's group, then Grace naming it (rule 7) and a push from the future, among good pushes.
    await core.push(push('ada-group', [upsert('ada', 1, 'a1')]), { user: { id: 'ada' }, space: 's' });
    const results = await Promise.allSettled([
      core.push(push('g1', [upsert('c1', 1, 'ok-1')]), { space: 's' }),
      core.push(push('ada-group', [upsert('grace', 1, 'stolen')]), { user: { id: 'grace' }, space: 's' }),
      core.push(push('g2', [upsert('c2', 5, 'from-the-future')]), { space: 's' }),
      core.push(push('g3', [upsert('c3', 1, 'ok-3')]), { space: 's' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : null))).toEqual([null, 'forbidden', 'mutation-from-future', null]);
    const pulled = await core.pull({ pullVersion: 1, clientGroupID: 'reader', profileID: '', schemaVersion: '', cookie: null }, { space: 's' });
    expect(pulled.patch.flatMap((op) => (op.op === 'put' ? [op.key] : [])).sort()).toEqual(['a1', 'ok-1', 'ok-3']);
    // The group Grace named is still Ada's, and no binding of it was left behind for Grace.
    await expect(core.push(push('ada-group', [upsert('ada', 2, 'a2')]), { user: { id: 'ada' }, space: 's' })).resolves.toMatchObject({ applied: 1 });
  });
});
