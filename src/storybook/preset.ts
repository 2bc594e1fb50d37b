import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/*
 * The Storybook preset: `addons: ['kalphite/storybook']` in `.storybook/main.ts` (Storybook finds
 * this file as kalphite/storybook/preset). It adds the manager's toolbar toggle and Kalphite panel,
 * and the preview's side that renders the devtools into that panel.
 */

/** This folder's module `name`: `.js` as the package ships it, `.ts`/`.tsx` in Kalphite's own source. */
function sibling(name: string): string {
  for (const extension of ['.js', '.ts', '.tsx']) {
    const path = fileURLToPath(new URL(`./${name}${extension}`, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`kalphite/storybook: ${name} is missing beside the preset (${fileURLToPath(import.meta.url)}).`);
}

export function managerEntries<Entry>(entries: readonly Entry[] = []): (Entry | string)[] {
  return [...entries, sibling('manager')];
}

export function previewAnnotations<Entry>(entries: readonly Entry[] = []): (Entry | string)[] {
  return [...entries, sibling('preview')];
}
