import type { Entity, KalphiteStore } from '../src/engine/index.js';
import { entityProblem } from '../src/protocol/entity.js';
import { comments } from './fixtures.js';
import { quietEngine } from './engines.js';
import { median, ms, type Row } from './measure.js';
import { ReferenceStore } from './reference-store.js';

// One top-level loop per subject, so each is optimised once and reused by every sample; a loop in a
// closure made per sample is compiled again, on the stack, inside each sample's timed window.
function setAllInMap(map: Map<string, unknown>, entities: readonly Entity[]): void {
  for (const e of entities) map.set(e.id, e);
}
function setAllInReference(reference: ReferenceStore, entities: readonly Entity[]): void {
  for (const e of entities) reference.set(e.id, e);
}
function setAllInStore(store: KalphiteStore, entities: readonly Entity[]): void {
  for (const e of entities) store.entities.set(e.id, e);
}

/**
 * Layer 1 against a raw Map: inserts, updates, point reads, and cached reads by type. Writes go
 * through a real engine's store, so each figure includes validation, the type index, the flusher's
 * hand-over and the change event, timed up to the end of the one notification.
 */
export async function benchStore(n: number): Promise<Row[]> {
  const created = comments(n);
  const updated = comments(n, 1);
  // Small runs are a few milliseconds, where one garbage collection swings a median: take more.
  const runs = n >= 100_000 ? 7 : 21;

  // Each floor runs in the same conditions as its subject: next to a fresh engine, and for updates
  // filled before that engine's flush to PGlite (which leaves the CPU caches cold), as the store is.
  const empty = async () => ({ engine: await quietEngine(), map: new Map<string, unknown>(), reference: new ReferenceStore() });
  const filled = async () => {
    const subjects = await empty();
    const { engine, map, reference } = subjects;
    const { store } = engine.kalphite;
    store.batch(() => setAllInStore(store, created));
    setAllInMap(map, created);
    setAllInReference(reference, created);
    reference.dirty.clear();
    await engine.kalphite.flush();
    return subjects;
  };
  type Subjects = Awaited<ReturnType<typeof empty>>;
  /** Median time of `write` over fresh subjects from `setup`. */
  const time = (setup: () => Promise<Subjects>, write: (subjects: Subjects) => void) =>
    median({ runs, setup, run: write, teardown: ({ engine }) => engine.dispose() });
  const intoStore = (entities: readonly Entity[]) => ({ engine: { kalphite: { store } } }: Subjects) =>
    store.batch(() => setAllInStore(store, entities));

  const mapInsert = await time(empty, ({ map }) => setAllInMap(map, created));
  const storeInsert = await time(empty, intoStore(created));
  const mapUpdate = await time(filled, ({ map }) => setAllInMap(map, updated));
  const storeUpdate = await time(filled, intoStore(updated));
  const referenceInsert = await time(empty, ({ reference }) => setAllInReference(reference, created));
  const referenceUpdate = await time(filled, ({ reference }) => setAllInReference(reference, updated));
  // What the typed error on bad data costs by itself: the check every write runs.
  const validation = await time(filled, () => {
    for (const e of updated) if (entityProblem(e.id, e)) throw new Error(`bench data refused: ${e.id}`);
  });

  const ids = created.map((e) => e.id);
  const { engine, map } = await filled();
  const { store } = engine.kalphite;
  let sink = 0;
  // Reading every id once takes well under a millisecond: time several passes.
  const passes = 10;
  const mapGet = await median({
    runs,
    setup: () => map,
    run: (m) => {
      for (let pass = 0; pass < passes; pass++) for (const id of ids) if (m.get(id)) sink++;
    },
  });
  const storeGet = await median({
    runs,
    setup: () => store,
    run: (s) => {
      for (let pass = 0; pass < passes; pass++) for (const id of ids) if (s.getById(id)) sink++;
    },
  });

  const calls = 1000;
  store.getByType('comment');
  const cached = await median({
    runs,
    setup: () => store,
    run: (s) => {
      for (let i = 0; i < calls; i++) sink += s.getByType('comment').length;
    },
  });
  // The seed's getByType: a filter over every entity on every call.
  const values = () => Array.from(map.values() as Iterable<{ type: string }>);
  const scan = await median({
    runs: 5,
    setup: () => map,
    run: () => {
      for (let i = 0; i < 20; i++) sink += values().filter((e) => e.type === 'comment').length;
    },
  });
  await engine.dispose();
  if (sink === 42) console.log('');

  return [
    { figure: 'store `entities.set`, insert (+ one notification)', n, kalphite: ms(storeInsert), floor: `${ms(mapInsert)} (Map.set)`, ratio: storeInsert / mapInsert, target: '— (retired: see the peers)', pass: null },
    { figure: 'store `entities.set`, update (+ one notification)', n, kalphite: ms(storeUpdate), floor: `${ms(mapUpdate)} (Map.set)`, ratio: storeUpdate / mapUpdate, target: '— (retired: see the peers)', pass: null },
    { figure: '… of which validating each entity (`entityProblem`)', n, kalphite: ms(validation), floor: `${ms(mapUpdate)} (Map.set)`, ratio: validation / mapUpdate, target: '—', pass: null },
    { figure: 'the write target\'s reference (Map + type index + dirty set + version), insert', n, kalphite: ms(referenceInsert), floor: `${ms(mapInsert)} (Map.set)`, ratio: referenceInsert / mapInsert, target: '—', pass: null },
    { figure: 'the write target\'s reference, update', n, kalphite: ms(referenceUpdate), floor: `${ms(mapUpdate)} (Map.set)`, ratio: referenceUpdate / mapUpdate, target: '—', pass: null },
    { figure: 'store `getById`, every id', n, kalphite: ms(storeGet / passes), floor: `${ms(mapGet / passes)} (Map.get)`, ratio: storeGet / mapGet, target: '≤ 1.2×', pass: storeGet / mapGet <= 1.2 },
    {
      figure: '`getByType` on an unchanged type, per call',
      n,
      kalphite: ms(cached / calls),
      floor: `${ms(scan / 20)} (seed's filter scan)`,
      ratio: cached / calls / (scan / 20),
      target: 'O(1): flat in N',
      pass: cached / calls < 0.001,
    },
  ];
}
