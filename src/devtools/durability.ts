import type { KalphiteEvent } from '../engine/index.js';

/** One recent local write and how far it has travelled. Times are engine-clock ms, null until reached. */
export interface WriteJourney {
  readonly id: string;
  readonly op: 'set' | 'delete';
  readonly memoryAt: number;
  readonly diskAt: number | null;
  readonly mutationId: number | null;
  readonly serverAt: number | null;
  readonly acknowledgedAt: number | null;
}

/**
 * Follows each local write through the engine's events: memory (store:changed) → local db
 * (flush:committed, which names the mutation id) → server (push-succeeded) → acknowledged (pull).
 * A later write to the same entity supersedes an earlier one still in memory (they flush as one).
 * The counts of data at risk come from `inspect()` instead: events before the panel opened are gone.
 */
export function traceDurability(eventsOldestFirst: readonly KalphiteEvent[], limit = 200): readonly WriteJourney[] {
  const journeys: { -readonly [K in keyof WriteJourney]: WriteJourney[K] }[] = [];
  const inMemory = new Map<string, (typeof journeys)[number]>();
  // Mutation ids count per space: a journey is found by its space and id.
  const byMutation = new Map<string, Map<number, (typeof journeys)[number]>>();
  const inSpace = (space: string) => {
    let journeys = byMutation.get(space);
    if (!journeys) byMutation.set(space, (journeys = new Map()));
    return journeys;
  };
  for (const event of eventsOldestFirst) {
    if (event.type === 'store:changed' && event.origin === 'local') {
      for (const change of event.changes) {
        const journey = { id: change.id, op: change.after ? ('set' as const) : ('delete' as const), memoryAt: event.at, diskAt: null, mutationId: null, serverAt: null, acknowledgedAt: null };
        const earlier = inMemory.get(change.id);
        if (earlier) journeys.splice(journeys.indexOf(earlier), 1);
        inMemory.set(change.id, journey);
        journeys.push(journey);
      }
    } else if (event.type === 'flush:committed') {
      event.ids.forEach((id, i) => {
        const journey = inMemory.get(id);
        const mutationId = event.mutationIds[i];
        if (!journey || mutationId === undefined) return;
        inMemory.delete(id);
        journey.diskAt = event.at;
        journey.mutationId = mutationId;
        inSpace(event.spaces[i] ?? '').set(mutationId, journey);
      });
    } else if (event.type === 'sync:push-succeeded') {
      for (const [id, journey] of inSpace(event.space)) if (id <= event.lastMutationId && journey.serverAt === null) journey.serverAt = event.at;
    } else if ((event.type === 'sync:pull-succeeded' || event.type === 'sync:poke-applied') && event.acknowledgedUpTo !== null) {
      const waiting = inSpace(event.space);
      for (const [id, journey] of waiting) {
        if (id > event.acknowledgedUpTo) continue;
        journey.serverAt ??= event.at;
        journey.acknowledgedAt = event.at;
        waiting.delete(id);
      }
    }
  }
  return journeys.slice(-limit).reverse();
}
