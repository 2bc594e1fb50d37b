import { useMemo } from 'react';
import { traceDurability } from '../durability.js';
import { WriteTimeline } from '../pictures/index.js';
import type { EngineView } from '../use-inspection.js';

/** Lanes shown: the newest writes (the picture is for reading at a glance, not an archive). */
const LANES = 60;

/** Each recent write's journey as a lane: memory → local db → server → acknowledged, with its times. */
export function DurabilityTab({ view, now, syncs }: { view: EngineView; now: number; syncs: boolean }) {
  const writes = useMemo(() => traceDurability([...view.events].reverse(), LANES), [view.events]);
  if (writes.length === 0) return <p className="kalphite-muted">No local writes since the panel opened.</p>;
  return <WriteTimeline journeys={writes} now={now} syncs={syncs} />;
}
