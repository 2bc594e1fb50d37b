import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectConfiguration } from 'vitest/config';

/** Debian's Chromium (browsers cannot be downloaded here); CHROMIUM_PATH overrides it. */
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
};

// Like PostgreSQL: without a Chromium, a laptop skips the browser tests with a notice; CI must run them.
const browserTests = existsSync(chromium.executablePath) || process.env.CI === 'true';
if (!browserTests) {
  console.warn(`\n⚠ No Chromium at ${chromium.executablePath} (set CHROMIUM_PATH): skipping the story and Storybook smoke tests (they run in CI).\n`);
}

/** The examples import `kalphite/…` as an app does; here that is the source, so no build is needed. */
const kalphiteFromSource = ['server', 'react', 'components', 'devtools', 'mocks'].map((entry) => ({
  find: new RegExp(`^kalphite/${entry}$`),
  replacement: fileURLToPath(new URL(entry === 'mocks' ? './mocks/index.ts' : `./src/${entry}/index.ts`, import.meta.url)),
}));

const browserProjects: TestProjectConfiguration[] = [
  {
    extends: true,
    test: {
      // Builds the static Storybook and clicks through it in Chromium with playwright-core.
      name: 'e2e',
      environment: 'node',
      include: ['e2e/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 240_000,
    },
  },
  {
    extends: true,
    // Every story's play function, in a real browser, with the accessibility checks.
    plugins: [storybookTest({ configDir: '.storybook' })],
    optimizeDeps: { include: ['react', 'react-dom', 'react/jsx-dev-runtime'] },
    test: {
      name: 'storybook',
      testTimeout: 60_000,
      // After each story's play function: its picture against the committed baseline.
      setupFiles: ['.storybook/visual-baselines.ts'],
      // A new baseline is attached to the report; keep such files with the other test output.
      attachmentsDir: 'test-results/attachments',
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({ launchOptions: chromium }),
        instances: [{ browser: 'chromium' }],
        expect: {
          toMatchScreenshot: {
            comparatorName: 'pixelmatch',
            // threshold: how far a pixel's colour may move (YIQ, 0–1) before it counts as changed;
            // the ratio: how many may change (text that differs run to run by a digit, antialiasing).
            comparatorOptions: { threshold: 0.2, allowedMismatchedPixelRatio: 0.005 },
            resolveScreenshotPath: ({ arg, ext, root }) => join(root, 'stories', 'baselines', `${arg}${ext}`),
            resolveDiffPath: ({ arg, ext, root }) => join(root, 'test-results', 'visual', `${arg}${ext}`),
          },
        },
      },
    },
  },
];

export default defineConfig({
  optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  test: {
    // A poll waits for what another process delivers (NOTIFY, a socket): on a loaded machine that
    // can take over the default second; it still ends as soon as the expectation holds.
    expect: { poll: { timeout: 10_000 } },
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
      {
        extends: true,
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['src/**/*.test.tsx'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        resolve: {
          alias: [...kalphiteFromSource, { find: /^kalphite$/, replacement: fileURLToPath(new URL('./src/engine/index.ts', import.meta.url)) }],
        },
        test: {
          // Each framework example served by the real framework on 127.0.0.1, two engines syncing through it.
          name: 'examples',
          environment: 'node',
          include: ['examples/**/*.test.ts'],
          // A dev server compiles each route on its first request, while the other projects run.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      ...(browserTests ? browserProjects : []),
    ],
  },
});
