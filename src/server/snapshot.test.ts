import { afterEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../protocol/push.js';
import { parseSnapshot } from '../protocol/snapshot.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createSyncCore, type SyncCore } from './core.js';
import { createPGliteBackend } from './pglite-backend.js';

let core: SyncCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

const upsert = (id: number, key: string, text: string): Mutation => ({ clientID: 'c', id, name: 'upsert', args: { id: key, type: 'note', data: { text } }, timestamp: 0 });

describe('core.snapshot (a server render’s read)', () => {
  it('reads each readable space’s live entities at its version, and leaves out the spaces the user may not read', async () => {
    core = await createSyncCore({
      backend: await createPGliteBackend(await freshPGlite()),
      authorize: ({ user, space, action }) => action === 'read' ? space !== 'private:ada' || user.id === 'ada' : true,
    });
    const push = (space: string, mutations: Mutation[]) => core!.push({ pushVersion: 1, clientGroupID: `g-${space}`, profileID: 'p', schemaVersion: '', mutations }, { user: { id: 'ada' }, space });
    await push('default', [upsert(1, 'b', 'second'), upsert(2, 'a', 'first')]);
    await push('default', [upsert(3, 'gone', 'soon'), { clientID: 'c', id: 4, name: 'delete', args: { id: 'gone' }, timestamp: 0 }]);
    await push('private:ada', [upsert(1, 'diary', 'mine')]);

    const forBob = await core.snapshot({ spaces: ['default', 'private:ada', 'empty'] }, { user: { id: 'bob' } });
    expect(forBob).toEqual({
      snapshotVersion: 1,
      spaces: [
        {
          space: 'default',
          version: 2,
          entities: [
            { id: 'a', type: 'note', data: { text: 'first' }, space: 'default' },
            { id: 'b', type: 'note', data: { text: 'second' }, space: 'default' },
          ],
        },
        { space: 'empty', version: 0, entities: [] },
      ],
    });
    // Plain JSON that the client's check takes as it is, after a trip through the page.
    expect(parseSnapshot(JSON.parse(JSON.stringify(forBob)))).toEqual(forBob);
    const forAda = await core.snapshot({ spaces: ['private:ada'] }, { user: { id: 'ada' } });
    expect(forAda.spaces[0]?.entities.map((e) => e.id)).toEqual(['diary']);
    await expect(core.snapshot({ spaces: ['no spaces here'] })).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
