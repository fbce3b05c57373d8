/**
 * TLS 1.3 half-close (RFC 8446 §6.1) through every transport that can carry it: one side sends close_notify, the
 * other keeps sending (1 MiB) and the closed side reads it all, in both orders. The memory pair plain and fragmented
 * with latency, split transports over WHATWG and Node streams, and TCP over loopback. (A WebSocket has no half-close:
 * its close frame ends both directions, so transport-ws is not here.)
 */
import { createHash } from 'node:crypto';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { TLSContext, secure, splitTransport, type SecureStream, type Transport } from '@tlsbio/core';
import { createPair } from '@tlsbio/transport-memory';
import { connectTcp, socketTransport } from '@tlsbio/transport-net';
import { afterEach, describe, expect, it } from 'vitest';
import { pattern, pki, readAll, sha256 } from '../../../test/support/helpers.js';

function contexts(): { client: TLSContext; server: TLSContext } {
  const server = new TLSContext('server');
  server.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  const client = new TLSContext('client');
  client.loadVerifyLocations({ cadata: pki('ca.pem') });
  return { client, server };
}

async function readAllFast(readable: ReadableStream<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

async function sendAndClose(stream: SecureStream, data: Uint8Array): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < data.length; offset += 50_000) await writer.write(data.subarray(offset, offset + 50_000));
  await writer.close();
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** [client transport, server transport] over a real loopback TCP connection (half-open sockets). */
async function tcpPair(): Promise<[Transport, Transport]> {
  let accepted!: (socket: Socket) => void;
  const serverSocket = new Promise<Socket>((resolve) => (accepted = resolve));
  const server: Server = createNetServer({ allowHalfOpen: true }, (socket) => accepted(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const client = await connectTcp({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  return [client, socketTransport(await serverSocket)];
}

const transports: Array<[string, () => Promise<[Transport, Transport]>]> = [
  ['memory pair', async () => createPair()],
  ['memory pair, 1..700-byte fragments, 1 ms latency', async () => createPair({ fragment: 700, delayMs: 1, seed: 11 })],
  [
    'split transport over WHATWG streams',
    async () => {
      const up = new TransformStream<Uint8Array, Uint8Array>();
      const down = new TransformStream<Uint8Array, Uint8Array>();
      return [splitTransport({ reader: down.readable, writer: up.writable }), splitTransport({ reader: up.readable, writer: down.writable })];
    },
  ],
  [
    'split transport over Node streams',
    async () => {
      const up = new PassThrough({ highWaterMark: 4096 });
      const down = new PassThrough({ highWaterMark: 4096 });
      return [splitTransport({ reader: down, writer: up }), splitTransport({ reader: up, writer: down })];
    },
  ],
  ['TCP over loopback', tcpPair],
];

function connectOver(clientSide: Transport, serverSide: Transport): { client: SecureStream; server: SecureStream } {
  const { client: clientContext, server: serverContext } = contexts();
  return { client: secure(clientSide, clientContext, { serverHostname: 'localhost' }), server: secure(serverSide, serverContext) };
}

describe.each(transports)('half-close over %s', (_name, makePair) => {
  it('the client closes first; the server sends 1 MiB after that, and the client reads it all', async () => {
    const { client, server } = connectOver(...(await makePair()));
    const answer = pattern(1 << 20, 3);
    const serving = (async () => {
      const request = new TextDecoder().decode(await readAll(server.readable)); // ends at the client's close_notify
      expect(request).toBe('request');
      await sendAndClose(server, answer);
    })();
    await sendAndClose(client, new TextEncoder().encode('request'));
    expect(await readAllFast(client.readable)).toBe(sha256(answer));
    await serving;
    await Promise.all([client.closed, server.closed]);
  });

  it('the server closes first; the client sends 1 MiB after that, and the server reads it all', async () => {
    const { client, server } = connectOver(...(await makePair()));
    const upload = pattern(1 << 20, 4);
    // Not awaited before the client reads: over a transport without buffers (TransformStreams) the close_notify is
    // only taken once the client reads it.
    const closing = sendAndClose(server, new TextEncoder().encode('hello, then bye'));
    const reading = readAllFast(server.readable);
    expect(new TextDecoder().decode(await readAll(client.readable))).toBe('hello, then bye');
    await closing;
    await sendAndClose(client, upload);
    expect(await reading).toBe(sha256(upload));
    await Promise.all([client.closed, server.closed]);
  });
});
