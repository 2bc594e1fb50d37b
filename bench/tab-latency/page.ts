import { createKalphite } from '../../src/engine/index.js';

/** One tab of the cross-tab benchmark: a real engine on IndexedDB, and a bare BroadcastChannel as the floor. */
const kalphite = await createKalphite({ dataDir: 'idb://kalphite-bench-tabs' });
const raw = new BroadcastChannel('kalphite-bench-raw');
const now = () => performance.timeOrigin + performance.now();
const latencies = { kalphite: [] as number[], raw: [] as number[] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

kalphite.store.subscribe(({ origin, changes }) => {
  if (origin !== 'tab') return;
  for (const change of changes) {
    const sent = (change.after?.data as { sentAt?: unknown } | undefined)?.sentAt;
    if (typeof sent === 'number') latencies.kalphite.push(now() - sent);
  }
});
raw.onmessage = (event: MessageEvent<{ sentAt: number }>) => latencies.raw.push(now() - event.data.sentAt);

Object.assign(globalThis, {
  bench: {
    tabs: () => kalphite.inspect().tabs,
    async write(count: number) {
      for (let i = 0; i < count; i++) {
        const id = `sample-${i}-${Math.random().toString(36).slice(2)}`;
        kalphite.store.entities.set(id, { id, type: 'sample', data: { sentAt: now() } });
        await sleep(20);
      }
    },
    async raw(count: number) {
      for (let i = 0; i < count; i++) {
        raw.postMessage({ sentAt: now() });
        await sleep(20);
      }
    },
    latencies: () => latencies,
  },
});
document.body.dataset.ready = 'true';
