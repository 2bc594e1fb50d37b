import { describe, expect, it } from 'vitest';
import { KalphiteError } from '../errors.js';
import { httpStatus, isPermanent, SyncHttpError, Transport } from './transport.js';

/** A fetch that records requests and answers with what `answer` returns (or throws). */
function setup(answer: (url: string, init: RequestInit | undefined) => Response | Promise<Response>) {
  const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
  const reachable: boolean[] = [];
  let token = 't1';
  const transport = new Transport({
    url: 'https://sync.test/api/sync',
    fetch: async (input, init) => {
      requests.push({ url: String(input), init });
      return answer(String(input), init);
    },
    headers: () => ({ authorization: `Bearer ${token}` }),
    onReachable: (r) => reachable.push(r),
  });
  return { transport, requests, reachable, setToken: (t: string) => (token = t) };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('post', () => {
  it('POSTs JSON to the route of one space with fresh headers and resolves to the text of a 2xx', async () => {
    const { transport, requests, reachable, setToken } = setup(() => json(200, {}));
    expect(await transport.post('push', 'default', '{"a":1}')).toBe('{}');
    setToken('t2');
    await transport.post('pull', 'review:42', '{}');
    expect(requests.map((r) => r.url)).toEqual(['https://sync.test/api/sync/push?space=default', 'https://sync.test/api/sync/pull?space=review%3A42']);
    expect(requests.map((r) => new URL(r.url).searchParams.getAll('space'))).toEqual([['default'], ['review:42']]);
    expect(requests[0]!.init).toMatchObject({ method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer t1' } });
    expect(requests[1]!.init?.headers).toMatchObject({ authorization: 'Bearer t2' });
    expect(reachable).toEqual([true, true]);
  });

  it('a non-2xx is a SyncHttpError carrying the status as a field, with the server message', async () => {
    const { transport, reachable } = setup(() => json(403, { error: 'forbidden', message: 'Not yours.' }));
    const error = await transport.post('push', 'default', '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncHttpError);
    expect(error).toBeInstanceOf(KalphiteError);
    expect(error).toMatchObject({ code: 'server-error', status: 403, maxBodyBytes: null, message: 'The sync server answered 403 to push: Not yours.' });
    expect(httpStatus(error)).toBe(403);
    // The server answered: it is reachable, however it answered.
    expect(reachable).toEqual([true]);
  });

  it("a 413 carries the server's maxBodyBytes; a 413 without one (or not JSON) carries null", async () => {
    let body = JSON.stringify({ error: 'too-large', maxBodyBytes: 65536 });
    const { transport } = setup(() => new Response(body, { status: 413 }));
    await expect(transport.post('push', 'default', '{}')).rejects.toMatchObject({ status: 413, maxBodyBytes: 65536 });
    body = 'Payload Too Large';
    await expect(transport.post('push', 'default', '{}')).rejects.toMatchObject({ status: 413, maxBodyBytes: null, message: expect.stringContaining('Payload Too Large') });
  });

  it('no answer is a network error, not a server error, and marks the server unreachable', async () => {
    const { transport, reachable } = setup(() => {
      throw new TypeError('fetch failed');
    });
    const error = await transport.post('pull', 'default', '{}').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network', message: 'Could not reach the sync server: fetch failed' });
    expect(httpStatus(error)).toBeNull();
    expect(reachable).toEqual([false]);
  });

  it('a connection cut in the middle of the answer is a network error, even after a 200', async () => {
    const { transport, reachable } = setup(() => new Response(new ReadableStream({ start: (c) => c.error(new TypeError('terminated')) }), { status: 200 }));
    const error = await transport.post('push', 'default', '{}').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network', message: expect.stringContaining('broke during its answer to push: terminated') });
    expect(error).not.toBeInstanceOf(SyncHttpError);
    expect(reachable).toEqual([false]);
  });

  it('a failing headers hook is a network error, retried like an outage', async () => {
    const transport = new Transport({
      url: 'u',
      fetch: async () => json(200, {}),
      headers: () => Promise.reject(new Error('no token yet')),
      onReachable: () => {},
    });
    await expect(transport.post('push', 'default', '{}')).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('no token yet') });
  });

  it('setOffline fails every request at once as unreachable, without calling fetch; back online it sends', async () => {
    const { transport, requests, reachable } = setup(() => json(200, {}));
    transport.setOffline(true);
    expect(transport.offline).toBe(true);
    await expect(transport.post('push', 'default', '{}')).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('simulated by setOffline') });
    await expect(transport.stream('poke', ['default'], new AbortController().signal)).rejects.toMatchObject({ code: 'network' });
    expect(requests).toHaveLength(0);
    expect(reachable).toEqual([false]);
    transport.setOffline(false);
    await transport.post('push', 'default', '{}');
    expect(requests).toHaveLength(1);
  });
});

describe('stream', () => {
  it('resolves to the body of a 2xx; a 4xx is a SyncHttpError; neither moves reachability', async () => {
    let status = 200;
    const { transport, requests, reachable } = setup(() => (status === 200 ? new Response('event: poke\n\n') : json(status, { message: 'No such route.' })));
    const signal = new AbortController().signal;
    const body = await transport.stream('poke', ['default'], signal);
    expect(await new Response(body).text()).toBe('event: poke\n\n');
    expect(requests[0]).toMatchObject({ url: 'https://sync.test/api/sync/poke?space=default', init: { signal, headers: { authorization: 'Bearer t1' } } });
    status = 404;
    await expect(transport.stream('poke', ['default'], signal)).rejects.toMatchObject({ status: 404, message: 'The sync server answered 404 to poke: No such route.' });
    expect(reachable).toEqual([]);
  });

  it('names every space to be poked about, each as its own parameter', async () => {
    const { transport, requests } = setup(() => new Response(''));
    await transport.stream('poke', ['org:acme', 'review:42', 'a/b@c'], new AbortController().signal);
    expect(new URL(requests[0]!.url).searchParams.getAll('space')).toEqual(['org:acme', 'review:42', 'a/b@c']);
    expect(requests[0]!.url.startsWith('https://sync.test/api/sync/poke?space=')).toBe(true);
  });
});

describe('isPermanent', () => {
  it('is a 4xx that asking again cannot fix: not 401, 408, 429, nor a 5xx or no answer', () => {
    expect([400, 403, 404, 409, 413, 415].every(isPermanent)).toBe(true);
    expect([401, 408, 429, 500, 503, null].some(isPermanent)).toBe(false);
  });
});
