// `tlsbio server` and clients that leave at once: a client that sends its data and close_notify and drops the socket
// (its kernel answers our echo or our close_notify with a reset) ended its exchange normally, and the server logs
// the connection as served, with no EPIPE / ECONNRESET error line. A client that resets without close_notify is a real
// failure, and is still logged as one.
//
// The client here is the engine over a bare socket, so the test decides what goes on the wire: it waits for the
// server's tickets (the server has nothing left to write then but the echo), writes its data and close_notify in one
// segment, and resets the connection at once (SO_LINGER 0). The server reads both records together, then meets the
// reset writing the echo: the race a real client creates by chance, every time.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { MemoryBIO, TLSContext } from '@tlsbio/core';
import { WantReadError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { CA, OUR_ECDSA, type Proc, interopFile, jsonLines, startOurServer, testScope } from './interop-harness.js';

interopFile();

const ROUNDS = 5;

/** A TLS 1.3 client over `socket` that has finished its handshake and taken the server's tickets. */
async function handshake(socket: Socket): Promise<{ send: (data: Uint8Array, closeNotify: boolean) => Promise<void> }> {
  const context = new TLSContext('client');
  context.loadVerifyLocations({ cadata: readFileSync(CA, 'utf8') });
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const connection = context.wrapBio(incoming, outgoing, { serverHostname: 'localhost' });
  const received: Uint8Array[] = [];
  let arrived: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received.push(new Uint8Array(chunk));
    arrived?.();
  });
  const flush = () => {
    if (outgoing.pending > 0) socket.write(outgoing.read());
  };
  const nextBytes = async () => {
    while (received.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
    for (const chunk of received.splice(0)) incoming.write(chunk);
  };
  for (;;) {
    try {
      connection.doHandshake();
      break;
    } catch (error) {
      if (!WantReadError.isInstance(error)) throw error;
      flush();
      await nextBytes();
    }
  }
  flush();
  // The server's NewSessionTickets: once they are in, the server waits for our data and writes nothing meanwhile.
  while (connection.sessionTickets.length === 0) {
    await nextBytes();
    try {
      connection.read();
    } catch (error) {
      if (!WantReadError.isInstance(error)) throw error;
    }
  }
  return {
    send: async (data, closeNotify) => {
      connection.write(data);
      if (closeNotify) {
        try {
          connection.unwrap();
        } catch (error) {
          // close_notify is out; the server's has not come (nor will we wait for it).
          if (!WantReadError.isInstance(error)) throw error;
        }
      }
      // One write, one segment (no Nagle delay), then a reset: nothing of ours is read after this.
      await new Promise<void>((resolve, reject) => socket.write(outgoing.read(), (error) => (error ? reject(error) : resolve())));
      socket.resetAndDestroy();
    },
  };
}

/** The lines the server has logged (one per connection with --json). */
function logLines(server: Proc): number {
  return server.stderr.split('\n').filter((line) => line.length > 0).length;
}

async function leaveAtOnce(port: number, closeNotify: boolean, data: string): Promise<void> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const client = await handshake(socket);
  await client.send(new TextEncoder().encode(data), closeNotify);
  await once(socket, 'close');
}

/** Starts `tlsbio server --json` with `flags`, has ROUNDS clients leave at once, and returns the server's log. */
async function serverLog(
  flags: readonly string[],
  closeNotify: boolean,
  request: string,
  scope: Set<Proc>,
): Promise<{ server: Proc; records: Record<string, unknown>[] }> {
  const { proc: server, port } = await startOurServer([...OUR_ECDSA, ...flags, '--json'], { scope });
  for (let i = 0; i < ROUNDS; i++) await leaveAtOnce(port, closeNotify, request);
  await server.waitUntil(() => logLines(server) >= ROUNDS, `${ROUNDS} lines on stderr`);
  return { server, records: jsonLines(server.stderr) };
}

describe.each([
  ['echo', [], 'line\n'],
  ['--www', ['--www'], 'GET / HTTP/1.0\r\n\r\n'],
])('tlsbio server (%s) and a client that drops its socket at once', (_mode, flags, request) => {
  it('after close_notify: logs each connection as served, and no EPIPE / ECONNRESET', async ({ onTestFinished }) => {
    const { server, records } = await serverLog(flags, true, request, testScope(onTestFinished));
    expect(records.filter((record) => 'error' in record), server.describe()).toEqual([]);
    expect(records, server.describe()).toHaveLength(ROUNDS);
    for (const record of records) expect(record).toMatchObject({ version: 'TLSv1.3', sni: 'localhost', bytes_in: request.length });
  });

  it('without close_notify: still logs each as a failed connection', async ({ onTestFinished }) => {
    const { server, records } = await serverLog(flags, false, request, testScope(onTestFinished));
    expect(records, server.describe()).toHaveLength(ROUNDS);
    for (const record of records) expect(record.code, server.describe()).toMatch(/^(EPIPE|ECONNRESET|ERR_TLS_EOF)$/);
  });
});
