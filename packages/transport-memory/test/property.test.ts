/**
 * Seeded property tests of the no-data-loss promise, over pairs with random fragmentation:
 * 1. random message sizes and counts both ways, each side sending close_notify after its last message while the other
 *    may still be writing (which side closes first follows from the sizes: TLS 1.3 half-close in either order):
 *    every byte written before a side's close_notify arrives at the other side exactly once, in order, and both
 *    streams end cleanly;
 * 2. the same traffic cut at a random byte of the server's ciphertext before its close_notify is complete (a `close`
 *    or `truncate` fault): the client's readable delivers an exact prefix of what the server wrote and then fails
 *    with `EOFError` — never a clean end after a short read.
 * `PROPERTY_RUNS` (default 24 per property) and `PROPERTY_SEED` (default 1) widen or replay a run.
 */
import { EOFError } from '@tlsbio/errors';
import { secure, type SecureStream } from '@tlsbio/core';
import { describe, expect, it } from 'vitest';
import { createPair, type Fault } from '../src/index.js';
import { clientContext, concat, drain, pattern, serverContext } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 24);
const SEED = Number(process.env.PROPERTY_SEED ?? 1);

/** A small seeded generator for the test's own choices (the pair seeds its cuts separately). */
function rng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    state ^= state >>> 12;
    return (state >>> 0) / 4294967296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

interface Plan {
  readonly clientMessages: Uint8Array[];
  readonly serverMessages: Uint8Array[];
  readonly fragment: number;
}

function plan(seed: number): Plan {
  const random = rng(seed);
  // Sizes from empty to several records, skewed small: boundaries near 0, 1, 16,384 and beyond all occur.
  const size = () => [0, 1, random.int(2, 300), random.int(300, 20_000), random.int(16_380, 16_390), random.int(20_000, 70_000)][random.int(0, 5)]!;
  const messages = (salt: number) => Array.from({ length: random.int(0, 12) }, (_, i) => pattern(size(), seed * 1000 + salt * 100 + i));
  return { clientMessages: messages(1), serverMessages: messages(2), fragment: random.int(1, 3000) };
}

/** Writes each message, then close_notify; empty messages are written too (the driver must take them). */
async function send(stream: SecureStream, messages: readonly Uint8Array[]): Promise<void> {
  const writer = stream.writable.getWriter();
  for (const message of messages) await writer.write(message);
  await writer.close();
}

describe(`no data loss (${RUNS} seeded runs from seed ${SEED})`, () => {
  it('every byte written before close_notify arrives once, in order, whoever closes first', async () => {
    for (let run = 0; run < RUNS; run++) {
      const seed = SEED + run;
      const { clientMessages, serverMessages, fragment } = plan(seed);
      const [clientSide, serverSide] = createPair({ fragment, seed, highWaterMark: rng(seed).int(1, 200_000) });
      const client = secure(clientSide, clientContext(), { serverHostname: 'localhost' });
      const server = secure(serverSide, serverContext());
      // Both sides send and close on their own schedule; each reads the other to its end.
      const [, , atServer, atClient] = await Promise.all([send(client, clientMessages), send(server, serverMessages), drain(server.readable), drain(client.readable)]);
      expect(atServer.error, `seed ${seed}`).toBeNull();
      expect(atClient.error, `seed ${seed}`).toBeNull();
      expect(Buffer.from(atServer.data).equals(Buffer.from(concat(clientMessages))), `seed ${seed}: client -> server`).toBe(true);
      expect(Buffer.from(atClient.data).equals(Buffer.from(concat(serverMessages))), `seed ${seed}: server -> client`).toBe(true);
      await Promise.all([client.closed, server.closed]);
    }
  });

  it('a stream cut before the close_notify is whole ends in EOFError after an exact prefix', async () => {
    for (let run = 0; run < RUNS; run++) {
      const seed = SEED + run;
      const { serverMessages, fragment } = plan(seed);
      // A clean run measures how many ciphertext bytes the server sends in all; the cut falls before the last 40
      // (the 24-byte close_notify record, with room for an ECDSA signature one or two bytes shorter this time).
      const { total, handshake } = await serverCiphertext(serverMessages, fragment, seed);
      // A truncation keeps the connection open, so inside the handshake it is a stall (both sides wait): it is cut
      // after the server's flight; an abrupt close may fall anywhere.
      // (The flight's length varies by a byte or two with the ECDSA signature: the cut keeps 4 bytes away.)
      const type = total - 40 >= handshake + 4 && rng(seed).next() < 0.5 ? 'truncate' : 'close';
      const cutAt = rng(seed * 7 + 3).int(type === 'close' ? 0 : handshake + 4, total - 40);
      const fault: Fault = { type, from: 'server', at: cutAt };
      const [clientSide, serverSide] = createPair({ fragment, seed, faults: [fault] });
      const client = secure(clientSide, clientContext(), { serverHostname: 'localhost' });
      const server = secure(serverSide, serverContext());
      const sending = send(server, serverMessages).catch(() => {});
      // The client closes its side at once so that the server, once done, closes the transport (a truncation's end).
      void client.opened.then(() => client.writable.getWriter().close()).catch(() => {});
      void server.readable.pipeTo(new WritableStream()).catch(() => {});
      const opened = await client.opened.then(() => null, (error: unknown) => error);
      if (opened !== null) {
        expect(EOFError.isInstance(opened), `seed ${seed}: cut at ${cutAt} in the handshake gave ${String(opened)}`).toBe(true);
        await sending;
        continue;
      }
      const got = await drain(client.readable);
      const sent = concat(serverMessages);
      expect(EOFError.isInstance(got.error), `seed ${seed}: cut at ${cutAt}/${total} ended with ${String(got.error)}`).toBe(true);
      expect(got.data.length, `seed ${seed}`).toBeLessThanOrEqual(sent.length);
      expect(Buffer.from(got.data).equals(Buffer.from(sent.subarray(0, got.data.length))), `seed ${seed}: not a prefix`).toBe(true);
      await sending;
      await Promise.allSettled([client.closed, server.closed]);
    }
  });
});

/** The server's ciphertext over a clean connection with this traffic: its handshake flight, and in all. */
async function serverCiphertext(messages: readonly Uint8Array[], fragment: number, seed: number): Promise<{ total: number; handshake: number }> {
  const [clientSide, serverSide] = createPair({ fragment, seed });
  const client = secure(clientSide, clientContext(), { serverHostname: 'localhost' });
  const server = secure(serverSide, serverContext());
  let handshake = 0;
  void server.opened.then(() => (handshake = serverSide.bytesWritten));
  await Promise.all([send(server, messages), send(client, []), drain(client.readable), drain(server.readable)]);
  await Promise.all([client.closed, server.closed]);
  return { total: serverSide.bytesWritten, handshake };
}
