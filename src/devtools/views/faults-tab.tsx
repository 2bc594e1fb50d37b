import { useState, useSyncExternalStore } from 'react';
import type { Kalphite, Verification } from '../../engine/index.js';
import type { FaultInjector } from '../faults.js';

/** Switch network faults on and off, then show that nothing was lost. */
export function FaultsTab({ kalphite, injector }: { kalphite: Kalphite; injector: FaultInjector }) {
  const faults = useSyncExternalStore(injector.subscribe, () => injector.faults);
  const [result, setResult] = useState<Verification | string | null>(null);
  const sync = kalphite.sync;
  const verify = async () => {
    if (!sync) return;
    setResult('Verifying…');
    try {
      await kalphite.flush();
      await sync.push();
      await sync.pull();
      setResult(await sync.verify());
    } catch (error) {
      setResult(`Could not verify: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <div style={{ display: 'grid', gap: 8, maxWidth: 520 }}>
      <label>
        Latency (ms){' '}
        <input className="kalphite-input" type="number" min={0} step={100} value={faults.latencyMs} onChange={(e) => injector.set({ latencyMs: Math.max(0, Number(e.target.value)) })} />
      </label>
      <label>
        Drop responses (%){' '}
        <input className="kalphite-input" type="number" min={0} max={100} step={10} value={Math.round(faults.dropResponses * 100)} onChange={(e) => injector.set({ dropResponses: Math.min(100, Math.max(0, Number(e.target.value))) / 100 })} />
      </label>
      <label>
        <input type="checkbox" checked={faults.duplicatePushes} onChange={(e) => injector.set({ duplicatePushes: e.target.checked })} /> Send every push twice
      </label>
      <label>
        <input type="checkbox" checked={faults.offline} onChange={(e) => injector.set({ offline: e.target.checked })} /> Offline
      </label>
      <div className="kalphite-actions">
        <button type="button" className="kalphite-button" onClick={() => injector.set({ failNext: faults.failNext + 3 })}>
          Fail the next 3 requests
        </button>
        <span className="kalphite-muted">{faults.failNext > 0 ? `${faults.failNext} failures queued` : ''}</span>
        <button type="button" className="kalphite-button" onClick={() => injector.set({ latencyMs: 0, dropResponses: 0, duplicatePushes: false, failNext: 0, offline: false })}>
          Clear faults
        </button>
        <button type="button" className="kalphite-button kalphite-button-primary" disabled={!sync} onClick={() => void verify()}>
          Verify nothing was lost
        </button>
      </div>
      <p role="status">
        {typeof result === 'string' && result}
        {result !== null && typeof result !== 'string' &&
          (result.matches
            ? `Nothing lost: memory equals the server (${result.serverEntities} entities)${result.pending > 0 ? `, ${result.pending} writes still on their way` : ', every write acknowledged'}.`
            : `Mismatch: ${result.missingLocally.length} missing here, ${result.missingOnServer.length} missing on the server, ${result.different.length} different.`)}
      </p>
    </div>
  );
}
