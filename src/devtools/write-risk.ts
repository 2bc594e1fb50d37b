import type { KalphiteInspection } from '../engine/index.js';

/** The writes not safe yet, from `inspect()` (events before the panel opened are gone; these counts are not). */
export interface WritesAtRisk {
  /** Only in memory (pending or in a flush): a crash before the next flush loses them. */
  readonly notOnDisk: number;
  /** Not acknowledged by the server, those not on disk included (0 for an engine that does not sync). */
  readonly notOnServer: number;
  /** What the toggle's badge counts: every write not yet where it is safe (the server, or the local db without sync). */
  readonly total: number;
  /**
   * Why they are not on their way, or null while they travel normally: data is at risk when writes
   * wait on something that will not pass by itself soon (offline, paused, a refused push, failing flushes).
   */
  readonly stuck: string | null;
}

export function writesAtRisk(inspection: KalphiteInspection): WritesAtRisk {
  const { flush, sync } = inspection;
  const notOnDisk = flush.pending.length + (flush.inFlight?.size ?? 0);
  const notOnServer = sync ? notOnDisk + inspection.outbox.length : 0;
  const total = sync ? notOnServer : notOnDisk;
  return { notOnDisk, notOnServer, total, stuck: total === 0 ? null : stuckReason(inspection) };
}

function stuckReason({ flush, sync, outbox }: KalphiteInspection): string | null {
  if (flush.failures > 0) return `flushing to the local db failed ${flush.failures === 1 ? 'once' : `${flush.failures} times`}`;
  if (!sync || outbox.length === 0) return null;
  if (sync.blocked) return 'the server refused a push';
  if (sync.paused) return 'sync is paused';
  if (sync.simulatedOffline || !sync.online) return 'sync is offline';
  if (sync.lastError) return `the last request failed (${sync.lastError.code})`;
  return null;
}
