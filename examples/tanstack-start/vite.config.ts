import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [tanstackStart({ customViteReactPlugin: true }), react()],
  resolve: {
    // In this repository `kalphite` is the source two folders up (the example runs without a
    // build); an app that installs the package needs no alias.
    alias: { 'kalphite/server': fileURLToPath(new URL('../../src/server/index.ts', import.meta.url)) },
  },
  // PGlite loads its wasm and data files beside its module: the server imports it from node_modules.
  ssr: { external: ['@electric-sql/pglite', 'pg'] },
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
});
