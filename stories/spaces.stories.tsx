import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { MEMBERS_ONLY_TEXT } from '../demo/seed.js';
import { DEMO_USERS } from '../demo/users.js';
import { CodeReview, SyncStatusBadge } from '../src/components/index.js';
import type { Kalphite, KalphiteOptions } from '../src/engine/index.js';
import { LiveEngine } from './support/live-engine.js';
import { reviewServer, signedIn, type ReviewServer } from './support/review-server.js';
import { FILE_PATH, SAMPLE_CODE, STORY_NOW } from './support/sample-data.js';

interface Args {
  /** Who is signed in (the demo's users: Ada is a member of both reviews, Grace of `review:store`, Linus of neither). */
  readonly user: 'ada' | 'grace' | 'linus';
  /** The review shown: `review:store` is readable by everyone, `review:auth` by its members only. */
  readonly space: 'review:store' | 'review:auth';
  /** Engine options beyond signing in (a small pull page, no pokes). */
  readonly engineOptions?: KalphiteOptions;
  /** The story's server; its admin button revokes the user's write access. */
  readonly server?: ReviewServer;
}

/** The engine, for play functions to look into memory (set when the story's engine is ready). */
let engine: Kalphite | null = null;

function SpaceStory({ user, space, engineOptions, server }: Args) {
  const name = DEMO_USERS.find((u) => u.id === user)?.name ?? user;
  return (
    <LiveEngine
      label={name}
      // The store review is always open, as in the demo; another review opens when the kit mounts (useSpace).
      options={signedIn(user, ['review:store'], engineOptions)}
      onReady={(k) => {
        engine = k;
      }}
    >
      <p className="kalphite" style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
        Signed in as <strong>{name}</strong> <SyncStatusBadge />
        {server && (
          <button type="button" className="kalphite-button" onClick={() => server.revokeWrite(user)}>
            Revoke {name}’s write access (as an admin)
          </button>
        )}
      </p>
      <CodeReview space={space} filePath={FILE_PATH} code={SAMPLE_CODE} currentUser={user} now={STORY_NOW} />
    </LiveEngine>
  );
}

const meta = {
  title: 'Spaces/Code review',
  component: SpaceStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { CodeReview, SyncStatusBadge },
  args: { user: 'grace', space: 'review:store' },
  argTypes: {
    user: { control: 'inline-radio', options: ['ada', 'grace', 'linus'] },
    space: { control: 'inline-radio', options: ['review:store', 'review:auth'] },
    server: { table: { disable: true } },
    engineOptions: { table: { disable: true } },
  },
} satisfies Meta<typeof SpaceStory>;

export default meta;
type Story = StoryObj<typeof meta>;

// The first story of a run opens PGlite on a cold browser: wait generously, never sleep.
const SLOW = { timeout: 50_000 };
const file = (canvasElement: HTMLElement) => within(canvasElement).findByRole('region', { name: `File ${FILE_PATH}` }, SLOW);

/** Grace, a member: the review's comments arrive from the server, and her comment goes there. */
export const MemberWrites: Story = {
  parameters: { msw: { handlers: reviewServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const view = within(await file(canvasElement));
    await expect(await view.findByText('Why a private field here?', {}, SLOW)).toBeInTheDocument();
    await expect(view.queryByText(/^Read-only/)).toBeNull();
    await userEvent.click(view.getByRole('button', { name: 'Comment on line 9' }));
    await userEvent.type(view.getByLabelText('Your comment on line 9'), 'Null, not undefined: good.');
    await userEvent.click(view.getByRole('button', { name: 'Comment' }));
    await expect(await view.findByText('Null, not undefined: good.')).toBeInTheDocument();
    // Pushed into the review's space and acknowledged there.
    await expect(await canvas.findByText('All changes synced', {}, SLOW)).toBeInTheDocument();
    await waitFor(() => expect(engine?.spaces.get('review:store')).toMatchObject({ writable: true, unacknowledged: 0, lastRefusal: null }), SLOW);
    const written = engine?.store.getByType('comment').find((c) => (c.data as { message?: string }).message === 'Null, not undefined: good.');
    await expect(written?.space).toBe('review:store');
  },
};

/** Linus reads the review but may not write it: the kit is read-only and says why. */
export const ReadOnlyReader: Story = {
  args: { user: 'linus' },
  parameters: { msw: { handlers: reviewServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const view = within(await file(canvasElement));
    await expect(await view.findByText('Why a private field here?', {}, SLOW)).toBeInTheDocument();
    const reason = 'Read-only: the server lets you read review:store but not change it.';
    await expect(await view.findByText(reason, {}, SLOW)).toBeInTheDocument();
    await expect(canvas.getByRole('region', { name: `File ${FILE_PATH}` })).toHaveAccessibleDescription(reason);
    await expect(view.getByRole('button', { name: 'Comment on line 9' })).toBeDisabled();
    await expect(view.getByRole('button', { name: /^Edit comment by grace/ })).toBeDisabled();
    await expect(view.getByRole('button', { name: /^Delete comment by ada/ })).toBeDisabled();
    // The review list's form is disabled too, with the same reason beside it.
    const title = canvas.getByLabelText('New review title');
    await expect(title).toBeDisabled();
    await expect(title).toHaveAccessibleDescription(reason);
    await expect(canvas.getByRole('button', { name: 'Open review' })).toBeDisabled();
    await expect(canvas.getByRole('button', { name: 'Approve' })).toBeDisabled();
  },
};

/** Linus opens the members-only review: a clear message, and nothing of the review on the page or in memory. */
export const ForbiddenSpace: Story = {
  args: { user: 'linus', space: 'review:auth' },
  parameters: { msw: { handlers: reviewServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    // The loading state first, then the server's answer in its place.
    await waitFor(() => expect(within(canvas.getByRole('region', { name: 'Code review (review:auth)' })).getByRole('alert')).toHaveTextContent('You do not have access to review:auth.'), SLOW);
    await expect(canvas.queryByRole('region', { name: `File ${FILE_PATH}` })).toBeNull();
    const memory = JSON.stringify(engine?.store.getAll());
    for (const text of MEMBERS_ONLY_TEXT) {
      await expect(canvasElement.textContent).not.toContain(text);
      await expect(memory).not.toContain(text);
    }
    await expect(engine?.spaces.get('review:auth')).toMatchObject({ open: false, error: { code: 'forbidden' } });
  },
};

/** Ada, a member, opens the members-only review: its file's comments are there. */
export const MemberOfPrivateReview: Story = {
  args: { user: 'ada', space: 'review:auth' },
  parameters: { msw: { handlers: reviewServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await file(canvasElement);
    await expect(await canvas.findByText('Deploy hook token-length leak (embargoed)', {}, SLOW)).toBeInTheDocument();
    await expect(engine?.spaces.get('review:auth')).toMatchObject({ open: true, writable: true });
  },
};

/** 3,000 comments over a slow network, 100 a page: the first load shows a progress bar with pages and entities, then the review. */
export const FirstLoadProgress: Story = {
  args: { engineOptions: { pullPageSize: 100 } },
  parameters: { msw: { handlers: reviewServer({ bulkComments: 3000, pullDelayMs: 120 }).handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const bar = await canvas.findByRole('progressbar', { name: 'Loading review:store' }, SLOW);
    // Pages land one by one: the counts grow (the server does not say the total, so the bar has no fraction).
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toMatch(/^([3-9]|\d\d+) pages and [\d,]+ entities received so far\.$/), SLOW);
    await expect(within(canvas.getByRole('region', { name: 'Code review (review:store)' })).getByRole('status')).toHaveTextContent(/^Loading review:store: \d+ pages and [\d,]+ entities received so far\./);
    const view = within(await file(canvasElement));
    await expect(canvas.queryByRole('progressbar')).toBeNull();
    await expect((await view.findAllByRole('button', { name: /^Show all \d+ comments$/ })).length).toBeGreaterThan(10);
    await expect(engine?.spaces.get('review:store').ready).toBe(true);
  },
};

const revocable = reviewServer();

/**
 * Grace writes; an admin revokes her write access while her next comment is typed; the server
 * refuses it: the kit says so with the server's reason, the comment goes, and the review turns
 * read-only. (Without pokes, so no pull tells the engine of the revocation before the write.)
 */
export const WriteRevoked: Story = {
  args: { server: revocable, engineOptions: { poke: false } },
  parameters: { msw: { handlers: revocable.handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const view = within(await file(canvasElement));
    const type = async (line: number, text: string) => {
      await userEvent.click(view.getByRole('button', { name: new RegExp(`^Comment on line ${line}`) }));
      await userEvent.type(view.getByLabelText(`Your comment on line ${line}`), text);
    };
    await type(3, 'Kept: written while a member.');
    await userEvent.click(view.getByRole('button', { name: 'Comment' }));
    await waitFor(() => expect(engine?.spaces.get('review:store')).toMatchObject({ unacknowledged: 0, writable: true }), SLOW);
    await type(7, 'Refused: written after the revocation.');
    await userEvent.click(canvas.getByRole('button', { name: 'Revoke Grace’s write access (as an admin)' }));
    await userEvent.click(view.getByRole('button', { name: 'Comment' }));
    const alert = await view.findByRole('alert', {}, SLOW);
    await expect(alert).toHaveTextContent('The server refused a change: User "grace" may not write to space "review:store". Its value was put back.');
    await waitFor(() => expect(view.queryByText('Refused: written after the revocation.')).toBeNull(), SLOW);
    await expect(view.getByText('Kept: written while a member.')).toBeInTheDocument();
    await expect(await view.findByText('Read-only: the server lets you read review:store but not change it.', {}, SLOW)).toBeInTheDocument();
    await userEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    await expect(view.queryByRole('alert')).toBeNull();
  },
};
