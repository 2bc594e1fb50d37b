import type { StorybookConfig } from '@storybook/react-vite';
import { fileURLToPath } from 'node:url';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  // Kalphite's own addon from source: an app lists 'kalphite/storybook', which resolves the same preset.
  addons: ['@storybook/addon-vitest', '@storybook/addon-a11y', fileURLToPath(new URL('../src/storybook/preset.ts', import.meta.url))],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true },
  // Serves MSW's service worker (public/mockServiceWorker.js).
  staticDirs: ['../public'],
  viteFinal: async (viteConfig) => ({
    ...viteConfig,
    optimizeDeps: {
      ...viteConfig.optimizeDeps,
      // Without these `storybook dev` fails ("does not provide an export named 'default'").
      include: [...(viteConfig.optimizeDeps?.include ?? []), 'react', 'react-dom'],
      // PGlite loads its wasm through import.meta.url, which pre-bundling would break.
      exclude: [...(viteConfig.optimizeDeps?.exclude ?? []), '@electric-sql/pglite'],
    },
  }),
};

export default config;
