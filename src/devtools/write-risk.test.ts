import { describe, expect, it } from 'vitest';
import type { KalphiteInspection, SyncStatus } from '../engine/index.js';
import { writesAtRisk } from './write-risk.js';

const sync = (patch: Partial<SyncStatus> = {}) => ({ online: true, paused: false, simulatedOffline: false, blocked: null, lastError: null, ...patch }) as SyncStatus;
const inspection = ({ pending = 0, inFlight = 0, outbox = 0, failures = 0, status = sync() as SyncStatus | null } = {}) =>
  ({
    flush: { pending: Array.from({ length: pending }, (_, i) => ({ id: `p${i}` })), inFlight: inFlight ? { batchId: 1, size: inFlight, startedAt: 0 } : null, failures, dueAt: null },
    outbox: { length: outbox },
    sync: status,
  }) as unknown as KalphiteInspection;

describe('writesAtRisk', () => {
  it('counts writes not on disk and not on the server; nothing is stuck while they travel', () => {
    expect(writesAtRisk(inspection({ pending: 2, inFlight: 1, outbox: 4 }))).toEqual({ notOnDisk: 3, notOnServer: 7, total: 7, stuck: null });
    expect(writesAtRisk(inspection())).toEqual({ notOnDisk: 0, notOnServer: 0, total: 0, stuck: null });
  });

  it('without sync, only the local db counts', () => {
    expect(writesAtRisk(inspection({ pending: 2, outbox: 9, status: null }))).toEqual({ notOnDisk: 2, notOnServer: 0, total: 2, stuck: null });
  });

  it('names why writes are stuck: failing flushes, a refused push, paused, offline, a failed request', () => {
    expect(writesAtRisk(inspection({ pending: 1, failures: 2 })).stuck).toBe('flushing to the local db failed 2 times');
    expect(writesAtRisk(inspection({ outbox: 1, status: sync({ blocked: { code: 'server-error' } as SyncStatus['blocked'] }) })).stuck).toBe('the server refused a push');
    expect(writesAtRisk(inspection({ outbox: 1, status: sync({ paused: true }) })).stuck).toBe('sync is paused');
    expect(writesAtRisk(inspection({ outbox: 1, status: sync({ online: false }) })).stuck).toBe('sync is offline');
    expect(writesAtRisk(inspection({ outbox: 1, status: sync({ lastError: { code: 'network', message: '', at: 0 } }) })).stuck).toBe('the last request failed (network)');
    // Paused with nothing in the outbox: writes on their way to disk are not held up by it.
    expect(writesAtRisk(inspection({ pending: 1, status: sync({ paused: true }) })).stuck).toBeNull();
  });
});
