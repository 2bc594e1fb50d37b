import { useLayoutEffect, useState, type RefObject } from 'react';

/** The element's width in px as it changes, or null where it cannot be measured (no ResizeObserver: jsdom, old hosts). */
export function useWidth(element: RefObject<Element | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const node = element.current;
    const Observer = node?.ownerDocument.defaultView?.ResizeObserver;
    if (!node || !Observer) return;
    setWidth(node.getBoundingClientRect().width);
    const observer = new Observer(([entry]) => entry && setWidth(entry.borderBoxSize?.[0]?.inlineSize ?? entry.contentRect.width));
    observer.observe(node);
    return () => observer.disconnect();
  }, [element]);
  return width;
}
