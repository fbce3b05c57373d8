import { SysCallError } from '@tlsbio/errors';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWebSocket, WebSocketCloseError, type WebSocketConstructor } from '../src/index.js';

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(onConnection: (socket: WebSocket) => void): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', onConnection);
  return new Promise((resolve) => server!.on('listening', () => resolve(`ws://127.0.0.1:${(server!.address() as { port: number }).port}/`)));
}

const options = { WebSocket: WebSocket as unknown as WebSocketConstructor };

describe('connectWebSocket', () => {
  it('carries binary frames both ways and ends with null on a normal close', async () => {
    const url = await listen((socket) => socket.on('message', (data: Buffer) => { socket.send(data); socket.close(1000); }));
    const transport = await connectWebSocket(url, options);
    await transport.write(new Uint8Array([1, 2, 3]));
    expect(await transport.read()).toEqual(new Uint8Array([1, 2, 3]));
    expect(await transport.read()).toBeNull();
    expect(transport.info()).toMatchObject({ kind: 'websocket', url });
  });

  it('ends with null when the connection is lost without a close frame (the TLS layer then reports the truncation)', async () => {
    const url = await listen((socket) => socket.on('message', () => socket.terminate()));
    const transport = await connectWebSocket(url, options);
    await transport.write(new Uint8Array([1]));
    expect(await transport.read()).toBeNull();
  });

  it('maps an error close code to SysCallError with the code and reason as its cause', async () => {
    const url = await listen((socket) => socket.close(4404, 'TARGET_NOT_ALLOWED'));
    const transport = await connectWebSocket(url, options);
    const error = await transport.read().catch((e: unknown) => e);
    expect(SysCallError.isInstance(error)).toBe(true);
    const cause = (error as SysCallError).cause;
    expect(cause).toBeInstanceOf(WebSocketCloseError);
    expect(cause).toMatchObject({ closeCode: 4404, closeReason: 'TARGET_NOT_ALLOWED' });
    expect((error as Error).message).toContain('4404 TARGET_NOT_ALLOWED');
    await expect(transport.write(new Uint8Array([1]))).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
  });

  it('fails the tunnel on a text frame and closes it with 1003', async () => {
    let serverSawCode: Promise<number> = Promise.resolve(0);
    const url = await listen((socket) => {
      serverSawCode = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
      socket.send('not binary');
    });
    const transport = await connectWebSocket(url, options);
    await expect(transport.read()).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { closeCode: 1003 } });
    expect(await serverSawCode).toBe(1003);
  });

  it('rejects with SysCallError when nothing listens', async () => {
    await expect(connectWebSocket('ws://127.0.0.1:1/', options)).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
  });

  it('rejects with SysCallError when no WebSocket class exists (Node 20 without ws)', async () => {
    await expect(connectWebSocket('ws://127.0.0.1:1/')).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
  });

  it('stops reading the socket while more than maxReadBuffer bytes wait for read(), and loses none', async () => {
    const frame = 64 * 1024;
    const frames = 512; // 32 MiB: more than the loopback socket buffers hold
    let sender: WebSocket | undefined;
    const url = await listen((socket) => {
      sender = socket;
      for (let i = 0; i < frames; i++) socket.send(new Uint8Array(frame).fill(i & 0xff));
    });
    const transport = await connectWebSocket(url, { ...options, maxReadBuffer: 256 * 1024 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The client paused: the server still holds most of what it sent.
    expect(sender!.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
    let received = 0;
    let ok = true;
    while (received < frame * frames) {
      const chunk = (await transport.read())!;
      for (let i = 0; i < chunk.length; i += 4096) ok &&= chunk[i] === (Math.floor((received + i) / frame) & 0xff);
      received += chunk.length;
    }
    expect(ok).toBe(true);
    expect(received).toBe(frame * frames);
    await transport.close();
  });
});
