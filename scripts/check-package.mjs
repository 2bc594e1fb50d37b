// The package as a user installs it: builds, loads each entry of the exports map from dist
// (scripts/check-exports.mjs), checks each entry's size budget (.size-limit.mjs),
// packs the tarball `npm publish` would upload, checks it with publint (package.json against the
// files) and are-the-types-wrong (each export's types resolve), then installs it into a copy of
// fixtures/consumer — an app outside this repository — type-checks that app against every entry and
// builds it with Vite. Everything happens in a scratch folder, so nothing is left in the repository.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const run = (command, args, options = {}) => execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
const tsc = join(repo, 'node_modules/typescript/bin/tsc');

/** Prints how long each step took: this script runs in every `npm test`. */
async function step(name, work) {
  const started = performance.now();
  await work();
  console.log(`check:package: ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const scratch = mkdtempSync(join(tmpdir(), 'kalphite-pack-'));
try {
  let tarball = '';
  await step('built and packed', () => {
    run('npm', ['run', 'build']);
    const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    tarball = join(scratch, filename);
  });
  // The built package loads under its own name, each entry with its types (what CI checked after a second build).
  await step('every entry of the exports map loads', () => run(process.execPath, [join(repo, 'scripts/check-exports.mjs')]));
  await step('size budgets', () => run('npx', ['--no-install', 'size-limit']));
  await step('publint and are-the-types-wrong', () => {
    // --strict: a warning (a file the exports name but the tarball lacks) fails too.
    run('npx', ['--no-install', 'publint', '--strict', tarball]);
    // ESM only, on purpose: require() from CommonJS and the pre-exports node10 resolution are not offered.
    run('npx', ['--no-install', 'attw', '--profile', 'esm-only', tarball]);
  });

  const consumer = join(scratch, 'consumer');
  await step('the consumer app installed the tarball', () => {
    cpSync(join(repo, 'fixtures/consumer'), consumer, { recursive: true });
    // Only what an app would add itself: the tarball, and react, msw and types at this repo's versions.
    const fixture = JSON.parse(readFileSync(join(consumer, 'package.json'), 'utf8'));
    const pinned = (names) => Object.fromEntries(names.map((name) => [name, pkg.devDependencies[name]]));
    fixture.dependencies = { kalphite: `file:${tarball}`, ...pinned(['react', 'react-dom', 'msw']) };
    fixture.devDependencies = pinned(['@types/react', '@types/react-dom', '@types/node']);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify(fixture, null, 2));
    // From npm's cache where it can (CI's npm ci filled it): a cold install fetches ~100 packages.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error'], { cwd: consumer });
  });
  await step('the consumer app type-checks against every entry (Bundler and NodeNext)', () => {
    run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.json')]);
    run(process.execPath, [tsc, '-p', join(consumer, 'tsconfig.node.json')]);
  });
  await step("the Storybook preset finds its manager and preview entries in the installed package", () => {
    const script = "const p = await import('kalphite/storybook/preset'); for (const f of [...p.managerEntries(), ...p.previewAnnotations()]) (await import('node:fs')).statSync(f);";
    run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer });
  });
  await step('the consumer app builds with Vite', async () => {
    const { build, createLogger } = await import('vite');
    // PGlite's own warnings (a direct eval, node:module left out of a browser build) are not ours.
    const logger = createLogger('warn');
    const warn = logger.warn;
    logger.warn = (message, options) => (message.includes('@electric-sql/pglite') ? undefined : warn(message, options));
    const outDir = join(consumer, 'dist');
    await build({ root: consumer, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir, chunkSizeWarningLimit: 4096 } });
    // `<KalphiteDevtools>` from `kalphite/devtools` renders nothing in production, and ships nothing.
    const shipped = readdirSync(join(outDir, 'assets')).filter((file) => file.endsWith('.js') && readFileSync(join(outDir, 'assets', file), 'utf8').includes('kalphite-devtools'));
    if (shipped.length > 0) throw new Error(`The consumer's production build ships the devtools (in ${shipped.join(', ')}).`);
    // The hooks' render reports are for development: their code (which names itself in a string) is dropped too.
    const reporting = readdirSync(join(outDir, 'assets')).filter((file) => file.endsWith('.js') && readFileSync(join(outDir, 'assets', file), 'utf8').includes('callingComponentName'));
    if (reporting.length > 0) throw new Error(`The consumer's production build ships the hooks' render reporter (in ${reporting.join(', ')}).`);
  });
} catch (error) {
  // The tool printed why; a stack trace of this script would only bury it.
  if (typeof error?.status !== 'number') console.error(error instanceof Error ? error.message : error);
  process.exitCode = typeof error?.status === 'number' ? error.status : 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
