import { useId, type Ref } from 'react';
import type { Kalphite } from '../engine/index.js';
import { KalphiteMark } from './mark.js';
import { useWritesAtRisk } from './use-writes-at-risk.js';

/**
 * The button that opens the devtools: the mark, "Kalphite", and a badge counting the writes not yet
 * safe (not on disk, or not acknowledged by the server). The badge is amber while they travel and
 * red when they are stuck — offline, paused, refused or failing: data at risk. The button's name
 * stays "Kalphite devtools" and the count is its description, so a screen reader hears both; the
 * badge sits on the button's corner, outside it, so the name holds every word the button shows.
 */
export function DevtoolsToggle({ kalphite, onOpen, ref }: { readonly kalphite: Kalphite; readonly onOpen: () => void; readonly ref?: Ref<HTMLButtonElement> }) {
  const risk = useWritesAtRisk(kalphite);
  const descriptionId = useId();
  const syncs = kalphite.sync !== null;
  const what = `${risk.total.toLocaleString()} ${risk.total === 1 ? 'write' : 'writes'} not ${syncs ? 'on the server' : 'on disk'} yet`;
  const description = risk.total === 0 ? 'Every write is safe.' : risk.stuck ? `${what}, at risk: ${risk.stuck}.` : `${what}, on their way.`;
  const state = risk.total === 0 ? 'safe' : risk.stuck ? 'at-risk' : 'moving';
  return (
    <span className="kalphite-devtools-toggle-box" data-state={state}>
      <button ref={ref} type="button" className="kalphite-devtools-toggle" data-state={state} aria-expanded={false} aria-label="Kalphite devtools" aria-describedby={descriptionId} title={description} onClick={onOpen}>
        <KalphiteMark size={18} />
        Kalphite
      </button>
      {risk.total > 0 && (
        <span className="kalphite-devtools-badge" aria-hidden="true">
          {risk.total > 999 ? '999+' : risk.total}
        </span>
      )}
      <span id={descriptionId} hidden>
        {description}
      </span>
    </span>
  );
}
