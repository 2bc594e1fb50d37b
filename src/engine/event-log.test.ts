import { describe, expect, it } from 'vitest';
import { EventLog, HISTORY_CHANGES_KEPT } from './event-log.js';

describe('the event log', () => {
  it('keeps a large commit in its history with its first changes and how many more there were; listeners hear all', () => {
    const log = new EventLog(() => 1, 10);
    const heard: number[] = [];
    log.subscribe((event) => {
      if (event.type === 'store:changed') heard.push(event.changes.length);
    });
    const changes = Array.from({ length: HISTORY_CHANGES_KEPT + 5 }, (_, i) => ({ id: `e${i}`, before: undefined, after: { id: `e${i}`, type: 't', data: null } }));
    log.emit({ type: 'store:changed', origin: 'server', tag: null, version: 1, changes });
    expect(heard).toEqual([HISTORY_CHANGES_KEPT + 5]);
    expect(log.events[0]).toMatchObject({ type: 'store:changed', omitted: 5 });
    const [kept] = log.events;
    expect(kept?.type === 'store:changed' && kept.changes).toHaveLength(HISTORY_CHANGES_KEPT);
  });
});
