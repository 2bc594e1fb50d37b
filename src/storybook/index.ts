// kalphite/storybook: what a story calls. The addon itself is the preset (kalphite/storybook/preset),
// which Storybook finds when `.storybook/main.ts` lists 'kalphite/storybook' among its addons.
export { showInKalphitePanel } from './registry.js';
export type { ShowInPanelOptions } from './registry.js';
