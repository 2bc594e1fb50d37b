import type { Preview } from '@storybook/react-vite';
import { initialize, mswLoader } from 'msw-storybook-addon';

// MSW stands in for the sync server: stories pass handlers from `mocks/` (the real server core).
initialize({ onUnhandledRequest: 'bypass' });

const preview: Preview = {
  // A docs page per component: its props from the TypeScript types, every story as a live example.
  tags: ['autodocs'],
  loaders: [mswLoader],
  parameters: {
    layout: 'padded',
    // The guides first, in reading order.
    options: { storySort: { order: ['Start here', ['What Kalphite is', "A write's journey", 'Embedding the devtools panel', 'Writing an interaction test'], 'Components', 'Devtools'] } },
    controls: { expanded: true },
    // An accessibility violation fails the story's test, not just a panel warning.
    a11y: { test: 'error' },
  },
};

export default preview;
