import { createCollection, localOnlyCollectionOptions } from '@tanstack/db';
import { Replicache, TEST_LICENSE_KEY, type ReadonlyJSONValue, type WriteTransaction } from 'replicache';
import { createStore as createTinyBase } from 'tinybase';
import { createStore as createZustand } from 'zustand/vanilla';
import type { Entity, KalphiteStore } from '../src/engine/index.js';
import { quietEngine } from './engines.js';
import { comments } from './fixtures.js';
import { median, ms, type Row } from './measure.js';
import { ReferenceStore } from './reference-store.js';

type Cells = Record<string, string | number | boolean>;
const cells = (entity: Entity): Cells => entity.data as Cells;

/** A peer under test: a fresh instance, writing every entity as its users would (one transaction), and reading every id. */
interface Subject<S> {
  readonly name: string;
  open(): Promise<S> | S;
  write(subject: S, entities: readonly Entity[]): Promise<void> | void;
  read(subject: S, entities: readonly Entity[]): Promise<number> | number;
  close?(subject: S): Promise<void> | void;
}

const kalphite: Subject<{ store: KalphiteStore; dispose: () => Promise<void> }> = {
  name: 'Kalphite',
  open: async () => {
    const engine = await quietEngine();
    return { store: engine.kalphite.store, dispose: engine.dispose };
  },
  write: ({ store }, entities) =>
    store.batch(() => {
      for (const e of entities) store.entities.set(e.id, e);
    }),
  read: ({ store }, entities) => {
    let found = 0;
    for (const e of entities) if (store.getById(e.id)) found++;
    return found;
  },
  close: ({ dispose }) => dispose(),
};

const reference: Subject<ReferenceStore> = {
  name: 'reference (Map + type index + dirty set + version)',
  open: () => new ReferenceStore(),
  write: (store, entities) => {
    for (const e of entities) store.set(e.id, e);
  },
  read: (store, entities) => {
    let found = 0;
    for (const e of entities) if (store.entities.get(e.id)) found++;
    return found;
  },
};

/** A zustand store holding a Map and a version it bumps per write, as an app would roll its own. */
const zustand: Subject<ReturnType<typeof zustandStore>> = {
  name: 'zustand (Map + version counter)',
  open: () => zustandStore(),
  write: (store, entities) => {
    const { entities: map } = store.getState();
    for (const e of entities) {
      map.set(e.id, e);
      store.setState((state) => ({ version: state.version + 1 }));
    }
  },
  read: (store, entities) => {
    const { entities: map } = store.getState();
    let found = 0;
    for (const e of entities) if (map.get(e.id)) found++;
    return found;
  },
};
const zustandStore = () => createZustand<{ entities: Map<string, Entity>; version: number }>(() => ({ entities: new Map(), version: 0 }));

const tinybase: Subject<ReturnType<typeof createTinyBase>> = {
  name: 'TinyBase (setRow / getRow)',
  open: () => createTinyBase(),
  write: (store, entities) => {
    store.transaction(() => {
      for (const e of entities) store.setRow(e.type, e.id, cells(e));
    });
  },
  read: (store, entities) => {
    let found = 0;
    for (const e of entities) if (store.hasRow(e.type, e.id) && store.getRow(e.type, e.id)) found++;
    return found;
  },
};

const tanstack: Subject<ReturnType<typeof tanstackCollection>> = {
  name: 'TanStack DB (insert / get)',
  open: () => tanstackCollection(),
  write: async (collection, entities) => {
    await collection.insert(entities as Entity[]).isPersisted.promise;
  },
  read: (collection, entities) => {
    let found = 0;
    for (const e of entities) if (collection.get(e.id)) found++;
    return found;
  },
  close: (collection) => collection.cleanup(),
};
let collections = 0;
const tanstackCollection = () => createCollection(localOnlyCollectionOptions<Entity, string>({ id: `peers-${++collections}`, getKey: (e) => e.id }));

const mutators = {
  putMany: async (tx: WriteTransaction, entities: ReadonlyJSONValue) => {
    for (const e of entities as unknown as readonly Entity[]) await tx.set(e.id, e as unknown as ReadonlyJSONValue);
  },
};
let replicaches = 0;
const replicache: Subject<Replicache<typeof mutators>> = {
  name: 'Replicache (putMany in one mutation / get in one query)',
  open: () => new Replicache({ name: `peers-${++replicaches}`, licenseKey: TEST_LICENSE_KEY, mutators, kvStore: 'mem', pullInterval: null }),
  write: async (rep, entities) => {
    await rep.mutate.putMany(entities as unknown as ReadonlyJSONValue);
  },
  read: (rep, entities) =>
    rep.query(async (tx) => {
      let found = 0;
      for (const e of entities) if (await tx.get(e.id)) found++;
      return found;
    }),
  close: (rep) => rep.close(),
};

/** Median write and read times of one subject: each write sample into a fresh instance, reads on a filled one. */
async function measure<S>(subject: Subject<S>, entities: readonly Entity[], runs: number): Promise<{ write: number; read: number }> {
  const write = await median({
    runs,
    setup: () => subject.open(),
    run: (s) => subject.write(s, entities),
    teardown: (s) => subject.close?.(s),
  });
  const filled = await subject.open();
  await subject.write(filled, entities);
  const read = await median({
    runs,
    setup: () => filled,
    run: async (s) => {
      const found = await subject.read(s, entities);
      if (found !== entities.length) throw new Error(`${subject.name} read ${found} of ${entities.length}`);
    },
  });
  await subject.close?.(filled);
  return { write, read };
}

/**
 * The store against its peers, measured in the same run: N inserts in one transaction each peer
 * offers, and N point reads. Targets: ≥ 10× faster than every peer on writes, ≥ 1.5× on reads,
 * and within 1.3× of the reference design measured beside it.
 */
export async function benchStorePeers(n: number): Promise<Row[]> {
  const entities = comments(n);
  const runs = n >= 100_000 ? 5 : 11;
  const ours = await measure(kalphite, entities, runs);
  const floor = await measure(reference, entities, runs);
  const rows: Row[] = [
    { figure: 'store write (N inserts in one batch) vs the reference design', n, kalphite: ms(ours.write), floor: `${ms(floor.write)} (${reference.name})`, ratio: ours.write / floor.write, target: '≤ 1.3×', pass: ours.write / floor.write <= 1.3 },
    { figure: 'store read (`getById` of every id) vs the reference design', n, kalphite: ms(ours.read), floor: `${ms(floor.read)} (Map.get)`, ratio: ours.read / floor.read, target: '≤ 1.3×', pass: ours.read / floor.read <= 1.3 },
  ];
  for (const peer of [tinybase, replicache, tanstack, zustand] as Subject<unknown>[]) {
    const theirs = await measure(peer, entities, n >= 100_000 ? 3 : runs);
    const rated = peer !== zustand;
    rows.push(
      { figure: `store write vs ${peer.name}`, n, kalphite: ms(ours.write), floor: ms(theirs.write), ratio: ours.write / theirs.write, target: rated ? '≤ 0.1× (10× faster)' : '—', pass: rated ? ours.write / theirs.write <= 0.1 : null },
      { figure: `store read vs ${peer.name}`, n, kalphite: ms(ours.read), floor: ms(theirs.read), ratio: ours.read / theirs.read, target: rated ? '≤ 0.67× (1.5× faster)' : '—', pass: rated ? ours.read / theirs.read <= 1 / 1.5 : null },
    );
  }
  return rows;
}
