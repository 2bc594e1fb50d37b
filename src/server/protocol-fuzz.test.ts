import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshPGlite } from '../test-support/pglite.js';
import { createSyncCore } from './core.js';
import { createSyncHandler, type SyncHandler } from './handler.js';
import { createPGliteBackend } from './pglite-backend.js';
import { parsePoke, pokeMessage, POKE_VERSION } from '../protocol/poke.js';
import { parsePullResponse } from '../protocol/pull.js';

/**
 * Fuzz of the push and pull parsers through the whole fetch handler, over a real core on PGlite:
 * whatever a caller sends, the answer is 2xx or a 4xx with a JSON error — never a 5xx — and the
 * server keeps working: a valid push right after is applied and pulled (hardening issue 14).
 * Strings are full UTF-16 (lone surrogates), with NULs, over-long ids and Object.prototype names:
 * the values that once failed whole pushes with a 500 and blocked a client's outbox.
 */

const URL_BASE = 'http://127.0.0.1/api/sync';

/** What a client might put where the protocol wants a string: the values PostgreSQL or JS objects choke on first. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom('a', 'note', '', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD83D', '😀'.slice(0, 1), '😀', 'é', '\u2028') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'valueOf', 'toString', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__') },
  // Longer than a PostgreSQL btree entry (about 2.7 KB) once indexed.
  { weight: 1, arbitrary: fc.constantFrom('k'.repeat(3000), 'é'.repeat(1500), '\u0000'.repeat(600)) },
);

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
/** A space id, or something close to one: the right characters but too long, a space, a NUL, an encoded slash. */
const spaceId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('default', 'org:acme', 'review/42@x', 'a'.repeat(200), 'a'.repeat(201), '', ' ', 'a b', 'é', '%2F', '\u0000', '__proto__'),
  nastyString,
);
/** Mostly well-formed, sometimes any JSON, sometimes missing: one field of a near-valid body. */
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: fc.constant(undefined) });

const entityArgs = fc.record({
  id: maybe(nastyString),
  type: maybe(nastyString),
  data: maybe(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 })),
  updatedAt: fc.option(fc.oneof(fc.double(), fc.integer()), { nil: undefined }),
});

const mutation = fc.record({
  clientID: maybe(nastyString),
  id: maybe(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 }), fc.integer(), fc.double())),
  name: maybe(fc.oneof(fc.constantFrom('upsert', 'delete'), nastyString)),
  args: maybe(fc.oneof(entityArgs, fc.record({ id: nastyString }))),
  timestamp: maybe(fc.oneof(fc.integer({ min: 0 }), fc.double())),
});

const nearValidPush = fc.record({
  pushVersion: maybe(fc.oneof(fc.constant(1), fc.integer())),
  clientGroupID: maybe(nastyString),
  profileID: maybe(nastyString),
  schemaVersion: maybe(nastyString),
  mutations: maybe(fc.array(mutation, { maxLength: 4 })),
  space: fc.option(maybe(spaceId), { nil: undefined }),
});

const cookie = fc.oneof(fc.constant(null), fc.nat(), fc.integer(), fc.double(), fc.record({ order: maybe(fc.nat()), key: maybe(nastyString) }));
const nearValidPull = fc.record({
  pullVersion: maybe(fc.oneof(fc.constant(1), fc.integer())),
  clientGroupID: maybe(nastyString),
  profileID: maybe(nastyString),
  schemaVersion: maybe(nastyString),
  cookie: maybe(cookie),
  limit: fc.option(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer(), fc.double()), { nil: undefined }),
  space: fc.option(maybe(spaceId), { nil: undefined }),
});

/** What a client might put after `?`: none, one, several or malformed `space` parameters. */
const spaceQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  // URLSearchParams encodes what encodeURIComponent throws on (a lone surrogate becomes U+FFFD).
  fc.array(spaceId, { minLength: 1, maxLength: 3 }).map((spaces) => `?${new URLSearchParams(spaces.map((space) => ['space', space]))}`),
  fc.constantFrom('?space', '?space=', '?space=%', '?space=%E0%A4%A', '?space=a&space=a', '?space[]=a', '?Space=a'),
);

/** Bodies no client should send: broken JSON, the wrong shapes, deep nesting, odd bytes. */
const malformedBodies = fc.constantFrom(
  '',
  '{',
  'null',
  '[]',
  '"push"',
  '{"pushVersion":1}',
  '{"pushVersion":1,"clientGroupID":"g","mutations":{}}',
  '{"pushVersion":1,"clientGroupID":"g","mutations":[null]}',
  '{"pullVersion":1,"clientGroupID":"g","cookie":{"order":-1,"key":"a"}}',
  '{"pushVersion":1,"clientGroupID":"g","__proto__":{"mutations":[]}}',
  '{"pushVersion":1,"clientGroupID":"g","mutations":[{"clientID":"c","id":1,"name":"upsert","args":{"id":"a","type":"t","data":{"__proto__":{"x":1}}},"timestamp":1}]}',
  '{"pushVersion":1e400,"clientGroupID":"g","mutations":[]}',
  '[' .repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
  '\u0000',
  '{"pushVersion":1,"clientGroupID":"g\\u0000","mutations":[]}',
  '{"pullVersion":1,"clientGroupID":"\\ud800","cookie":null}',
);

/** One core on a fresh PGlite per test (the test-support closes it after the test), and a valid client to probe it with. */
async function fuzzServer() {
  // A resolver is configured so that entity types named after Object.prototype members are looked up in it.
  const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), resolvers: { note: (incoming) => incoming } });
  const handler: SyncHandler = createSyncHandler({ core });
  let probes = 0;
  let cookie: unknown = null;

  const send = async (route: 'push' | 'pull', body: string | Uint8Array, query = ''): Promise<{ status: number; text: string }> => {
    const response = await handler(new Request(`${URL_BASE}/${route}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : new Uint8Array(body) }));
    return { status: response.status, text: await response.text() };
  };

  /** The answer to a bad request: a 2xx, or a 4xx that says what is wrong in JSON. */
  const expectHandled = (answer: { status: number; text: string }, sent: unknown) => {
    const context = `status ${answer.status} for ${describeBody(sent)}: ${answer.text.slice(0, 300)}`;
    expect(answer.status, context).toBeGreaterThanOrEqual(200);
    expect(answer.status, context).toBeLessThan(500);
    expect(answer.status >= 300 && answer.status < 400, context).toBe(false);
    if (answer.status >= 400) {
      const body = JSON.parse(answer.text) as { error?: unknown; message?: unknown };
      expect(typeof body.error, context).toBe('string');
      expect(typeof body.message, context).toBe('string');
    }
  };

  /** A well-behaved client still gets through: its push is applied and its next pull carries it. */
  const expectStillWorks = async () => {
    const n = ++probes;
    const entity = { id: `probe-${n}`, type: 'note', data: { n } };
    const pushed = await send('push', JSON.stringify({ pushVersion: 1, clientGroupID: 'probe-group', profileID: 'p', schemaVersion: '1', mutations: [{ clientID: `probe-client-${n}`, id: 1, name: 'upsert', args: entity, timestamp: n }] }));
    expect(pushed, 'a valid push after the fuzzed request').toMatchObject({ status: 200 });
    const pulled = await send('pull', JSON.stringify({ pullVersion: 1, clientGroupID: 'probe-group', profileID: 'p', schemaVersion: '1', cookie }));
    expect(pulled.status, `the pull after it: ${pulled.text.slice(0, 300)}`).toBe(200);
    const body = JSON.parse(pulled.text) as { cookie: unknown; lastMutationIDChanges: Record<string, number>; patch: { op: string; key?: string; value?: unknown }[] };
    expect(body.patch).toContainEqual({ op: 'put', key: entity.id, value: { ...entity, space: 'default' } });
    expect(body.lastMutationIDChanges[`probe-client-${n}`]).toBe(1);
    cookie = body.cookie;
  };

  return { send, expectHandled, expectStillWorks };
}

function describeBody(body: unknown): string {
  if (body instanceof Uint8Array) return `${body.byteLength} bytes`;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Escaped, so NULs and lone surrogates are visible in the failure message.
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text).replace(/[\u0000-\u001f\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const route = fc.constantFrom('push' as const, 'pull' as const);

describe('push and pull parsers under fuzzing (fast-check): 2xx or 4xx, never 5xx, and the server keeps working', () => {
  it('arbitrary strings and bytes as the body', async () => {
    const server = await fuzzServer();
    await fc.assert(
      fc.asyncProperty(route, fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), malformedBodies), async (to, body) => {
        server.expectHandled(await server.send(to, body), body);
        await server.expectStillWorks();
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary JSON as the body (lone surrogates and NULs in strings and keys)', async () => {
    const server = await fuzzServer();
    await fc.assert(
      fc.asyncProperty(route, fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }), async (to, value) => {
        const body = JSON.stringify(value);
        server.expectHandled(await server.send(to, body), body);
        await server.expectStillWorks();
      }),
      { numRuns: 200 },
    );
  });

  it('near-valid push bodies with mutated fields', async () => {
    const server = await fuzzServer();
    await fc.assert(
      fc.asyncProperty(nearValidPush, async (push) => {
        // JSON.stringify escapes lone surrogates, so the server's JSON.parse gets them back intact.
        const body = JSON.stringify(push);
        server.expectHandled(await server.send('push', body), body);
        await server.expectStillWorks();
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary ?space= parameters, with near-valid bodies that may name a space of their own', async () => {
    const server = await fuzzServer();
    await fc.assert(
      fc.asyncProperty(route, spaceQuery, nearValidPush, nearValidPull, async (to, query, push, pull) => {
        const body = JSON.stringify(to === 'push' ? push : pull);
        server.expectHandled(await server.send(to, body, query), `${query} ${body}`);
        await server.expectStillWorks();
      }),
      { numRuns: 200 },
    );
  });

  it('near-valid pull bodies with mutated fields', async () => {
    const server = await fuzzServer();
    await fc.assert(
      fc.asyncProperty(nearValidPull, async (pull) => {
        const body = JSON.stringify(pull);
        server.expectHandled(await server.send('pull', body), body);
        await server.expectStillWorks();
      }),
      { numRuns: 200 },
    );
  });
});

/** A poke's change, near-valid field by field (`maybe`: now and then any JSON or missing), the strings sometimes nasty. */
const pokeString = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('c1', 'group-a', 'a') }, { weight: 1, arbitrary: nastyString });
const nearValidPoke = fc.record({
  space: maybe(fc.oneof({ weight: 4, arbitrary: fc.constant('default') }, { weight: 1, arbitrary: spaceId })),
  version: maybe(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 9 }) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) })),
  pokeVersion: maybe(fc.constant(POKE_VERSION)),
  previous: maybe(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) })),
  clientGroupID: maybe(pokeString),
  patch: maybe(fc.array(fc.record({ op: maybe(fc.constantFrom('put', 'del', 'clear')), key: maybe(pokeString), value: maybe(anyJson) }), { maxLength: 3 })),
  lastMutationIDChanges: maybe(fc.dictionary(pokeString, fc.oneof({ weight: 4, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) }), { maxKeys: 3 })),
  refused: fc.option(maybe(fc.array(fc.record({ clientID: maybe(pokeString), id: maybe(fc.nat()), reason: maybe(pokeString) }), { maxLength: 2 })), { nil: undefined }),
  overwritten: fc.option(maybe(fc.array(fc.record({ clientID: maybe(pokeString), id: maybe(fc.nat()), key: maybe(pokeString), fields: maybe(fc.array(pokeString, { maxLength: 2 })) }), { maxLength: 2 })), { nil: undefined }),
});

/** A poke with a change that is valid in every field: so every run checks kept changes, not only drops (near-valid ones are valid too rarely to count on). */
const validPoke = fc.integer({ min: 1, max: 9 }).chain((version) =>
  fc.record({
    space: fc.constant('default'),
    version: fc.constant(version),
    pokeVersion: fc.constant(POKE_VERSION),
    previous: fc.integer({ min: 0, max: version - 1 }),
    clientGroupID: fc.constantFrom('c1', 'group-a'),
    patch: fc.array(fc.record({ op: fc.constant('put'), key: fc.constantFrom('a', 'b'), value: fc.record({ id: fc.constantFrom('a', 'b'), type: fc.constant('note'), data: fc.jsonValue({ maxDepth: 2 }) }) }), { maxLength: 2 }),
    lastMutationIDChanges: fc.dictionary(fc.constantFrom('c1', 'c2'), fc.nat()),
  }),
);

describe('poke parser under fuzzing (fast-check): never throws, and a change it keeps is one a client may land', () => {
  it('random text, random JSON and near-valid changes', () => {
    const data = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }).map((value) => JSON.stringify(value)),
      nearValidPoke.map((poke) => JSON.stringify(poke)),
      validPoke.map((poke) => JSON.stringify(poke)),
      // Garbled on the way: a valid-looking change cut short.
      nearValidPoke.chain((poke) => fc.nat().map((cut) => JSON.stringify(poke).slice(0, cut))),
    );
    let kept = 0;
    fc.assert(
      fc.property(fc.option(data, { nil: undefined }), (text) => {
        const poke = parsePoke(text);
        if (poke.space === null || poke.change === undefined) return;
        kept++;
        const { change, version } = poke;
        expect(Number.isSafeInteger(change.previous) && change.previous >= 0 && change.previous < version).toBe(true);
        expect(change.clientGroupID).not.toBe('');
        expect(change.patch.some((op) => op.op === 'clear')).toBe(false);
        // What it kept is a valid pull answer, and survives being sent again.
        expect('error' in parsePullResponse({ cookie: version, ...change })).toBe(false);
        expect(parsePoke(pokeMessage(poke.space, version, change))).toEqual(poke);
      }),
      { numRuns: 2000 },
    );
    // The near-valid ones reach the checks above, not only the drops.
    expect(kept).toBeGreaterThan(0);
  });
});
