/**
 * Session resumption through the Node `Duplex` under Node's own `https` client, against Node's https server (OpenSSL
 * underneath), TLS 1.3 and TLS 1.2: `https.get(url, { createConnection, session })` with the bytes the first
 * socket's `'session'` event gave, and an `https.Agent` whose `createConnection` is ours and which keeps the newest
 * session per destination, as Node's own Agent does for `tls.connect`. Every request says whether the server's socket
 * resumed (`isSessionReused()` on OpenSSL's side), and ours agrees.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { Agent, type AgentOptions, createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { TLSSession } from '@tlsbio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection, type CreateConnectionOptions, type SecureSocket } from '../src/index.js';
import { pki } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Node https server answering each request with whether its socket resumed a session. */
async function nodeHttpsServer(maxVersion: 'TLSv1.3' | 'TLSv1.2'): Promise<{ port: number; reused: boolean[] }> {
  const reused: boolean[] = [];
  const server = createHttpsServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem'), maxVersion }, (req, res) => {
    const socket = req.socket as TLSSocket;
    reused.push(socket.isSessionReused());
    res.end(`${socket.getProtocol()} reused=${socket.isSessionReused()}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, reused };
}

interface Answer {
  readonly text: string;
  readonly socket: SecureSocket;
  /** Every `'session'` the socket emitted until the response ended. */
  readonly sessions: Buffer[];
}

/** One GET through `options` (createConnection or an agent); resolves once the body is read. */
function get(url: string, options: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sessions: Buffer[] = [];
    const request = httpsGet(url, { ca: pki('ca.pem'), ...options } as never, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ text: Buffer.concat(chunks).toString(), socket: response.socket as unknown as SecureSocket, sessions }));
      response.on('error', reject);
    });
    request.on('socket', (socket) => socket.on('session', (session: Buffer) => sessions.push(session)));
    request.on('error', reject);
  });
}

/**
 * An https.Agent that connects through our Duplex and, like Node's own Agent with `tls.connect`, offers the newest
 * session it got for the same destination (public API only: the `'session'` event and `createConnection`'s
 * `session` option).
 */
class ResumingAgent extends Agent {
  readonly sessions = new Map<string, Buffer>();
  constructor(options: AgentOptions) {
    super(options);
  }
  // http's Agent passes the request's options (a superset of ours) and a callback it guards with once().
  override createConnection(agentOptions: object, callback: () => void) {
    const options = agentOptions as CreateConnectionOptions;
    const key = `${options.host}:${options.port}:${options.servername ?? ''}`;
    const session = this.sessions.get(key);
    const socket = createConnection(session === undefined ? options : { ...options, session }, callback);
    socket.on('session', (bytes: Buffer) => this.sessions.set(key, bytes));
    return socket as never;
  }
}

describe.each([
  ['TLS 1.3', 'TLSv1.3'],
  ['TLS 1.2', 'TLSv1.2'],
] as const)('https through our Duplex resumes (%s)', (_name, version) => {
  it("https.get({ createConnection, session }) with the first socket's 'session' bytes", async () => {
    const { port, reused } = await nodeHttpsServer(version);
    const url = `https://localhost:${port}/`;
    const first = await get(url, { createConnection, maxVersion: version });
    expect(first.text).toBe(`${version} reused=false`);
    expect(first.socket.isSessionReused()).toBe(false);
    // TLS 1.3: OpenSSL sends two tickets after the handshake; TLS 1.2: one, in the handshake.
    expect(first.sessions.length).toBe(version === 'TLSv1.3' ? 2 : 1);
    const session = first.sessions.at(-1)!;
    expect(first.socket.getSession()).toEqual(session);
    expect(TLSSession.fromBytes(session).versionName).toBe(version);

    const second = await get(url, { createConnection, maxVersion: version, session });
    expect(second.text).toBe(`${version} reused=true`);
    expect(second.socket.isSessionReused()).toBe(true);
    expect(second.socket.getProtocol()).toBe(version);
    // The server's certificate is still there on the resumed socket (kept in the session).
    expect(second.socket.getPeerCertificate()).toMatchObject({ subject: { CN: 'localhost' } });
    expect(second.socket.authorized).toBe(true);
    expect(reused).toEqual([false, true]);
  });

  it('an https.Agent whose createConnection is ours offers the newest session on each new connection', async () => {
    const { port, reused } = await nodeHttpsServer(version);
    // No keep-alive: each request is a new connection, so the resumption is what is measured.
    const agent = new ResumingAgent({ keepAlive: false, maxVersion: version });
    cleanups.push(() => agent.destroy());
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await get(`https://localhost:${port}/`, { agent }));
    expect(answers.map((answer) => answer.text)).toEqual([`${version} reused=false`, `${version} reused=true`, `${version} reused=true`]);
    expect(answers.map((answer) => answer.socket.isSessionReused())).toEqual([false, true, true]);
    expect(new Set(answers.map((answer) => answer.socket)).size).toBe(3);
    expect(agent.sessions.size).toBe(1);
    expect(reused).toEqual([false, true, true]);
  });
});

describe('a session the connection cannot use', () => {
  it("is refused with an 'error' (not silently dropped) when it comes from other settings: a TLS 1.3 session under maxVersion TLSv1.2", async () => {
    const { port, reused } = await nodeHttpsServer('TLSv1.3');
    const url = `https://localhost:${port}/`;
    const { sessions } = await get(url, { createConnection, maxVersion: 'TLSv1.3' });
    const socket = createConnection({ host: 'localhost', port, ca: pki('ca.pem'), maxVersion: 'TLSv1.2', session: sessions.at(-1)! });
    const [error] = (await once(socket, 'error')) as [Error & { reason?: string }];
    expect(error.reason).toBe('ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT');
    expect(socket.destroyed).toBe(true);
    expect(reused).toEqual([false]);
  });
});
