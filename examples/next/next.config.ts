import { buildSync } from 'esbuild';
import type { NextConfig } from 'next';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * In this repository `kalphite/server` is the TypeScript source two folders up, whose imports name
 * `.js` files: Turbopack cannot map those to `.ts` yet, so the source is bundled once here (esbuild,
 * a fraction of a second; its packages stay external). An app that installs the package has
 * `kalphite/server` in node_modules and needs none of this: its config is the two settings below.
 */
function kalphiteFromSource(): string {
  const [bundle] = buildSync({
    entryPoints: [fileURLToPath(new URL('../../src/server/index.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    outfile: 'server.mjs',
  }).outputFiles;
  const folder = fileURLToPath(new URL('./.kalphite/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  // Next loads this config in more than one process: each writes a whole file, then renames it into place.
  const temporary = `${folder}server.${process.pid}.mjs`;
  writeFileSync(temporary, bundle?.text ?? '');
  renameSync(temporary, `${folder}server.mjs`);
  return './.kalphite/server.mjs';
}

const config: NextConfig = {
  // PGlite loads its wasm and data files beside its module: keep it out of the server bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg'],
  turbopack: { resolveAlias: { 'kalphite/server': kalphiteFromSource() } },
};

export default config;
