import { utf8Length } from '../src/protocol/json.js';
import { patchOf } from '../src/protocol/patch.js';
import type { Entity } from '../src/protocol/entity.js';
import { createPGliteBackend } from '../src/server/pglite-backend.js';
import { createSyncCore, type SyncCore } from '../src/server/core.js';
import { freshPGlite } from './engines.js';
import { ms, type Row } from './measure.js';

/**
 * Issue 17: a one-field edit of a 2 KB entity, sent as a `patch` of that field against the whole
 * entity as an `upsert` (the floor: what every update cost before). Push bytes, and the server's
 * time for 10 pushes of 100 such edits through the core on PGlite. No target: the ratio is the finding.
 */
const ENTITIES = 1000;
const PUSHES = 10;
const SIZE = 100;

const review = (i: number, status: string): Entity => ({
  id: `r${i}`,
  type: 'review',
  data: { title: `Review ${i}`, status, author: 'ada', body: 'Lorem ipsum dolor sit amet. '.repeat(70), labels: ['sync', 'engine'], line: i },
});

function body(group: string, first: number, mutations: readonly { name: string; args: unknown }[]) {
  return {
    pushVersion: 1 as const,
    clientGroupID: group,
    profileID: 'bench',
    schemaVersion: '1',
    mutations: mutations.map((m, k) => ({ clientID: `${group}-client`, id: first + k, name: m.name, args: m.args as never, timestamp: 0 })),
  };
}

async function seeded(): Promise<{ core: SyncCore; close: () => Promise<void> }> {
  const pglite = await freshPGlite();
  const core = await createSyncCore({ backend: await createPGliteBackend(pglite) });
  for (let b = 0; b < ENTITIES / SIZE; b++) {
    await core.push(body('seed', b * SIZE + 1, Array.from({ length: SIZE }, (_, i) => ({ name: 'upsert', args: review(b * SIZE + i, 'open') }))));
  }
  return { core, close: async () => { await core.close(); await pglite.close(); } };
}

async function edits(kind: 'patch' | 'upsert'): Promise<{ bytes: number; ms: number }> {
  const { core, close } = await seeded();
  try {
    const pushes = Array.from({ length: PUSHES }, (_, p) =>
      body(`editor-${kind}`, p * SIZE + 1, Array.from({ length: SIZE }, (_, i) => {
        const edited = review(p * SIZE + i, 'resolved');
        return kind === 'patch' ? { name: 'patch', args: patchOf(edited, ['status'], review(p * SIZE + i, 'open')) } : { name: 'upsert', args: edited };
      })),
    );
    const bytes = pushes.reduce((sum, push) => sum + utf8Length(JSON.stringify(push)), 0);
    const start = performance.now();
    for (const push of pushes) await core.push(push);
    return { bytes, ms: performance.now() - start };
  } finally {
    await close();
  }
}

export async function benchPatch(): Promise<Row[]> {
  // Warm the wasm and the query plans once, so neither variant pays for it.
  await edits('upsert');
  const upsert = await edits('upsert');
  const patch = await edits('patch');
  const n = PUSHES * SIZE;
  return [
    { figure: 'push bytes, one-field edit of a 2 KB entity: patch vs whole-entity upsert', n, kalphite: `${Math.round(patch.bytes / n)} B/edit`, floor: `${Math.round(upsert.bytes / n)} B/edit (upsert)`, ratio: patch.bytes / upsert.bytes, target: 'report', pass: null },
    { figure: 'server time for those pushes (PGlite): patch vs upsert', n, kalphite: ms(patch.ms), floor: `${ms(upsert.ms)} (upsert)`, ratio: patch.ms / upsert.ms, target: 'report', pass: null },
  ];
}
