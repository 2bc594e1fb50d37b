/** The addon's ids and what the preview offers the manager; shared by both sides. */
export const ADDON_ID = 'kalphite';
export const PANEL_ID = `${ADDON_ID}/panel`;
export const TOOL_ID = `${ADDON_ID}/tool`;
/** The Storybook global the toolbar toggle sets: `false` detaches the devtools from the story's engine. */
export const DEVTOOLS_GLOBAL = 'kalphiteDevtools';
/** Where the preview window keeps its host for the manager (same origin: the manager reads it directly). */
export const PREVIEW_HOST_KEY = '__KALPHITE_STORYBOOK__';

/** What the preview offers the manager's panel: the devtools, rendered by the preview into a node of the manager's page. */
export interface PreviewHost {
  /** Renders the devtools for the current story's engines into `container` and follows them; returns the unmount. */
  readonly mount: (container: HTMLElement) => () => void;
}
