import type { NextConfig } from 'next';
import { fileURLToPath } from 'node:url';

const config: NextConfig = {
  // PGlite loads its wasm and data files beside its module: keep it out of the server bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg'],
  // In this repository `kalphite` is the TypeScript source two folders up, whose imports name `.js`
  // files (Turbopack cannot map those to `.ts` yet, hence webpack: `next dev --webpack`). An app that
  // installs the package needs none of this.
  webpack: (webpack) => {
    webpack.resolve.alias['kalphite/server'] = fileURLToPath(new URL('../../src/server/index.ts', import.meta.url));
    webpack.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
    return webpack;
  },
};

export default config;
