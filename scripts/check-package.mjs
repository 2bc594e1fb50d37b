// The package as a user installs it: builds, packs the tarball `npm publish` would upload, and checks
// it with publint (package.json against the files) and are-the-types-wrong (each export's types
// resolve). The tarball goes to a scratch folder, so nothing is left in the repository.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (command, args) => execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const scratch = mkdtempSync(join(tmpdir(), 'kalphite-pack-'));
try {
  run('npm', ['run', 'build']);
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  const tarball = join(scratch, filename);
  // --strict: a warning (a file the exports name but the tarball lacks) fails too.
  run('npx', ['--no-install', 'publint', '--strict', tarball]);
  // ESM only, on purpose: require() from CommonJS and the pre-exports node10 resolution are not offered.
  run('npx', ['--no-install', 'attw', '--profile', 'esm-only', tarball]);
} catch (error) {
  // The tool printed why; a stack trace of this script would only bury it.
  process.exitCode = typeof error?.status === 'number' ? error.status : 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
