import { createServer, type Server } from 'node:net';
import { isTLSError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTcp } from '../src/index.js';
import { connectSocket, socketTransport } from '../src/socket-transport.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(onConnection: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(onConnection);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
}

/** Lets pending I/O callbacks run (a settling point, not a timing assertion). */
async function settle(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function readAll(read: () => Promise<Uint8Array | null>): Promise<Uint8Array> {
  const parts: number[] = [];
  for (let chunk = await read(); chunk !== null; chunk = await read()) parts.push(...chunk);
  return new Uint8Array(parts);
}

describe('connectTcp', () => {
  it('echoes bytes through a real loopback socket and reports the end of stream', async () => {
    const port = await listen((socket) => socket.pipe(socket));
    const transport = await connectTcp({ host: '127.0.0.1', port });
    await transport.write(new Uint8Array([1, 2, 3]));
    await transport.close();
    expect(await readAll(() => transport.read())).toEqual(new Uint8Array([1, 2, 3]));
    expect(transport.info()).toMatchObject({ kind: 'tcp', remoteAddress: '127.0.0.1', remotePort: port });
  });

  it('still reports both ends\' addresses once the socket has closed (Node forgets them)', async () => {
    const port = await listen((socket) => socket.end());
    const socket = await connectSocket({ host: '127.0.0.1', port });
    const transport = socketTransport(socket);
    const open = transport.info();
    expect(await transport.read()).toBeNull();
    await transport.close();
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.localPort).toBeUndefined(); // what the transport must not rely on
    expect(transport.info()).toEqual(open);
    expect(open).toMatchObject({ kind: 'tcp', remoteAddress: '127.0.0.1', remotePort: port, localAddress: '127.0.0.1' });
    expect(open.localPort).toBeGreaterThan(0);
  });

  it('hands out plain Uint8Arrays, never Buffers', async () => {
    const port = await listen((socket) => socket.end(new Uint8Array([7])));
    const transport = await connectTcp({ host: '127.0.0.1', port });
    const chunk = await transport.read();
    expect(chunk?.constructor).toBe(Uint8Array);
    // Half-open sockets: the server's FIN ended only its side; ours ends when we close.
    expect(await transport.read()).toBeNull();
    await transport.close();
  });

  it('stops resolving writes while the peer does not read, and resumes on drain', async () => {
    let peer: import('node:net').Socket | undefined;
    let received = 0;
    const port = await listen((socket) => {
      peer = socket;
      socket.pause();
      socket.on('data', (data: Uint8Array) => void (received += data.length));
    });
    const transport = await connectTcp({ host: '127.0.0.1', port });
    const chunk = new Uint8Array(256 * 1024);
    let sent = 0;
    let stalled: Promise<void> | undefined;
    // Far more than any loopback socket buffers: without backpressure every write would resolve.
    while (sent < 256 * 1024 * 1024) {
      const write = transport.write(chunk);
      sent += chunk.length;
      const done = await Promise.race([write.then(() => true), settle(20).then(() => false)]);
      if (!done) {
        stalled = write;
        break;
      }
    }
    expect(stalled).toBeDefined();
    expect(sent).toBeLessThan(256 * 1024 * 1024);
    peer!.resume();
    await stalled;
    await transport.close();
    while (received < sent) await settle(1);
    expect(received).toBe(sent);
  });

  it('hands out the bytes received before the socket failed, then the failure', async () => {
    const port = await listen((socket) => socket.write(new Uint8Array([1, 2, 3])));
    const socket = await connectSocket({ host: '127.0.0.1', port });
    const transport = socketTransport(socket);
    // The bytes reach the socket's own buffer (nobody reads yet), then the socket fails, as when a write meets a reset.
    while (socket.readableLength < 3) await settle(1);
    socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await settle(2);
    expect(await transport.read()).toEqual(new Uint8Array([1, 2, 3]));
    const error = await transport.read().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ECONNRESET' } });
  });

  it('turns a refused connection into a SysCallError with the socket error as cause', async () => {
    const port = await listen(() => {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await connectTcp({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(isTLSError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ECONNREFUSED' } });
  });
});
