/**
 * A seeded random source for the fault test. Every decision the test makes (which write, which
 * fault, when to kill what) comes from here, so a seed names a run. Timing still varies between
 * machines (real processes, real sockets), so a seed reproduces the schedule, not every interleaving.
 */
export interface Random {
  readonly seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An independent stream (one per client, per fetch wrapper), so one consumer's calls do not shift another's. */
  fork(label: string): Random;
}

/** The seed from KALPHITE_CHAOS_SEED, or a fresh random one. */
export function chaosSeed(): number {
  const fromEnv = process.env.KALPHITE_CHAOS_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`KALPHITE_CHAOS_SEED must be a non-negative integer (got ${fromEnv}).`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: tiny, fast and good enough to drive a test schedule. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const random: Random = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    fork: (label) => {
      let hash = seed ^ 0x9e3779b9;
      for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
      return seededRandom(hash >>> 0);
    },
  };
  return random;
}
