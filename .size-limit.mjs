// Size budgets per entry, minified + gzip, as an app's bundler would ship them (`process.env.NODE_ENV`
// production). Not counted: PGlite (its wasm and JS are the local database, loaded apart), React and
// the other peers (the app has them). `npm run size` checks them after `npm run build`; the README
// lists today's numbers. esbuild (size-limit's bundler here) inlines a dynamic `import()`, so each
// check says whether code loaded later (the devtools' panel, the divergence check) is counted.
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('./dist/src/', import.meta.url));
const peers = ['@electric-sql/pglite', 'react', 'react-dom', 'msw', 'pg'];

/**
 * One bundle of `source` (an ES module's text, resolved from dist/src): `later: false` leaves out
 * what loads on first use (dynamic imports); `beyond` names dist folders the app already paid for.
 */
function bundle(source, { later = false, beyond = [] } = {}) {
  const paid = new RegExp(`^${dist.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(${beyond.join('|')})/`);
  return {
    path: `${dist}engine/index.js`,
    ignore: peers,
    gzip: true,
    modifyEsbuildConfig: ({ entryPoints, ...config }) => ({
      ...config,
      stdin: { contents: source, resolveDir: dist, sourcefile: 'app.js' },
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [
        {
          name: 'counted',
          setup(build) {
            build.onResolve({ filter: /.*/ }, async (args) => {
              if (args.pluginData === 'counted') return undefined;
              if (!later && args.kind === 'dynamic-import') return { path: args.path, external: true };
              if (beyond.length === 0) return undefined;
              const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'counted' });
              return paid.test(resolved.path) ? { path: resolved.path, external: true } : resolved;
            });
          },
        },
      ],
    }),
  };
}

const everything = (...entries) => entries.map((entry) => `export * from './${entry}';`).join('\n');

// `<KalphiteDevtools>` from `kalphite/devtools` ships nothing in a production build: esbuild keeps the
// import a dead branch names, so scripts/check-package.mjs checks that in the consumer app's Vite build.
// The limits are today's sizes (README, "what each entry costs") and about 7% more. The engine's local
// db, sync and tabs load by dynamic import as the local db opens (a page renders from memory first):
// the second pair of checks counts them. The target for engine + react at start is 20 kB.
export default [
  { name: 'kalphite (engine), loaded at start', limit: '16.6 kB', ...bundle(everything('engine/index.js')) },
  { name: 'kalphite + kalphite/react, loaded at start', limit: '18.5 kB', ...bundle(everything('engine/index.js', 'react/index.js')) },
  { name: 'kalphite (engine), with what loads as the local db opens', limit: '48.5 kB', ...bundle(everything('engine/index.js'), { later: true }) },
  { name: 'kalphite + kalphite/react, with what loads as the local db opens', limit: '50 kB', ...bundle(everything('engine/index.js', 'react/index.js'), { later: true }) },
  { name: 'kalphite/components beyond engine + react, loaded at start', limit: '70 kB', ...bundle(everything('components/index.js'), { beyond: ['engine', 'react', 'protocol'] }) },
  { name: 'kalphite/devtools/production beyond engine + react, loaded at start', limit: '9.5 kB', ...bundle(everything('devtools/production.js'), { beyond: ['engine', 'react', 'protocol'] }) },
  { name: 'kalphite/devtools/production beyond engine + react, with its panel', limit: '36 kB', ...bundle(everything('devtools/production.js'), { later: true, beyond: ['engine', 'react', 'protocol'] }) },
];
