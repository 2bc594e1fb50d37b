import { useMemo } from 'react';
import { traceDurability } from '../durability.js';
import type { EngineView } from '../use-inspection.js';

const step = (at: number | null, since: number) => (at === null ? '…' : `+${at - since} ms`);

/** For each recent write: when it reached memory, the local db, the server, and was acknowledged. */
export function DurabilityTab({ view }: { view: EngineView }) {
  const writes = useMemo(() => traceDurability([...view.events].reverse()), [view.events]);
  return (
    <table className="kalphite-table" aria-label="Recent writes">
      <thead>
        <tr>
          <th scope="col">entity</th>
          <th scope="col">memory</th>
          <th scope="col">local db</th>
          <th scope="col">server</th>
          <th scope="col">acknowledged</th>
        </tr>
      </thead>
      <tbody>
        {writes.length === 0 ? (
          <tr>
            <td colSpan={5} className="kalphite-muted">
              No local writes since the panel opened.
            </td>
          </tr>
        ) : (
          writes.map((w) => (
            <tr key={`${w.id}-${w.memoryAt}`}>
              <td>
                <code>{w.id}</code> {w.op === 'delete' ? '(delete)' : ''}
              </td>
              <td>{new Date(w.memoryAt).toLocaleTimeString()}</td>
              <td>{step(w.diskAt, w.memoryAt)}{w.mutationId !== null && ` (#${w.mutationId})`}</td>
              <td>{step(w.serverAt, w.memoryAt)}</td>
              <td>{step(w.acknowledgedAt, w.memoryAt)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
