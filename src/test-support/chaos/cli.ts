/**
 * `npm run chaos`: the long run of the randomized fault test, round after round until one fails
 * or the rounds are done. Environment:
 *   KALPHITE_CHAOS_SEED     first round's seed (default random; round i uses seed + i)
 *   KALPHITE_CHAOS_ROUNDS   rounds (default 20)
 *   KALPHITE_CHAOS_BACKEND  pglite | postgres | both (default both, alternating)
 *   KALPHITE_CHAOS_SECONDS  seconds of faults per round (default 30)
 *   KALPHITE_CHAOS_CLIENTS  clients per round (default 3)
 *   KALPHITE_CHAOS_KEEP_GOING=1  run every round even after a failure
 * Every round prints its seed; KALPHITE_CHAOS_SEED=<it> KALPHITE_CHAOS_ROUNDS=1 replays its schedule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAvailable } from '../postgres.js';
import { chaosSeed } from './random.js';
import { prepareBlankFolder, runChaosRound, type ChaosReport } from './round.js';

const seed = chaosSeed();
const rounds = positive('KALPHITE_CHAOS_ROUNDS', 20);
const seconds = positive('KALPHITE_CHAOS_SECONDS', 30);
const clients = positive('KALPHITE_CHAOS_CLIENTS', 3);
const keepGoing = process.env.KALPHITE_CHAOS_KEEP_GOING === '1';
const choice = process.env.KALPHITE_CHAOS_BACKEND ?? 'both';
if (choice !== 'pglite' && choice !== 'postgres' && choice !== 'both') throw new Error(`KALPHITE_CHAOS_BACKEND must be pglite, postgres or both (got ${choice}).`);
const backends: ('pglite' | 'postgres')[] = choice === 'both' ? ((await postgresAvailable()) ? ['pglite', 'postgres'] : ['pglite']) : [choice];

console.log(`chaos: seed ${seed}, ${rounds} rounds of ${seconds} s on ${backends.join(' and ')}, ${clients} clients (KALPHITE_CHAOS_SEED=${seed} replays this run)`);
const root = mkdtempSync(join(tmpdir(), 'kalphite-chaos-'));
const failed: ChaosReport[] = [];
try {
  const blank = join(root, 'blank');
  await prepareBlankFolder(blank);
  for (let round = 0; round < rounds; round++) {
    const backend = backends[round % backends.length]!;
    const roundSeed = seed + round;
    console.log(`\nround ${round + 1}/${rounds}: ${backend}, seed ${roundSeed}`);
    const report = await runChaosRound({ seed: roundSeed, backend, blankFolder: blank, workDir: join(root, `round-${round}`), clients, faultMs: seconds * 1000, log: console.log });
    rmSync(join(root, `round-${round}`), { recursive: true, force: true });
    if (report.problems.length > 0) {
      failed.push(report);
      for (const problem of report.problems) console.log(`  ✗ ${problem}`);
      console.log(`  replay: KALPHITE_CHAOS_SEED=${roundSeed} KALPHITE_CHAOS_ROUNDS=1 KALPHITE_CHAOS_BACKEND=${backend} KALPHITE_CHAOS_SECONDS=${seconds} npm run chaos`);
      if (!keepGoing) break;
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(failed.length === 0 ? `\nchaos: all rounds held (seed ${seed})` : `\nchaos: ${failed.length} round(s) failed: seeds ${failed.map((r) => `${r.seed} (${r.backend})`).join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got ${raw}).`);
  return value;
}
