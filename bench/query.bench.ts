import { BasicIndex, createCollection, createLiveQueryCollection, eq, localOnlyCollectionOptions } from '@tanstack/db';
import * as v from 'valibot';
import { z } from 'zod';
import type { Entity, KalphiteStore } from '../src/engine/index.js';
import { EntityValidator } from '../src/engine/store/schema.js';
import { MemoryStore } from '../src/engine/store/store.js';
import { quietEngine } from './engines.js';
import { median, ms, type Row } from './measure.js';

/**
 * The file view of a code review over a store of 100,000 comments: 100 files of 1,000 comments,
 * the view showing one file's comments sorted by line. Each figure is a p50 per write of "change
 * one comment, then read what the view shows", against TanStack DB's live query doing the same in
 * the same process (a local-only collection with an index on filePath, read through `toArray`).
 */
const FILES = 100;
const VIEWED = '/src/file-7.ts';

interface Comment {
  readonly id: string;
  readonly filePath: string;
  readonly line: number;
  readonly body: string;
}

function rows(n: number): Comment[] {
  const perFile = n / FILES;
  return Array.from({ length: n }, (_, i) => ({ id: `comment-${i}`, filePath: `/src/file-${i % FILES}.ts`, line: Math.floor(i / FILES) % perFile, body: `Comment ${i}` }));
}

const asEntity = (c: Comment): Entity => ({ id: c.id, type: 'comment', data: { filePath: c.filePath, line: c.line, body: c.body }, space: 'default' });

/** The k-th write: a comment of `file` moves to a line no other comment holds (ties would sort by id). */
function edit(k: number, file: number, n: number): { id: string; line: number } {
  const perFile = n / FILES;
  return { id: `comment-${file + FILES * ((k * 7919) % perFile)}`, line: ((k * 104_729) % perFile) + 0.5 + k / 1e7 };
}

const WRITES = 400;
const WARMUP = 50;

/** p50 of `write(k)` over WARMUP + WRITES writes, each after the event loop turned (TanStack settles its transactions then). */
async function perWrite(write: (k: number) => void): Promise<number> {
  const times: number[] = [];
  for (let k = 0; k < WARMUP + WRITES; k++) {
    const start = performance.now();
    write(k);
    const elapsed = performance.now() - start;
    if (k >= WARMUP) times.push(elapsed);
    await new Promise((resolve) => setImmediate(resolve));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const byLine = (a: Entity, b: Entity) => (a.data as { line: number }).line - (b.data as { line: number }).line || (a.id < b.id ? -1 : 1);
/** Today's selector: the whole type, filtered and sorted, on every change. */
const selectFile = (store: KalphiteStore, file: string) => store.getByType('comment').filter((e) => (e.data as { filePath: string }).filePath === file).sort(byLine);

function expectSame(label: string, actual: readonly { id: string }[], expected: readonly { id: string }[]): void {
  if (actual.length !== expected.length || actual.some((row, i) => row.id !== expected[i]!.id)) throw new Error(`bench: ${label} shows other rows than a fresh filter-and-sort`);
}

export async function benchQuery(n: number): Promise<Row[]> {
  const data = rows(n);
  const viewed = Number(/file-(\d+)/.exec(VIEWED)![1]);
  let sink = 0;

  // TanStack DB: a local-only collection, an index on filePath, a live query of one file by line.
  const collection = createCollection(localOnlyCollectionOptions<Comment, string>({ id: `comments-${n}`, getKey: (c) => c.id, initialData: data }));
  collection.createIndex((c) => c.filePath, { indexType: BasicIndex });
  const live = createLiveQueryCollection({ query: (q) => q.from({ c: collection }).where(({ c }) => eq(c.filePath, VIEWED)).orderBy(({ c }) => c.line), startSync: true });
  await live.preload();
  // A subscriber, as a mounted component has: without one the live query is collected after its gcTime and empties.
  const watching = live.subscribeChanges(() => {});
  const tanstack = await perWrite((k) => {
    const { id, line } = edit(k, viewed, n);
    collection.update(id, (draft) => {
      draft.line = line;
    });
    sink += live.toArray.length;
  });

  const { kalphite, dispose } = await quietEngine({ indexes: { comment: ['filePath'] } });
  const { store } = kalphite;
  store.batch(() => {
    for (const c of data) store.entities.set(c.id, asEntity(c));
  });
  store.getByType('comment');
  const write = (k: number, file: number) => {
    const { id, line } = edit(k, file, n);
    const { filePath, body } = store.getById(id)!.data as { filePath: string; body: string };
    // A batch of one: its commit (and the queries' delivery) happens before it returns.
    store.batch(() => store.entities.set(id, { id, type: 'comment', data: { filePath, line, body }, space: 'default' }));
  };
  const selector = await perWrite((k) => {
    write(k, viewed);
    sink += selectFile(store, VIEWED).length;
  });
  const query = store.query('comment', { where: { filePath: VIEWED }, orderBy: 'line' });
  const one = await perWrite((k) => {
    write(k + 10_000, viewed);
    sink += query.result.length;
  });
  expectSame('the live query', query.result, selectFile(store, VIEWED));
  expectSame('TanStack DB', live.toArray, [...collection.toArray].filter((c) => c.filePath === VIEWED).sort((a, b) => a.line - b.line || (a.id < b.id ? -1 : 1)));

  // One query per file: each write lands in one of them, and its view is read.
  const perFile = Array.from({ length: FILES }, (_, f) => store.query('comment', { where: { filePath: `/src/file-${f}.ts` }, orderBy: 'line' }));
  const hundred = await perWrite((k) => {
    const file = (k * 37) % FILES;
    write(k + 20_000, file);
    sink += perFile[file]!.result.length;
  });
  watching.unsubscribe();
  for (const q of perFile) q.dispose();
  query.dispose();
  await dispose();

  // Creating a query over N entities (its first result), against a plain filter-and-sort.
  const entities = data.map(asEntity);
  const loaded = (options: ConstructorParameters<typeof MemoryStore>[0]) => () => {
    const s = new MemoryStore(options);
    s.load(entities);
    s.getByType('comment');
    return s;
  };
  const runs = 9;
  const filterSort = await median({ runs, setup: loaded({}), run: (s) => (sink += selectFile(s, VIEWED).length) });
  const declared = await median({ runs, setup: loaded({ indexes: { comment: ['filePath'] } }), run: (s) => (sink += s.query('comment', { where: { filePath: VIEWED }, orderBy: 'line' }).result.length) });
  const firstUse = await median({ runs, setup: loaded({}), run: (s) => (sink += s.query('comment', { where: { filePath: VIEWED }, orderBy: 'line' }).result.length) });

  // What a schema costs a write: 10,000 updates through a store with zod, valibot, or none.
  const zodSchema = { comment: z.object({ filePath: z.string(), line: z.number().nonnegative(), body: z.string() }) };
  const valibotSchema = { comment: v.object({ filePath: v.string(), line: v.pipe(v.number(), v.minValue(0)), body: v.string() }) };
  const some = entities.slice(0, 10_000);
  const writesThrough = (options: ConstructorParameters<typeof MemoryStore>[0]) =>
    median({
      runs: 11,
      setup: () => new MemoryStore(options),
      run: (s) => s.batch(() => {
        for (const e of some) s.set(e.id, e);
      }),
    });
  const bare = await writesThrough({});
  const withZod = await writesThrough({ schema: new EntityValidator(zodSchema, false) });
  const withValibot = await writesThrough({ schema: new EntityValidator(valibotSchema, false) });
  if (sink === 42) console.log('');

  const perSome = (t: number) => ms(t / some.length);
  return [
    { figure: 'a write + the file view, today\'s selector (getByType → filter → sort), p50', n, kalphite: ms(selector), floor: `${ms(tanstack)} (TanStack DB live query)`, ratio: selector / tanstack, target: '—', pass: null },
    { figure: 'a write + the file view, live query (1,000 sorted rows), p50', n, kalphite: ms(one), floor: `${ms(tanstack)} (TanStack DB live query)`, ratio: one / tanstack, target: '≤ 0.1 ms, ≤ 0.2×', pass: one <= 0.1 && one / tanstack <= 0.2 },
    { figure: '… with 100 live queries open (one per file)', n, kalphite: ms(hundred), floor: `${ms(one)} (one query open)`, ratio: hundred / one, target: '≤ 1.5×', pass: hundred / one <= 1.5 },
    { figure: 'creating a query (first result), index declared', n, kalphite: ms(declared), floor: `${ms(filterSort)} (filter + sort)`, ratio: declared / filterSort, target: '≤ 1.5×', pass: declared / filterSort <= 1.5 },
    { figure: 'creating a query (first result), index built by it', n, kalphite: ms(firstUse), floor: `${ms(filterSort)} (filter + sort)`, ratio: firstUse / filterSort, target: '≤ 3×', pass: firstUse / filterSort <= 3 },
    { figure: 'a write with a zod 4 schema, per write', n: some.length, kalphite: perSome(withZod), floor: `${perSome(bare)} (no schema)`, ratio: withZod / bare, target: '—', pass: null },
    { figure: 'a write with a valibot 1 schema, per write', n: some.length, kalphite: perSome(withValibot), floor: `${perSome(bare)} (no schema)`, ratio: withValibot / bare, target: '—', pass: null },
  ];
}
