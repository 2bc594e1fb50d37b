import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncedEngines } from '../test-support/sync-engines.js';
import type { KalphiteEvent } from './events.js';
import type { Kalphite } from './instance.js';
import type { KalphiteOptions } from './options.js';
import type { Entity } from './store/entity.js';

const review = (data: Record<string, unknown>): Entity => ({ id: 'r1', type: 'review', data: data as Entity['data'], space: 'default' });
const base = { title: 'Fix flusher', status: 'open', body: 'The flusher drops writes.' };

let rig = new SyncedEngines();
const dirs: string[] = [];
afterEach(async () => {
  await rig.close();
  rig = new SyncedEngines();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Sets some fields of r1 as an app would: the whole entity, changed where it says. */
function edit(k: Kalphite, fields: Record<string, unknown>, tag?: string): void {
  const current = k.store.getById('r1')!;
  k.store.batch(() => k.store.entities.set('r1', review({ ...(current.data as object), ...fields })), tag === undefined ? undefined : { tag });
}

const dataOf = (k: Kalphite) => k.store.getById('r1')?.data;

async function twoEngines(options: KalphiteOptions = {}) {
  const s = await rig.server();
  const a = await rig.engine(s, options);
  const b = await rig.engine(s);
  a.store.entities.set('r1', review(base));
  await rig.settle(a, b);
  expect(dataOf(b)).toEqual(base);
  return { s, a, b };
}

describe('concurrent edits of one entity', () => {
  it('two clients offline edit different fields: both edits survive on every client and the server', async () => {
    const { s, a, b } = await twoEngines();
    edit(a, { status: 'resolved' });
    edit(b, { body: 'Fixed in #12.' });
    await a.flush();
    await b.flush();
    const pushed: KalphiteEvent[] = [];
    b.subscribe((event) => pushed.push(event));
    await a.sync!.push();
    await b.sync!.push();
    await rig.settle(a, b);
    const both = { ...base, status: 'resolved', body: 'Fixed in #12.' };
    expect(dataOf(a)).toEqual(both);
    expect(dataOf(b)).toEqual(both);
    expect(((await rig.serverState(s)).r1 as Entity).data).toEqual(both);
    expect(a.overwritten()).toEqual([]);
    expect(b.overwritten()).toEqual([]);
  });

  it('the same field ends in server order; the loser has a ledger entry and can re-apply its value', async () => {
    // Ada's confirming pull is still on its way when Grace's push lands (both came online at once).
    let hold: Promise<void> | null = null;
    const { s, a, b } = await twoEngines({
      fetch: async (input, init) => {
        if (String(input).includes('/pull') && hold) await hold;
        return fetch(input, init);
      },
    });
    let open = () => {};
    hold = new Promise<void>((resolve) => (open = resolve));
    edit(a, { title: 'From Ada' });
    edit(b, { title: 'From Grace' });
    await a.flush();
    await b.flush();
    await a.sync!.push();
    await b.sync!.push();
    open();
    await rig.settle(a, b);
    expect(dataOf(a)).toEqual({ ...base, title: 'From Grace' });
    expect(dataOf(b)).toEqual({ ...base, title: 'From Grace' });
    expect(b.overwritten()).toEqual([]);
    const [entry] = a.overwritten();
    expect(entry).toMatchObject({ id: 'r1', space: 'default', reason: 'overwritten', fields: ['title'], refusal: null });
    expect(entry!.mine?.data).toEqual({ ...base, title: 'From Ada' });
    expect(entry!.server?.data).toEqual({ ...base, title: 'From Grace' });
    expect(a.events.some((event) => event.type === 'sync:overwritten')).toBe(true);

    expect(a.reapply(entry!)).toEqual({ done: true });
    expect(a.overwritten()).toEqual([]);
    await rig.settle(a, b);
    expect(((await rig.serverState(s)).r1 as Entity).data).toEqual({ ...base, title: 'From Ada' });
    expect(dataOf(b)).toEqual({ ...base, title: 'From Ada' });
  });

  it('a same-field edit that lost after mine was confirmed: the server tells me, and my ledger has it', async () => {
    const { a, b } = await twoEngines();
    edit(a, { title: 'From Ada' });
    await rig.settle(a);
    expect(dataOf(a)).toEqual({ ...base, title: 'From Ada' });
    // Grace edits the title she last saw (the original), and the server orders her write after Ada's.
    edit(b, { title: 'From Grace' });
    await rig.settle(b);
    await a.sync!.pull();
    expect(dataOf(a)).toEqual({ ...base, title: 'From Grace' });
    expect(a.overwritten()).toMatchObject([{ id: 'r1', reason: 'overwritten', fields: ['title'] }]);
    expect(a.overwritten()[0]!.mine?.data).toEqual({ ...base, title: 'From Ada' });
    expect(b.overwritten()).toEqual([]);
    // Told once: another pull from the same cookie does not repeat it.
    await a.sync!.pull();
    expect(a.overwritten()).toHaveLength(1);

    // An edit made after seeing the other's value is no overwrite.
    edit(a, { title: 'Ada again, having read Grace' });
    await rig.settle(a, b);
    expect(b.overwritten()).toEqual([]);
  });

  it('a refused patch and a delete that won are in the ledger', async () => {
    const s = await rig.server({ resolvers: { review: (incoming) => ((incoming.data as { status?: string }).status === 'merged' ? null : incoming) } });
    const a = await rig.engine(s);
    const b = await rig.engine(s);
    a.store.entities.set('r1', review(base));
    a.store.entities.set('r2', { ...review(base), id: 'r2' });
    await rig.settle(a, b);
    edit(a, { status: 'merged' });
    await rig.settle(a);
    expect(dataOf(a)).toEqual(base);
    expect(a.overwritten()).toMatchObject([{ id: 'r1', reason: 'refused', fields: ['status'] }]);
    expect(a.overwritten()[0]!.refusal).toMatch(/refused/);

    // Grace deletes r2 while Ada's edit of it waits in her outbox: the delete wins at Ada's next pull.
    b.store.entities.delete('r2');
    await rig.settle(b);
    a.store.entities.set('r2', { ...review(base), id: 'r2', data: { ...base, body: 'late' } });
    await a.flush();
    await a.sync!.pull();
    expect(a.store.getById('r2')).toBeNull();
    expect(a.overwritten().at(-1)).toMatchObject({ id: 'r2', reason: 'deleted', server: null });
    await rig.settle(a, b);
    expect(a.store.getById('r2')).toBeNull();
  });

  it('a pull during an unacknowledged patch shows the remote change at once and keeps the local one, across a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-rebase-'));
    dirs.push(dir);
    const s = await rig.server();
    let a = await rig.engine(s, { dataDir: dir });
    const b = await rig.engine(s);
    a.store.entities.set('r1', review(base));
    await rig.settle(a, b);

    edit(a, { status: 'resolved' });
    await a.flush();
    edit(b, { body: 'Fixed in #12.' });
    await rig.settle(b);
    await a.sync!.pull();
    const both = { ...base, status: 'resolved', body: 'Fixed in #12.' };
    expect(dataOf(a)).toEqual(both);
    expect(a.inspect().outbox.length).toBe(1);

    await a.close();
    a = await rig.engine(s, { dataDir: dir });
    expect(dataOf(a)).toEqual(both);
    await rig.settle(a, b);
    expect(dataOf(b)).toEqual(both);
    expect(a.overwritten()).toEqual([]);
  });

  it('a write still in memory (not yet flushed) is put back on top of a pulled value', async () => {
    // A flush that waits a minute: the write stays in memory while the pull lands.
    const { a, b } = await twoEngines({ flushDelayMs: 60_000, flushMaxWaitMs: 60_000 });
    edit(b, { body: 'Fixed in #12.' });
    await rig.settle(b);
    edit(a, { status: 'resolved' });
    expect(a.inspect().flush.pending).toEqual([{ id: 'r1', op: 'patch' }]);
    await a.sync!.pull();
    expect(dataOf(a)).toEqual({ ...base, status: 'resolved', body: 'Fixed in #12.' });
    await rig.settle(a, b);
    expect(dataOf(b)).toEqual({ ...base, status: 'resolved', body: 'Fixed in #12.' });
  });

  it('a patch carries only the fields it changed', async () => {
    const bodies: string[] = [];
    const { a } = await twoEngines({
      fetch: async (input, init) => {
        if (String(input).includes('/push')) bodies.push(String(init?.body));
        return fetch(input, init);
      },
    });
    bodies.length = 0;
    edit(a, { status: 'resolved' });
    await rig.settle(a);
    const [mutation] = JSON.parse(bodies[0]!).mutations;
    expect(mutation).toMatchObject({ name: 'patch', args: { id: 'r1', type: 'review', set: { status: 'resolved' }, unset: [] } });
    expect(JSON.stringify(mutation.args)).not.toContain(base.body);
  });
});

describe('undo and redo', () => {
  it('undo leaves a field someone else changed since, reports it, and undoes the others; redo restores exactly', async () => {
    const { s, a, b } = await twoEngines();
    edit(a, { title: 'Retitled', status: 'resolved' }, 'Resolve review');
    await rig.settle(a, b);
    edit(b, { title: 'Grace’s title' });
    await rig.settle(b, a);
    expect(a.history.undoLabel).toBe('Resolve review');

    const skippedEvents: KalphiteEvent[] = [];
    a.subscribe((event) => event.type === 'history:skipped' && skippedEvents.push(event));
    const undone = a.history.undo();
    expect(undone).toEqual({ done: true, label: 'Resolve review', skipped: [{ id: 'r1', field: 'title', reason: 'changed' }] });
    expect(skippedEvents).toHaveLength(1);
    expect(dataOf(a)).toEqual({ ...base, title: 'Grace’s title', status: 'open' });
    await rig.settle(a, b);
    expect(((await rig.serverState(s)).r1 as Entity).data).toEqual({ ...base, title: 'Grace’s title', status: 'open' });
    expect(a.history.canRedo).toBe(true);

    expect(a.history.redo()).toMatchObject({ done: true, skipped: [{ id: 'r1', field: 'title', reason: 'changed' }] });
    expect(dataOf(a)).toEqual({ ...base, title: 'Grace’s title', status: 'resolved' });
    await rig.settle(a, b);
    expect(dataOf(b)).toEqual({ ...base, title: 'Grace’s title', status: 'resolved' });
  });
});
