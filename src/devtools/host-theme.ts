import { useEffect, useState, type RefObject } from 'react';

/** `auto` (the default) follows the host page; `light` and `dark` are fixed. */
export type DevtoolsTheme = 'auto' | 'light' | 'dark';

/**
 * The theme the devtools take. With `auto`, the host's: the nearest ancestor's
 * `data-kalphite-theme` (the kit's switch), else the page's own `color-scheme` where it names one
 * (`:root { color-scheme: dark }`), else the system's preference. All three are watched, so a host
 * that switches theme switches the panel too.
 */
export function useHostTheme(element: RefObject<Element | null>, theme: DevtoolsTheme): 'light' | 'dark' {
  const [resolved, setResolved] = useState<'light' | 'dark'>(theme === 'auto' ? 'light' : theme);
  useEffect(() => {
    if (theme !== 'auto') {
      setResolved(theme);
      return;
    }
    const doc = element.current?.ownerDocument;
    const view = doc?.defaultView;
    if (!doc || !view) return;
    const media = view.matchMedia?.('(prefers-color-scheme: dark)');
    const read = () => setResolved(hostTheme(element.current, view, media));
    read();
    // Only the attribute that names a theme, anywhere; the root's style and class for color-scheme.
    const themes = new view.MutationObserver(read);
    themes.observe(doc.documentElement, { attributes: true, subtree: true, attributeFilter: ['data-kalphite-theme'] });
    const root = new view.MutationObserver(read);
    root.observe(doc.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    media?.addEventListener('change', read);
    return () => {
      themes.disconnect();
      root.disconnect();
      media?.removeEventListener('change', read);
    };
  }, [element, theme]);
  return resolved;
}

function hostTheme(element: Element | null, view: Window, media: MediaQueryList | undefined): 'light' | 'dark' {
  // The parent's: the devtools carry the attribute themselves.
  const named = element?.parentElement?.closest('[data-kalphite-theme]')?.getAttribute('data-kalphite-theme');
  if (named) return named === 'dark' ? 'dark' : 'light';
  const scheme = view.getComputedStyle(element?.ownerDocument.documentElement ?? view.document.documentElement).colorScheme;
  if (scheme === 'dark' || scheme === 'only dark') return 'dark';
  if (scheme === 'light' || scheme === 'only light') return 'light';
  return media?.matches ? 'dark' : 'light';
}
