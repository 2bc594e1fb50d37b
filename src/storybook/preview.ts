import { DEVTOOLS_GLOBAL, PREVIEW_HOST_KEY, type PreviewHost } from './channel.js';
import { mountPanel } from './panel-host.js';

/*
 * The addon's preview annotations (the preset adds them): the preview offers the manager a host
 * that renders the devtools into the Kalphite panel. Stories say which engine with
 * `showInKalphitePanel` from `kalphite/storybook`.
 */
const host: PreviewHost = { mount: mountPanel };
Object.assign(globalThis, { [PREVIEW_HOST_KEY]: host });

/** On by default; the toolbar toggle turns the devtools off (and on again). */
export const initialGlobals = { [DEVTOOLS_GLOBAL]: true };
