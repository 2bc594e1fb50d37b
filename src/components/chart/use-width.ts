import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * The element's content width, kept current as it resizes, so an SVG is drawn at its real size
 * (text in a scaled viewBox would shrink to nothing on a phone). `fallback` before the first
 * measure and where ResizeObserver does not exist (server rendering, jsdom).
 */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const measure = () => setWidth(Math.max(0, Math.floor(element.getBoundingClientRect().width)) || fallback);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, fallback]);
  return width;
}
