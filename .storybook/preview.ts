import type { Preview } from '@storybook/react-vite';

const preview: Preview = {
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    // An accessibility violation fails the story's test, not just a panel warning.
    a11y: { test: 'error' },
  },
};

export default preview;
