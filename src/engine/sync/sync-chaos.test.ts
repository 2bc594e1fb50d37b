import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed } from '../../test-support/chaos/random.js';
import { prepareBlankFolder, runChaosRound, summary, type ChaosReport } from '../../test-support/chaos/round.js';
import { postgresAvailable } from '../../test-support/postgres.js';

/**
 * The short run of the randomized fault test (the long one is `npm run chaos`). The seed is
 * printed first: KALPHITE_CHAOS_SEED=<seed> replays the same schedule of writes and faults.
 */
const seed = chaosSeed();
const hasPostgres = await postgresAvailable();
const FAULT_MS = 12_000;
let root = '';
let blank = '';

beforeAll(async () => {
  console.log(`\nchaos seed ${seed}: KALPHITE_CHAOS_SEED=${seed} npx vitest run --project node src/engine/sync-chaos.test.ts replays it\n`);
  root = mkdtempSync(join(tmpdir(), 'kalphite-chaos-'));
  blank = join(root, 'blank');
  await prepareBlankFolder(blank);
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function expectSurvived(report: ChaosReport): void {
  const context = `seed ${report.seed} (${report.backend}): ${summary(report.stats)}`;
  expect(report.problems, `${context}\n${report.problems.join('\n')}`).toEqual([]);
  // The faults really happened, and writes really went through them.
  expect(report.stats.serverKills, context).toBeGreaterThan(0);
  expect(report.stats.clientRestarts, context).toBeGreaterThan(0);
  expect(report.stats.fetch.faulted, context).toBeGreaterThan(0);
  expect(report.stats.acknowledged, context).toBeGreaterThan(0);
}

describe('randomized faults: server SIGKILLed, clients restarted, requests dropped, duplicated and delayed', () => {
  it('on a PGlite folder: every outbox drains on its own, every client and a new one equal the server, nothing acknowledged is lost, no delete comes back', async () => {
    const report = await runChaosRound({ seed, backend: 'pglite', blankFolder: blank, workDir: join(root, 'pglite'), faultMs: FAULT_MS, log: console.log });
    expectSurvived(report);
  }, 120_000);

  it.skipIf(!hasPostgres)('on PostgreSQL, with the server’s connections terminated too: the same holds', async () => {
    const report = await runChaosRound({ seed: seed + 1, backend: 'postgres', blankFolder: blank, workDir: join(root, 'postgres'), faultMs: FAULT_MS, log: console.log });
    expectSurvived(report);
  }, 120_000);
});
