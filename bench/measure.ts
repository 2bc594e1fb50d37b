/** Median wall time of `runs` calls after `warmup` calls; each call gets fresh state from `setup`. */
export async function median<S>(options: {
  runs: number;
  warmup?: number;
  setup: () => S | Promise<S>;
  run: (state: S) => unknown;
  teardown?: (state: S) => unknown;
}): Promise<number> {
  const times: number[] = [];
  const total = (options.warmup ?? 2) + options.runs;
  for (let i = 0; i < total; i++) {
    const state = await options.setup();
    const start = performance.now();
    await options.run(state);
    const elapsed = performance.now() - start;
    await options.teardown?.(state);
    if (i >= (options.warmup ?? 2)) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

export interface Row {
  readonly figure: string;
  readonly n: number;
  readonly kalphite: string;
  readonly floor: string;
  readonly ratio: number;
  readonly target: string;
  /** null: a figure that explains others, with no target of its own. */
  readonly pass: boolean | null;
}

export const ms = (value: number): string => (value < 0.01 ? `${(value * 1000).toFixed(2)} µs` : `${value.toFixed(2)} ms`);
export const perSecond = (count: number, millis: number): string => `${Math.round((count / millis) * 1000).toLocaleString('en-US')}/s`;

export function printTable(rows: readonly Row[]): void {
  console.log('| figure | N | Kalphite | floor | ratio | target | |');
  console.log('|---|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    console.log(`| ${r.figure} | ${r.n.toLocaleString('en-US')} | ${r.kalphite} | ${r.floor} | ${r.ratio.toFixed(2)}× | ${r.target} | ${r.pass === null ? '' : r.pass ? 'met' : 'MISSED'} |`);
  }
}
