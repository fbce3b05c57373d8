import { createServer, type Server } from 'node:net';
import { isTLSError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTcp } from '../src/index.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(onConnection: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(onConnection);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
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

  it('hands out plain Uint8Arrays, never Buffers', async () => {
    const port = await listen((socket) => socket.end(new Uint8Array([7])));
    const transport = await connectTcp({ host: '127.0.0.1', port });
    const chunk = await transport.read();
    expect(chunk?.constructor).toBe(Uint8Array);
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
