import type { Meta, StoryObj } from '@storybook/react-vite';
import { useMemo, useRef } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { DEMO_USERS } from '../demo/users.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel, type DevtoolsTab } from '../src/devtools/production.js';
import type { KalphiteOptions } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { showView } from './support/devtools-views.js';
import { LiveEngine } from './support/live-engine.js';
import { reviewServer, signedIn, type ReviewServer } from './support/review-server.js';
import { FILE_PATH } from './support/sample-data.js';

/** The app's part: a button writing a comment into the store review (note-1, note-2, …), and an admin's revoke. */
function App({ name, user, server }: { name: string; user: string; server: ReviewServer | undefined }) {
  const { store } = useKalphiteInstance();
  const count = useRef(0);
  const write = () => {
    const id = `note-${++count.current}`;
    store.entities.set(id, { id, type: 'comment', space: 'review:store', data: { message: `Note ${count.current}`, lineNumber: 1, filePath: FILE_PATH, authorId: user } });
  };
  return (
    <p className="kalphite" style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
      Signed in as <strong>{name}</strong>
      <button type="button" className="kalphite-button" onClick={write}>
        Comment in review:store
      </button>
      {server && (
        <button type="button" className="kalphite-button" onClick={() => server.revokeWrite(user)}>
          Revoke {name}’s write access (as an admin)
        </button>
      )}
    </p>
  );
}

interface Args {
  readonly user: 'ada' | 'grace' | 'linus';
  /** Open from the start (Grace may not read `review:auth`: it is lost at once). */
  readonly spaces: readonly string[];
  readonly tab: DevtoolsTab;
  readonly engineOptions?: KalphiteOptions;
  readonly server?: ReviewServer;
}

// Each story starts from its own UI state: a remembered tab from another story would change what it shows.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

function SpacesStory({ user, spaces, tab, engineOptions, server }: Args) {
  const name = DEMO_USERS.find((u) => u.id === user)?.name ?? user;
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore(noStorage);
    store.getState().set({ tab });
    return store;
  }, [tab]);
  return (
    <LiveEngine label={name} options={signedIn(user, spaces, engineOptions)}>
      {(kalphite) => (
        <>
          <App name={name} user={user} server={server} />
          <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} />
        </>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: 'Devtools/Spaces',
  component: SpacesStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtoolsPanel },
  args: { user: 'grace', spaces: ['review:store', 'review:auth'], tab: 'spaces' },
  argTypes: {
    user: { control: 'inline-radio', options: ['ada', 'grace', 'linus'] },
    server: { table: { disable: true } },
    engineOptions: { table: { disable: true } },
  },
} satisfies Meta<typeof SpacesStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };
const panel = async (canvasElement: HTMLElement) => within(await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, SLOW));
/** The cells of a space's row, by column name. */
const row = (devtools: ReturnType<typeof within>, space: string) => {
  const cells = [...devtools.getByRole('rowheader', { name: new RegExp(`^${space}( \\(default\\))?$`) }).closest('tr')!.querySelectorAll('td')].map((td) => td.textContent ?? '');
  const [tab, tabs, writable, cookie, serverVersion, unacknowledged, lastRefusal, firstLoad] = cells;
  return { tab, tabs, writable, cookie, serverVersion, unacknowledged, lastRefusal, firstLoad };
};

const revocable = reviewServer();

/**
 * Grace's spaces: the store review open and writable, the members-only one lost at once (the
 * server answers 403). An admin revokes her write access; her next comment is refused: the space
 * turns read-only with the refusal's reason, and the change log shows the refused write and why.
 */
export const SpacesView: Story = {
  args: { server: revocable, engineOptions: { poke: false } },
  parameters: { msw: { handlers: revocable.handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await waitFor(() => expect(row(devtools, 'review:store')).toMatchObject({ tab: 'open', tabs: '1 of 1', writable: 'yes', lastRefusal: 'none', firstLoad: 'done' }), SLOW);
    await expect(row(devtools, 'review:store')).toMatchObject({ cookie: '1', unacknowledged: '0' });
    await waitFor(() => expect(row(devtools, 'review:auth').tab).toBe('not readableYou may not read space review:auth: The sync server answered 403 to pull: User "grace" may not read space "review:auth".'), SLOW);
    await userEvent.click(canvas.getByRole('button', { name: 'Comment in review:store' }));
    await waitFor(() => expect(row(devtools, 'review:store')).toMatchObject({ cookie: '2', unacknowledged: '0 (acknowledged up to #1)' }), SLOW);
    await userEvent.click(canvas.getByRole('button', { name: 'Revoke Grace’s write access (as an admin)' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Comment in review:store' }));
    await waitFor(() => expect(row(devtools, 'review:store').writable).toBe('read-only'), SLOW);
    await expect(row(devtools, 'review:store').lastRefusal).toMatch(/^#2: User "grace" may not write to space "review:store"\. \(/);
    await showView(devtools, 'Change log');
    await expect(await devtools.findByText('2 of 2 changes · 0 not acknowledged · 1 refused', {}, SLOW)).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: '#2 upsert note-2' }));
    await expect(devtools.getByRole('region', { name: 'Change #2' })).toHaveTextContent('Refused by the server: User "grace" may not write to space "review:store".');
  },
};

/** Ada holds both reviews: Memory groups their entities by space, and filters by one. */
export const MemoryBySpace: Story = {
  args: { user: 'ada', tab: 'memory' },
  parameters: { msw: { handlers: reviewServer().handlers } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    const list = () => within(devtools.getByRole('list', { name: 'Entities' }));
    await waitFor(() => expect(list().getByText('Space review:auth · 3 entities')).toBeInTheDocument(), SLOW);
    await expect(list().getByText('Space review:store · 4 entities')).toBeInTheDocument();
    await userEvent.selectOptions(devtools.getByLabelText('Space'), 'review:auth (3)');
    await expect(devtools.getByText('3 of 7 shown')).toBeInTheDocument();
    await expect(list().queryByText(/^Space /)).toBeNull();
    await userEvent.click(list().getByRole('button', { name: 'review:auth/file' }));
    await expect(devtools.getByLabelText('JSON of review:auth/file')).toHaveTextContent('"space": "review:auth"');
  },
};

/** A large space's first load, 100 entities a page over a slow network: its row shows the pages and entities so far. */
export const FirstLoad: Story = {
  args: { spaces: ['review:store'], engineOptions: { pullPageSize: 100 } },
  parameters: { msw: { handlers: reviewServer({ bulkComments: 3000, pullDelayMs: 120 }).handlers } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await waitFor(() => expect(row(devtools, 'review:store').firstLoad).toMatch(/^ ([3-9]|\d\d+) pages, [\d,]+ entities so far$/), SLOW);
    await expect(devtools.getByRole('progressbar', { name: 'First load of review:store' })).toBeInTheDocument();
    await expect(row(devtools, 'review:store').tab).toBe('opening');
    await waitFor(() => expect(row(devtools, 'review:store')).toMatchObject({ tab: 'open', firstLoad: 'done' }), SLOW);
  },
};
