import { defineConfig } from 'vitest/config';

export default defineConfig({
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/**/*.test.ts', 'mocks/**/*.test.ts'],
          // PGlite's first open compiles wasm and runs initdb: seconds, more under parallel load.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
