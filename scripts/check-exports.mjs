// After `npm run build`: every entry of the package's exports map resolves, loads, and has types.
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let failed = false;
for (const [entry, target] of Object.entries(pkg.exports)) {
  const specifier = entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`;
  try {
    if (!existsSync(new URL(`../${target.types}`, import.meta.url))) throw new Error(`missing ${target.types}`);
    const module = await import(specifier);
    console.log(`ok   ${specifier} (${Object.keys(module).length} exports)`);
  } catch (error) {
    failed = true;
    console.error(`FAIL ${specifier}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
