import { isTLSError } from '@tlsbio/errors';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWebSocket, type WebSocketConstructor } from '../src/index.js';

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

  it('reports an abnormal close as EOFError, not a clean end', async () => {
    const url = await listen((socket) => socket.close(1011, 'boom'));
    const transport = await connectWebSocket(url, options);
    const error = await transport.read().catch((e: unknown) => e);
    expect(isTLSError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_TLS_EOF' });
  });

  it('fails the tunnel on a text frame', async () => {
    const url = await listen((socket) => socket.send('not binary'));
    const transport = await connectWebSocket(url, options);
    await expect(transport.read()).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
  });

  it('rejects with SysCallError when nothing listens', async () => {
    await expect(connectWebSocket('ws://127.0.0.1:1/', options)).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
  });
});
