import type { Meta, StoryObj } from '@storybook/react-vite';
import { useMemo } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from '../src/devtools/production.js';
import { useEntities, useKalphiteInstance } from '../src/react/index.js';
import { showView } from './support/devtools-views.js';
import { LiveEngine } from './support/live-engine.js';
import { reviewServer, signedIn, type ReviewServer } from './support/review-server.js';

/** The app's part: edit the first comment of the store review, and an admin's revoke of Ada's write access. */
function App({ server }: { server: ReviewServer }) {
  const { store } = useKalphiteInstance();
  const comment = useEntities('comment').find((entity) => entity.space === 'review:store');
  const edit = () => {
    if (comment) store.batch(() => store.entities.set(comment.id, { ...comment, data: { ...(comment.data as object), message: 'Ada’s edit, made after her access went' } }), { tag: 'Edit comment' });
  };
  return (
    <p className="kalphite" style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
      Signed in as <strong>Ada</strong>
      <button type="button" className="kalphite-button" onClick={() => server.revokeWrite('ada')}>
        Revoke Ada’s write access (as an admin)
      </button>
      <button type="button" className="kalphite-button" onClick={edit} disabled={!comment}>
        Edit a comment in review:store
      </button>
    </p>
  );
}

// Each story starts from its own UI state: a remembered tab from another story would change what it shows.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

function OverwrittenStory({ server }: { server: ReviewServer }) {
  const ui = useMemo(() => createDevtoolsUiStore(noStorage), []);
  return (
    <LiveEngine label="Ada" options={signedIn('ada', ['review:store'], { poke: false })}>
      {(kalphite) => (
        <>
          <App server={server} />
          <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} />
        </>
      )}
    </LiveEngine>
  );
}

const server = reviewServer();

const meta = {
  title: 'Devtools/Overwritten',
  component: OverwrittenStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtoolsPanel },
  args: { server },
  argTypes: { server: { table: { disable: true } } },
  parameters: { msw: { handlers: server.handlers } },
} satisfies Meta<typeof OverwrittenStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };

/**
 * The ledger: Ada's edit is refused (her write access went), the server's value replaces hers in
 * memory, and the Overwritten view lists it with her value against the server's and "Re-apply mine"
 * (which, her space being read-only now, says why it cannot).
 */
export const RefusedEdit: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW));
    await showView(devtools, 'Overwritten');
    await expect(devtools.getByText('No write of this tab has been overwritten by the server.')).toBeInTheDocument();
    // The seeded comments are in memory once the space's first pull has landed.
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Edit a comment in review:store' })).toBeEnabled(), SLOW);
    await userEvent.click(canvas.getByRole('button', { name: 'Revoke Ada’s write access (as an admin)' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Edit a comment in review:store' }));
    const entry = await devtools.findByRole('region', { name: /^Overwritten: / }, SLOW);
    await expect(entry).toHaveTextContent(/The server refused it: User "ada" may not write to space "review:store"\./);
    await expect(within(entry).getByRole('table', { name: /^Mine against the server’s/ })).toHaveTextContent('Ada’s edit, made after her access went');
    // Re-applying is a new write: the space is read-only for Ada now, and the view says so.
    await userEvent.click(within(entry).getByRole('button', { name: 'Re-apply mine' }));
    await expect(await devtools.findByRole('status')).toHaveTextContent(/^Could not re-apply .+: Space review:store is read-only for you/);
  },
};
