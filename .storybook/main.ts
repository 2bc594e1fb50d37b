import type { StorybookConfig } from '@storybook/react-vite';
import { fileURLToPath } from 'node:url';

const config: StorybookConfig = {
  // The guides a newcomer reads first (MDX), then every component's stories, each with a docs page.
  stories: ['../stories/**/*.mdx', '../stories/**/*.stories.@(ts|tsx)'],
  // Kalphite's own addon from source: an app lists 'kalphite/storybook', which resolves the same preset.
  addons: ['@storybook/addon-vitest', '@storybook/addon-a11y', '@storybook/addon-docs', fileURLToPath(new URL('../src/storybook/preset.ts', import.meta.url))],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true },
  // Serves MSW's service worker (public/mockServiceWorker.js).
  staticDirs: ['../public'],
  viteFinal: async (viteConfig) => ({
    ...viteConfig,
    build: {
      ...viteConfig.build,
      // Function names survive minification: a docs page titles its props tables by the components' names.
      rolldownOptions: { ...viteConfig.build?.rolldownOptions, output: { ...viteConfig.build?.rolldownOptions?.output, keepNames: true } },
    },
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
