import { utf8Length } from '../../protocol/json.js';
import { patchOf } from '../../protocol/patch.js';
import { PUSH_VERSION, type Mutation } from '../../protocol/push.js';
import type { Environment } from '../environment.js';
import type { EmitEvent } from '../events.js';
import type { OutboxEntry } from '../persist/local-db.js';
import type { Outbox } from './ports.js';
import { RetryAtOnce, type LoopTurn } from './request-loop.js';
import { SyncHttpError } from './transport.js';
import { wireClientId } from './wire-clients.js';

export interface PushDelegateOptions {
  readonly outbox: Outbox;
  readonly post: (space: string, body: string) => Promise<string>;
  readonly batchSize: number;
  /** The largest push body; lowered when the server answers 413 with its own limit. */
  readonly maxBytes: number;
  /** A push was taken: `more` when rows are left to push at once; `upTo`, per client, the newest mutation id it carried. */
  readonly onPushed: (space: string, more: boolean, upTo: ReadonlyMap<string, number>) => void;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/**
 * What one push is, for the push loop: the oldest outbox row's space, and that space's oldest rows
 * in write order, as many as fit the body limit (at least one), sent to that space as its client
 * group. Ordering holds within a space, not across spaces. A 200 only says the server received
 * them: acknowledgements arrive by pull, or by the poke of the version they made (`onPushed`).
 */
export class PushDelegate {
  readonly #o: PushDelegateOptions;
  #maxBytes: number;
  #lastPushAt: number | null = null;
  #lastSpace: string | null = null;
  /**
   * Per space and client, the newest mutation id a push delivered (answered 200) that no pull of
   * the space has answered since: not sent again until one has, so pushing the next space's rows
   * does not resend these.
   */
  readonly #delivered = new Map<string, number>();
  /** Spaces whose last push failed: the next push serves another space first, so one failing space holds up no other. */
  readonly #failing = new Set<string>();
  /** Every outbox row was delivered and awaits its acknowledgement: nothing to send until a pull or poke lands or a write is flushed. */
  #allDelivered = false;
  /** Counts what may give a push something to send (a flush, a landing, a reset), so a turn knows whether one came while it ran. */
  #news = 0;

  constructor(options: PushDelegateOptions) {
    this.#o = options;
    this.#maxBytes = options.maxBytes;
  }

  get lastPushAt(): number | null {
    return this.#lastPushAt;
  }

  /** The space of the newest push tried (a stop's rows are there). */
  get lastSpace(): string | null {
    return this.#lastSpace;
  }

  /** Every outbox row was delivered and awaits its acknowledgement (by pull or poke): no push is due. */
  get allDelivered(): boolean {
    return this.#allDelivered;
  }

  /** New outbox rows were flushed: there is something to push again. */
  wrote(): void {
    this.#allDelivered = false;
    this.#news++;
  }

  /** A pull of `space` landed: what it did not acknowledge may be pushed again. */
  pulled(space: string): void {
    this.#allDelivered = false;
    this.#news++;
    for (const key of this.#delivered.keys()) if (key.startsWith(`${space} `)) this.#delivered.delete(key);
  }

  /** The outbox was reset or rows were given up: every row may be pushed again. */
  forget(): void {
    this.#allDelivered = false;
    this.#news++;
    this.#delivered.clear();
    this.#failing.clear();
  }

  send = async (turn: LoopTurn): Promise<null> => {
    const { outbox, env, emit, batchSize } = this.#o;
    const news = this.#news;
    const oldest = await outbox.unsyncedChanges(batchSize);
    const waiting = oldest.filter((entry) => entry.mutationId > (this.#delivered.get(deliveryKey(entry)) ?? 0));
    // Nothing left to push (a pull acknowledged it, or one is on its way to): the loop's failures are over.
    this.#allDelivered = waiting.length === 0 && oldest.length > 0 && news === this.#news;
    if (waiting.length === 0) return null;
    const space = (waiting.find((entry) => !this.#failing.has(entry.space)) ?? waiting[0]!).space;
    const entries = waiting.filter((entry) => entry.space === space);
    const { clientGroupId, generation } = await outbox.ensureSpace(space);
    const { body, bytes, count } = this.#body(clientGroupId, generation, entries);
    const { requestId, startedAt } = turn.begin(count);
    this.#lastSpace = space;
    const last = entries[count - 1]!.mutationId;
    emit({ type: 'sync:push-started', space, requestId, mutations: count, bytes, firstMutationId: entries[0]!.mutationId, lastMutationId: last });
    try {
      await this.#o.post(space, body);
    } catch (error) {
      this.#failing.add(space);
      if (error instanceof SyncHttpError && error.status === 413 && count > 1) {
        // Too large for this server: take its limit (or half this body) and send fewer at once.
        this.#maxBytes = Math.min(this.#maxBytes, error.maxBodyBytes ?? Math.floor(bytes / 2));
        throw new RetryAtOnce(error);
      }
      throw error;
    }
    this.#failing.delete(space);
    const upTo = new Map<string, number>();
    for (const entry of entries.slice(0, count)) {
      this.#delivered.set(deliveryKey(entry), Math.max(entry.mutationId, this.#delivered.get(deliveryKey(entry)) ?? 0));
      upTo.set(entry.clientId, Math.max(entry.mutationId, upTo.get(entry.clientId) ?? 0));
    }
    const more = count < waiting.length || oldest.length === batchSize;
    // Everything read was sent, and nothing came meanwhile: no turn is due before an acknowledgement
    // lands or a write is flushed (a turn now would only read the outbox to find it all delivered).
    this.#allDelivered = !more && news === this.#news;
    turn.succeeded();
    this.#lastPushAt = env.now();
    emit({ type: 'sync:push-succeeded', space, requestId, mutations: count, bytes, durationMs: env.now() - startedAt, lastMutationId: last });
    this.#o.onPushed(space, more, upTo);
    return null;
  };

  /** As many outbox rows as fit in the body limit (always at least one), as a push request body. */
  #body(clientGroupId: string, generation: number, entries: readonly OutboxEntry[]): { body: string; bytes: number; count: number } {
    const group = JSON.stringify(clientGroupId);
    const head = `{"pushVersion":${PUSH_VERSION},"clientGroupID":${group},"profileID":${JSON.stringify(this.#o.outbox.profileId)},"schemaVersion":${JSON.stringify(String(this.#o.outbox.appSchemaVersion))},"mutations":[`;
    let body = head;
    let bytes = utf8Length(head) + 2;
    let count = 0;
    for (const entry of entries) {
      const mutation = JSON.stringify(toMutation(entry, generation));
      const size = utf8Length(mutation) + (count > 0 ? 1 : 0);
      if (count > 0 && bytes + size > this.#maxBytes) break;
      body += count > 0 ? `,${mutation}` : mutation;
      bytes += size;
      count++;
    }
    return { body: `${body}]}`, bytes, count };
  }
}

const deliveryKey = (entry: OutboxEntry): string => `${entry.space} ${entry.clientId}`;

function toMutation(entry: OutboxEntry, generation: number): Mutation {
  return {
    clientID: wireClientId(entry.clientId, generation),
    id: entry.mutationId,
    name: entry.op,
    args: argsOf(entry) as Mutation['args'],
    timestamp: entry.createdAt,
  };
}

/** An upsert carries the whole entity, a patch only its changed fields, a delete or discard the id. */
function argsOf(entry: OutboxEntry): unknown {
  if (entry.op === 'patch' && entry.entity) return patchOf(entry.entity, entry.fields ?? [], entry.before);
  if (entry.op === 'upsert' && entry.entity) return entry.entity;
  return { id: entry.entityId, type: entry.entityType };
}
