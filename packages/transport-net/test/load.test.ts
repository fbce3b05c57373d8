/**
 * Load: 1,000 TLS connections open at the same time over loopback (`LOAD_CONNECTIONS` to change), each exchanging
 * 64 KiB both ways, against our server and against Node's `tls` server: zero errors, zero lost bytes, and the whole run
 * inside the test's time limit. The connections are all opened (handshakes done) before any data moves, so all of
 * them are concurrently established. `node bench/connections.mjs` runs the same scenario with timings.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { pattern, pki, serverContext, sha256 } from './helpers.js';

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 1000);
const SIZE = 64 * 1024;

/** Opens `CONNECTIONS` clients (a bounded number of handshakes in flight), then has each echo 64 KiB through. */
async function load(port: number): Promise<{ lost: number; failures: unknown[] }> {
  const ca = pki('ca.pem');
  const failures: unknown[] = [];
  const streams: Awaited<ReturnType<typeof connect>>[] = [];
  // Handshakes 100 at a time: all 1,000 still end up open together, without a SYN flood against the listen backlog.
  for (let next = 0; next < CONNECTIONS; next += 100) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(100, CONNECTIONS - next) }, () => connect({ host: '127.0.0.1', port, servername: 'localhost', ca })),
    );
    for (const result of batch) {
      if (result.status === 'fulfilled') streams.push(result.value);
      else failures.push(result.reason);
    }
  }
  let lost = 0;
  await Promise.all(
    streams.map(async (stream, index) => {
      const data = pattern(SIZE, index + 1);
      try {
        const writer = stream.writable.getWriter();
        const reading = (async () => {
          const hash = createHash('sha256');
          let length = 0;
          for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) {
            hash.update(chunk);
            length += chunk.length;
          }
          return { digest: hash.digest('hex'), length };
        })();
        await writer.write(data);
        await writer.close();
        const echoed = await reading;
        if (echoed.length !== SIZE || echoed.digest !== sha256(data)) lost++;
        await stream.closed;
      } catch (error) {
        failures.push(error);
      }
    }),
  );
  return { lost, failures };
}

describe(`${CONNECTIONS} concurrent connections over loopback, 64 KiB each way`, () => {
  it('against our server', async () => {
    const serverErrors: unknown[] = [];
    let peak = 0;
    const server = createServer({ context: serverContext(), onError: (error) => serverErrors.push(error) }, (stream) => {
      peak = Math.max(peak, server.connections);
      stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const { lost, failures } = await load(port);
      expect(failures).toEqual([]);
      expect(lost).toBe(0);
      expect(serverErrors).toEqual([]);
      expect(peak).toBe(CONNECTIONS);
    } finally {
      await server.close({ dropConnections: true });
    }
  }, 600_000);

  it('against Node’s tls server', async () => {
    let open = 0;
    let peak = 0;
    const serverErrors: unknown[] = [];
    const server = tls.createServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem'), allowHalfOpen: true }, (socket) => {
      peak = Math.max(peak, ++open);
      socket.on('error', (error) => serverErrors.push(error));
      socket.on('close', () => open--);
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { lost, failures } = await load((server.address() as { port: number }).port);
      expect(failures).toEqual([]);
      expect(lost).toBe(0);
      expect(serverErrors).toEqual([]);
      expect(peak).toBe(CONNECTIONS);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 600_000);
});
