import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/** One raw HTTP/1.1 exchange on a fresh socket: what a fetch client cannot send. Resolves to the status line. */
async function raw(url: string, text: string): Promise<{ status: number; response: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(text);
  let response = '';
  socket.setEncoding('utf8');
  for await (const chunk of socket) {
    response += String(chunk);
    // One answer is all we need; the server may keep the connection open.
    if (/\r\n\r\n/.test(response) && /content-length: (\d+)/i.test(response)) {
      const length = Number(/content-length: (\d+)/i.exec(response)![1]);
      if (Buffer.byteLength(response.split('\r\n\r\n').slice(1).join('\r\n\r\n')) >= length) break;
    }
  }
  socket.destroy();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0), response };
}

const pull = { pullVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', cookie: null };
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('one request cannot take the server process down', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ db: 'memory://' });
  });
  afterAll(() => server.stop());

  const stillAnswers = async () => {
    expect(server.child.exitCode).toBeNull();
    expect((await post(`${server.url}/api/sync/pull`, pull)).status).toBe(200);
  };

  it.each(['/api/sync/push', '/'])('answers TRACE %s with 405 and keeps answering', async (path) => {
    const { status, response } = await raw(server.url, `TRACE ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(status).toBe(405);
    expect(response).toContain('"error":"method-not-allowed"');
    await stillAnswers();
  });

  it.each(['a:b', '[::1', 'a b', '127.0.0.1:99999'])('answers Host: %s with 400 and keeps answering', async (host) => {
    const { status, response } = await raw(server.url, `GET /api/sync/poke HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(status).toBe(400);
    expect(response).toContain('"error":"invalid-request"');
    await stillAnswers();
  });

  it('an absolute-form request target it cannot parse is a 400', async () => {
    const { status } = await raw(server.url, `GET http://[nope/api/sync/poke HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(status).toBe(400);
    await stillAnswers();
  });

  it('a client that aborts mid-body or mid-stream is not a server problem', async () => {
    const before = server.problems.length;
    // Announces 1,000 bytes, sends 10 and goes away.
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    socket.write(`POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"pushVer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const stream = new AbortController();
    const poke = await fetch(`${server.url}/api/sync/poke`, { signal: stream.signal });
    expect(poke.status).toBe(200);
    stream.abort();
    await stillAnswers();
    expect(server.problems.slice(before)).toEqual([]);
    expect(server.stderr()).not.toMatch(/request failed|at .*\(/);
  });
});

describe('an early answer does not wedge a keep-alive connection', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ db: 'memory://', token: 'secret', options: { maxBodyBytes: 100_000 } });
  });
  afterAll(() => server.stop());

  /** POSTs on the agent; answers the status, how long it took and the socket's local port (reuse shows). */
  function send(agent: Agent, body: string, headers: Record<string, string> = {}) {
    const started = performance.now();
    return new Promise<{ status: number; ms: number; port: number }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/sync/pull`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, port: req.socket?.localPort ?? 0 }));
      });
      req.once('error', reject);
      req.end(body);
    });
  }

  it.each([
    ['a 401 before a small body: the rest is drained and the connection reused', 20_000, 401, true],
    ['a 401 before a large body: the connection closes and the next request opens another', 400_000, 401, false],
    ['a 413 from the declared length: the connection closes', 400_000, 413, false],
  ] as const)('%s', async (_name, size, status, reused) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = JSON.stringify({ ...pull, padding: 'x'.repeat(size) });
      const first = await send(agent, body, status === 413 ? { authorization: 'Bearer secret' } : {});
      expect(first.status).toBe(status);
      const next = await send(agent, JSON.stringify(pull), { authorization: 'Bearer secret' });
      expect(next.status).toBe(200);
      expect(next.ms).toBeLessThan(1000);
      if (reused) expect(next.port).toBe(first.port);
      else expect(next.port).not.toBe(first.port);
    } finally {
      agent.destroy();
    }
  });
});
