/**
 * What the demo's page knows before it signs in: who can sign in (with the token the demo server
 * checks) and which reviews exist. Nothing of a review's content is here: that lives in its space
 * on the server, so a page that may not read a review never receives it, not even in its code.
 */

export interface DemoUser {
  readonly id: string;
  readonly name: string;
  /** Sent as `Authorization: Bearer <token>`; the demo server's `authenticate` maps it back to the user. */
  readonly token: string;
  /** What this user may do, for the sign-in screen. */
  readonly access: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'ada', name: 'Ada', token: 'demo-token-ada', access: 'member of both reviews' },
  { id: 'grace', name: 'Grace', token: 'demo-token-grace', access: 'member of the store review' },
  { id: 'linus', name: 'Linus', token: 'demo-token-linus', access: 'member of neither: reads the store review' },
];

export interface DemoReview {
  /** The review's space: its file, status and comments are that space's entities. */
  readonly space: string;
  /** Who may see it, in words (the ACL itself is the server's: `access.ts`). */
  readonly audience: string;
}

export const DEMO_REVIEWS: readonly DemoReview[] = [
  { space: 'review:store', audience: 'Readable by everyone signed in, writable by its members (Ada, Grace).' },
  { space: 'review:auth', audience: 'Visible to its members only (Ada).' },
];

/** The sync request headers that sign a page in as `user`. */
export function demoHeaders(user: DemoUser): Record<string, string> {
  return { authorization: `Bearer ${user.token}` };
}

export function demoUser(id: string | null): DemoUser | null {
  return DEMO_USERS.find((user) => user.id === id) ?? null;
}
