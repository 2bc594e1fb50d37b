import type { EngineView } from '../use-inspection.js';

/** Every engine event, newest first. */
export function EventsTab({ view }: { view: EngineView }) {
  return (
    <ol className="kalphite-feed" aria-label="Events" reversed>
      {view.events.slice(0, 200).map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <code>{e.type}</code>
          <span className="kalphite-muted">{new Date(e.at).toLocaleTimeString()}</span>
        </li>
      ))}
    </ol>
  );
}
