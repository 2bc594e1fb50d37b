import { act, cleanup, render, screen } from '@testing-library/react';
import { useRef } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useHostTheme, type DevtoolsTheme } from './host-theme.js';

function Probe({ theme = 'auto' }: { theme?: DevtoolsTheme }) {
  const ref = useRef<HTMLSpanElement>(null);
  const resolved = useHostTheme(ref, theme);
  return (
    <span ref={ref} data-testid="probe" data-kalphite-theme={resolved}>
      {resolved}
    </span>
  );
}

/** A system colour preference, as matchMedia answers it, that can change while mounted. */
function systemPrefers(dark: boolean) {
  const listeners = new Set<() => void>();
  const query = { matches: dark, addEventListener: (_: string, l: () => void) => listeners.add(l), removeEventListener: (_: string, l: () => void) => listeners.delete(l) };
  vi.stubGlobal('matchMedia', () => query);
  return (next: boolean) => {
    query.matches = next;
    for (const l of listeners) l();
  };
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('useHostTheme', () => {
  it("auto follows the nearest ancestor's data-kalphite-theme, as it changes, before the system's preference", async () => {
    systemPrefers(false);
    const { container } = render(
      <div data-kalphite-theme="dark">
        <Probe />
      </div>,
    );
    expect(screen.getByTestId('probe').textContent).toBe('dark');
    await act(async () => (container.firstElementChild as HTMLElement).setAttribute('data-kalphite-theme', 'light'));
    expect(screen.getByTestId('probe').textContent).toBe('light');
  });

  it("with no theme named on the page, auto follows the system's preference as it changes; a fixed theme does not", async () => {
    const change = systemPrefers(true);
    render(<Probe />);
    expect(screen.getByTestId('probe').textContent).toBe('dark');
    await act(async () => change(false));
    expect(screen.getByTestId('probe').textContent).toBe('light');
    cleanup();
    render(<Probe theme="dark" />);
    await act(async () => change(false));
    expect(screen.getByTestId('probe').textContent).toBe('dark');
  });
});
