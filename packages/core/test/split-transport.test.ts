/**
 * splitTransport(): TLS over each kind of half (WHATWG streams, Node streams, an async generator and a function), the
 * info merge rule of DESIGN.md §6, bad halves, and a real run through a child process: our client speaks TLS into
 * `socat - TCP:127.0.0.1:PORT`'s stdin and reads its stdout, with `openssl s_server -www` at the other end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { pattern, readAll, sha256, writeAll } from '../../../test/support/helpers.js';
import { mergeHalfInfo, splitTransport } from '../src/split-transport.js';
import { secure, type SecureStream } from '../src/stream.js';
import type { Transport } from '../src/transport.js';
import { clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const node = providers.find(([name]) => name === 'node')![1]();

/** Client and (echoing) server over two transports; checks `size` bytes come back exactly. */
async function echoThrough(clientSide: Transport, serverSide: Transport, size: number): Promise<SecureStream> {
  const client = secure(clientSide, clientContext(node), { serverHostname: 'localhost' });
  const server = secure(serverSide, serverContext(node));
  void server.readable.pipeTo(server.writable).catch(() => {});
  const data = pattern(size, 7);
  const [, echoed] = await Promise.all([writeAll(client, data, 30_000), readAll(client.readable)]);
  expect(sha256(echoed)).toBe(sha256(data));
  await Promise.all([client.closed, server.closed]);
  return client;
}

describe('splitTransport halves', () => {
  it('TLS over WHATWG streams: ReadableStream in, WritableStream out (TransformStreams as the wire)', async () => {
    const up = new TransformStream<Uint8Array, Uint8Array>();
    const down = new TransformStream<Uint8Array, Uint8Array>();
    const client = await echoThrough(
      splitTransport({ reader: down.readable, writer: up.writable }),
      splitTransport({ reader: up.readable, writer: down.writable }),
      300_000,
    );
    expect(client.info().transport).toMatchObject({ kind: 'split', readerKind: 'readable-stream', writerKind: 'writable-stream' });
  });

  it('TLS over Node streams with small buffers (drain-driven backpressure)', async () => {
    const up = new PassThrough({ highWaterMark: 1024 });
    const down = new PassThrough({ highWaterMark: 1024 });
    const client = await echoThrough(
      splitTransport({ reader: down, writer: up }),
      splitTransport({ reader: up, writer: down }),
      1 << 20,
    );
    expect(client.info().transport).toMatchObject({ readerKind: 'async-iterable', writerKind: 'node-writable' });
  });

  it('an async generator as reader and a function as writer', async () => {
    const written: Uint8Array[] = [];
    async function* source() {
      yield new Uint8Array([1, 2]);
      yield Buffer.from([3]);
    }
    const transport = splitTransport({ reader: source(), writer: (bytes) => void written.push(bytes) });
    const first = await transport.read();
    const second = await transport.read();
    expect(first).toEqual(new Uint8Array([1, 2]));
    expect(second?.constructor).toBe(Uint8Array); // a Buffer comes out as a plain view
    expect(await transport.read()).toBeNull();
    await transport.write(new Uint8Array([9]));
    await transport.close();
    expect(written).toEqual([new Uint8Array([9])]);
    await expect(transport.write(new Uint8Array([1]))).rejects.toBeInstanceOf(SysCallError);
  });

  it('refuses halves of no known kind, and a reader yielding something else than bytes', async () => {
    expect(() => splitTransport({ reader: {} as never, writer: () => {} })).toThrow(InvalidArgumentError);
    expect(() => splitTransport({ reader: new PassThrough(), writer: {} as never })).toThrow(InvalidArgumentError);
    async function* strings() {
      yield 'text' as unknown as Uint8Array;
    }
    await expect(splitTransport({ reader: strings(), writer: () => {} }).read()).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('a failing writer surfaces through the driver as SysCallError with the half’s error as cause', async () => {
    const broken = new Error('EPIPE from the writer');
    const never = new ReadableStream<Uint8Array>();
    const stream = secure(splitTransport({ reader: never, writer: () => Promise.reject(broken) }), clientContext(node), { serverHostname: 'localhost' });
    const error = await stream.opened.then(() => undefined, (reason: unknown) => reason);
    expect(SysCallError.isInstance(error)).toBe(true);
    expect((error as SysCallError).cause).toBe(broken);
  });
});

describe('splitTransport info: the merge rule', () => {
  it('the reader’s facts win where both halves have one; the writer fills the rest', () => {
    const merged = mergeHalfInfo({ remoteAddress: '10.0.0.1', remotePort: 443 }, { remoteAddress: '10.9.9.9', localPort: 5000, pid: 7 }, { reader: 'r', writer: 'w' });
    expect(merged).toEqual({ kind: 'split', readerKind: 'r', writerKind: 'w', remoteAddress: '10.0.0.1', remotePort: 443, localPort: 5000, pid: 7 });
  });

  it('reports a file descriptor only when both halves share it', () => {
    expect(mergeHalfInfo({ fd: 3 }, { fd: 3 }, { reader: 'r', writer: 'w' }).fd).toBe(3);
    expect(mergeHalfInfo({ fd: 3 }, { fd: 4 }, { reader: 'r', writer: 'w' })).not.toHaveProperty('fd');
    expect(mergeHalfInfo({ fd: 3 }, {}, { reader: 'r', writer: 'w' })).not.toHaveProperty('fd');
  });

  it('reads the facts the halves state themselves (as Node sockets do), under those given in options', () => {
    const reader = Object.assign(new PassThrough(), { fd: 5, remoteAddress: '192.0.2.1' });
    const writer = Object.assign(new PassThrough(), { fd: 5, remoteAddress: '192.0.2.2', localAddress: '127.0.0.1' });
    const info = splitTransport({ reader, writer, info: { reader: { remotePort: 8443 }, writer: { localAddress: '::1' } } }).info();
    expect(info).toEqual({ kind: 'split', readerKind: 'async-iterable', writerKind: 'node-writable', fd: 5, remoteAddress: '192.0.2.1', remotePort: 8443, localAddress: '::1' });
  });
});

describe('splitTransport through a child process', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  const spawnPeer = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    return { child, stderr: () => Buffer.concat(stderr).toString() };
  };

  it('TLS over socat’s stdout (reader) and stdin (writer), to openssl s_server -www', async () => {
    const pkiDir = fileURLToPath(new URL('./fixtures/pki/', import.meta.url));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const server = spawnPeer('openssl', ['s_server', '-www', '-tls1_3', '-accept', `127.0.0.1:${port}`, '-cert', join(pkiDir, 'server-ed25519.pem'), '-key', join(pkiDir, 'server-ed25519.key')]);
    // s_server is ready once it says ACCEPT on stdout.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      server.child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('ACCEPT')) resolve();
      });
      server.child.once('exit', () => reject(new Error(`s_server exited: ${server.stderr()}`)));
    });
    const bridge = spawnPeer('socat', ['-', `TCP:127.0.0.1:${port}`]);
    const transport = splitTransport({ reader: bridge.child.stdout!, writer: bridge.child.stdin!, info: { reader: { pid: bridge.child.pid } } });
    const context = clientContext(node);
    const stream = secure(transport, context, { serverHostname: 'localhost' });
    const info = await stream.opened;
    expect(info.version).toBe('TLSv1.3');
    expect(info.transport).toMatchObject({ kind: 'split', readerKind: 'async-iterable', writerKind: 'node-writable', pid: bridge.child.pid });
    const writer = stream.writable.getWriter();
    await writer.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
    const page = new TextDecoder().decode(await readAll(stream.readable));
    expect(page).toMatch(/^HTTP\/1\.0 200 ok/);
    expect(page).toContain('TLSv1.3');
    await writer.close().catch(() => {});
    await stream.closed;
  });
});
