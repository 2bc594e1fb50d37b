import type { RenderReport, ReportingHook } from '../react/index.js';

/** One component's renders for a write: how many of its hook calls re-rendered it, and through which hooks. */
export interface ComponentRenders {
  readonly component: string;
  readonly renders: number;
  readonly hooks: readonly ReportingHook[];
  /** It calls a hook that re-renders for every commit (`useKalphiteStore`). */
  readonly everyChange: boolean;
}

/** The render fan-out of one write (one store version). */
export interface WriteRenders {
  readonly version: number;
  /** Hook renders reported for it (two hooks of one component that both changed count twice). */
  readonly renders: number;
  /** Most renders first, then by name. */
  readonly components: readonly ComponentRenders[];
}

export interface RenderFanOut {
  /** Newest write first. */
  readonly writes: readonly WriteRenders[];
  /** Components re-rendering on every change: a hook that renders for any commit, or seen in every write here (of at least 3). */
  readonly everyChange: readonly string[];
}

/** At least this many writes before "it rendered for every one of them" means anything. */
const EVERY_WRITE_MINIMUM = 3;

/** Groups the render log (oldest first) by write. */
export function renderFanOut(reports: readonly RenderReport[]): RenderFanOut {
  const byVersion = new Map<number, Map<string, { renders: number; hooks: Set<ReportingHook>; everyChange: boolean }>>();
  for (const report of reports) {
    let components = byVersion.get(report.version);
    if (!components) byVersion.set(report.version, (components = new Map()));
    const entry = components.get(report.component) ?? { renders: 0, hooks: new Set<ReportingHook>(), everyChange: false };
    entry.renders++;
    entry.hooks.add(report.hook);
    entry.everyChange ||= report.everyChange;
    components.set(report.component, entry);
  }
  const writes = [...byVersion]
    .sort(([a], [b]) => b - a)
    .map(([version, components]): WriteRenders => {
      const list = [...components]
        .map(([component, { renders, hooks, everyChange }]) => ({ component, renders, hooks: [...hooks], everyChange }))
        .sort((a, b) => b.renders - a.renders || a.component.localeCompare(b.component));
      return { version, renders: list.reduce((sum, c) => sum + c.renders, 0), components: list };
    });
  const seenIn = new Map<string, number>();
  const byHook = new Set<string>();
  for (const write of writes) {
    for (const c of write.components) {
      seenIn.set(c.component, (seenIn.get(c.component) ?? 0) + 1);
      if (c.everyChange) byHook.add(c.component);
    }
  }
  const inEveryWrite = writes.length >= EVERY_WRITE_MINIMUM ? [...seenIn].filter(([, n]) => n === writes.length).map(([name]) => name) : [];
  return { writes, everyChange: [...new Set([...byHook, ...inEveryWrite])].sort() };
}
