import type { Random } from './random.js';

/** What the wrapper did, for the run's summary (and to show that faults really happened). */
export interface FetchFaultCounts {
  /** Push and pull requests the engines made (poke streams not counted). */
  requests: number;
  /** Of those, how many got a fault. */
  faulted: number;
  dropped: number;
  responsesLost: number;
  duplicated: number;
  delayed: number;
  /** Requests that failed on their own (the server was down or restarting). */
  unreachable: number;
  /** Answers by status class, e.g. `{ '2xx': 900, '5xx': 3 }`. */
  statuses: Record<string, number>;
}

export interface FaultyFetchOptions {
  readonly random: Random;
  /** Where the server is now: it moves to a new port on every restart. */
  readonly target: () => string;
  /** Faults are injected only while this says so (off for the quiescence phase). */
  readonly faulty: () => boolean;
  /** Probability that a request suffers some fault (default 0.3). */
  readonly rate?: number;
  readonly counts: FetchFaultCounts;
}

export function emptyFaultCounts(): FetchFaultCounts {
  return { requests: 0, faulted: 0, dropped: 0, responsesLost: 0, duplicated: 0, delayed: 0, unreachable: 0, statuses: {} };
}

/**
 * The engine's fetch in the fault test. Clients are configured with a placeholder origin; each
 * request goes to wherever the server listens now. While faults are on, push and pull requests
 * are dropped before the server, lose their response after the server committed, are sent twice
 * (one after the other, or both at once so two identical pushes race on the server) and are
 * delayed. The poke stream is routed but not faulted: it carries no data, and a broken one is
 * already exercised by every server kill.
 */
export function faultyFetch(options: FaultyFetchOptions): typeof fetch {
  const { random, counts } = options;
  const rate = options.rate ?? 0.3;
  const send = async (url: string, init: RequestInit | undefined): Promise<Response> => {
    try {
      const response = await fetch(url, init);
      const bucket = `${Math.floor(response.status / 100)}xx`;
      counts.statuses[bucket] = (counts.statuses[bucket] ?? 0) + 1;
      return response;
    } catch (error) {
      counts.unreachable++;
      throw error;
    }
  };
  return async (input, init) => {
    const requested = new URL(input instanceof Request ? input.url : String(input));
    const url = `${options.target()}${requested.pathname}${requested.search}`;
    if (requested.pathname.endsWith('/poke')) return send(url, init);
    counts.requests++;
    if (!options.faulty() || !random.chance(rate)) return send(url, init);
    counts.faulted++;
    if (random.chance(0.3)) {
      counts.delayed++;
      await delay(random.int(1, 250));
    }
    const fault = random.pick(['drop', 'lose-response', 'duplicate-after', 'duplicate-together', 'slow-response'] as const);
    switch (fault) {
      case 'drop':
        counts.dropped++;
        throw new TypeError('fetch failed (chaos: dropped before the server)');
      case 'lose-response': {
        const response = await send(url, init);
        // Read it, so the server has finished with the request, then pretend the connection died.
        await response.arrayBuffer().catch(() => {});
        counts.responsesLost++;
        throw new TypeError('fetch failed (chaos: the response was lost after the server answered)');
      }
      case 'duplicate-after': {
        counts.duplicated++;
        const first = await send(url, init);
        await first.arrayBuffer().catch(() => {});
        return send(url, init);
      }
      case 'duplicate-together': {
        counts.duplicated++;
        const [first, second] = await Promise.allSettled([send(url, init), send(url, init)]);
        if (first.status === 'fulfilled') await first.value.arrayBuffer().catch(() => {});
        if (second.status === 'rejected') throw second.reason;
        return second.value;
      }
      case 'slow-response': {
        counts.delayed++;
        const response = await send(url, init);
        const body = await response.arrayBuffer();
        await delay(random.int(50, 400));
        return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
      }
    }
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
