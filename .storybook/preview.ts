import type { Preview } from '@storybook/react-vite';
import { initialize, mswLoader } from 'msw-storybook-addon';

// MSW stands in for the sync server: stories pass handlers from `mocks/` (the real server core).
initialize({ onUnhandledRequest: 'bypass' });

const preview: Preview = {
  loaders: [mswLoader],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    // An accessibility violation fails the story's test, not just a panel warning.
    a11y: { test: 'error' },
  },
};

export default preview;
