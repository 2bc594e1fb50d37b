import { buildSync } from 'esbuild';
import type { NextConfig } from 'next';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));
const folder = fileURLToPath(new URL('./.kalphite/', import.meta.url));

/**
 * In this repository `kalphite/…` is the TypeScript source two folders up, whose imports name `.js`
 * files: Turbopack cannot map those to `.ts` yet, so the source is bundled once here (esbuild, a
 * fraction of a second; its packages stay external). An app that installs the package has
 * `kalphite` in node_modules and needs none of this: its config is the two settings below.
 */
function kalphiteFromSource(): Record<string, string> {
  const bundle = (entryPoints: Record<string, string>, outdir: string, splitting: boolean) =>
    buildSync({ entryPoints, bundle: true, platform: 'neutral', format: 'esm', packages: 'external', write: false, outdir, splitting }).outputFiles;
  const files = [
    ...bundle({ server: source('server/index.ts') }, folder, false),
    // The engine and React together, split as the package is (its local db and tabs load on first use),
    // and the local db's worker script, which the engine starts from beside its own module.
    ...bundle({ engine: source('engine/index.ts'), react: source('react/index.ts'), 'local-db.worker': source('engine/persist/worker/local-db.worker.ts') }, `${folder}client/`, true),
  ];
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    // Next loads this config in more than one process: each writes a whole file, then renames it into place.
    const temporary = `${file.path}.${process.pid}`;
    writeFileSync(temporary, file.text);
    renameSync(temporary, file.path);
  }
  // The packed database the engine and the server load beside their modules (`new URL('./…', import.meta.url)`), beside each bundle.
  const packedDatabase = source('pglite/packed-database.tar.gz');
  if (existsSync(packedDatabase)) for (const beside of [folder, `${folder}client/`]) copyFileSync(packedDatabase, `${beside}packed-database.tar.gz`);
  return { 'kalphite/server': './.kalphite/server.js', 'kalphite/react': './.kalphite/client/react.js', kalphite: './.kalphite/client/engine.js' };
}

const config: NextConfig = {
  // PGlite loads its wasm and data files beside its module: keep it out of the server bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg'],
  turbopack: { resolveAlias: kalphiteFromSource() },
};

export default config;
