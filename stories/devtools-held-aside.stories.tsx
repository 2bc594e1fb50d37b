import type { Meta, StoryObj } from '@storybook/react-vite';
import { getResponse, http, type HttpHandler } from 'msw';
import { useMemo, useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { z } from 'zod';
import { createMockSyncServer, type MockSyncServer } from '../mocks/index.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from '../src/devtools/production.js';
import type { Kalphite } from '../src/engine/index.js';
import { useEntity } from '../src/react/index.js';
import { LiveEngine } from './support/live-engine.js';
import { STORY_NOW } from './support/sample-data.js';

// This tab runs version 1 of the app: a comment's text is `text`. The newer app (version 2) calls it `body`.
const v1 = { comment: z.object({ text: z.string(), line: z.number() }) };

/** The story's sync server: the real core behind MSW, with one comment written by this app. Made on the first request. */
function skewServer() {
  let mock: Promise<MockSyncServer> | null = null;
  const start = () =>
    (mock ??= (async () => {
      const server = createMockSyncServer({ baseUrl: '*/api/held-aside-sync' });
      const core = await server.ready;
      await core.push({
        pushVersion: 1,
        clientGroupID: 'old-app',
        profileID: 'old-app',
        schemaVersion: '1',
        mutations: [{ clientID: 'old', id: 1, name: 'upsert', args: { id: 'c1', type: 'comment', data: { text: 'Rename this', line: 4 }, updatedAt: STORY_NOW }, timestamp: STORY_NOW }],
      });
      return server;
    })());
  return {
    handlers: [http.all('*/api/held-aside-sync/:route', async ({ request }) => getResponse([...(await start()).handlers], request))] as readonly HttpHandler[],
    /** The newer app edits c1 and adds c2 in its own shape, which this tab's schema does not take. */
    newerAppWrites: async () => {
      const core = await (await start()).ready;
      await core.push({
        pushVersion: 1,
        clientGroupID: 'new-app',
        profileID: 'new-app',
        schemaVersion: '2',
        mutations: [
          { clientID: 'new', id: 1, name: 'upsert', args: { id: 'c1', type: 'comment', data: { body: 'Renamed', line: 4 }, updatedAt: STORY_NOW + 1 }, timestamp: STORY_NOW },
          { clientID: 'new', id: 2, name: 'upsert', args: { id: 'c2', type: 'comment', data: { body: 'A new comment', line: 'nine' }, updatedAt: STORY_NOW + 2 }, timestamp: STORY_NOW },
        ],
      });
    },
  };
}

const server = skewServer();

/** The app's part: what memory holds of c1, and the newer app's write followed by a pull. */
function App({ kalphite }: { kalphite: Kalphite }) {
  const comment = useEntity('c1');
  const [busy, setBusy] = useState(false);
  const write = async () => {
    setBusy(true);
    await server.newerAppWrites();
    await kalphite.sync?.pull();
    setBusy(false);
  };
  return (
    <p className="kalphite" style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
      <span aria-label="c1 in memory">c1 in memory: {comment ? JSON.stringify(comment.data) : 'not yet'}</span>
      <button type="button" className="kalphite-button" onClick={() => void write()} disabled={busy}>
        The newer app writes, then this tab pulls
      </button>
    </p>
  );
}

// Each story starts from its own UI state, on this view.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

function HeldAsideStory() {
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore(noStorage);
    store.getState().set({ open: true, tab: 'held-aside' });
    return store;
  }, []);
  return (
    <LiveEngine label="Version 1 of the app" options={{ syncUrl: '/api/held-aside-sync', schema: v1, schemaVersion: 1, poke: false, pullIntervalMs: 600_000 }}>
      {(kalphite) => (
        <>
          <App kalphite={kalphite} />
          <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} />
        </>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: 'Devtools/Held aside',
  component: HeldAsideStory,
  // When each value was held aside is a clock time: it is left out of the picture.
  parameters: { msw: { handlers: server.handlers }, visual: { mask: ['time'] } },
} satisfies Meta<typeof HeldAsideStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };

/**
 * Version skew: a newer app writes values this tab's schema does not take. They are held aside in
 * the local db (memory keeps its older c1), and the view lists each with the validator's issues and
 * the server's value.
 */
export const NewerServerValues: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW));
    await waitFor(() => expect(canvas.getByLabelText('c1 in memory')).toHaveTextContent('Rename this'), SLOW);
    await expect(devtools.getByText('Every value from the server fits this app’s schema.')).toBeInTheDocument();

    await userEvent.click(canvas.getByRole('button', { name: 'The newer app writes, then this tab pulls' }));
    const c1 = await devtools.findByRole('region', { name: 'Held aside: c1' }, SLOW);
    await expect(within(c1).getByRole('list', { name: 'Issues of c1' })).toHaveTextContent(/^text: /);
    await expect(within(c1).getByLabelText('The server’s value of c1')).toHaveTextContent('"body": "Renamed"');
    const c2 = devtools.getByRole('region', { name: 'Held aside: c2' });
    await expect(within(c2).getByRole('list', { name: 'Issues of c2' })).toHaveTextContent(/text: .*line: /);
    await expect(devtools.getByText(/^2 values from the server do not fit/)).toBeInTheDocument();
    // Memory kept the value it had.
    await expect(canvas.getByLabelText('c1 in memory')).toHaveTextContent('Rename this');
  },
};
