/**
 * createPair's options on their own (seeded fragmentation, latency, backpressure, each fault) and under TLS: the
 * async driver over a broken pair must report each kind of breakage as what it is.
 */
import { EOFError, ProtocolError, SysCallError } from '@tlsbio/errors';
import { secure } from '@tlsbio/core';
import { describe, expect, it } from 'vitest';
import { createPair, type Fault, type MemoryTransport } from '../src/index.js';
import { clientContext, concat, drain, pattern, serverContext, sha256, writeAll } from './helpers.js';

async function readPieces(transport: MemoryTransport): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = [];
  for (let piece = await transport.read(); piece !== null; piece = await transport.read()) pieces.push(piece);
  return pieces;
}

async function cutsFor(seed: number): Promise<number[]> {
  const [a, b] = createPair({ fragment: 100, seed, highWaterMark: Infinity });
  await a.write(pattern(5000));
  await a.close();
  const pieces = await readPieces(b);
  expect(concat(pieces)).toEqual(pattern(5000));
  return pieces.map((piece) => piece.length);
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createPair options', () => {
  it('cuts writes at seeded random points: the same seed, the same pieces; another seed, others', async () => {
    const first = await cutsFor(7);
    expect(first.length).toBeGreaterThan(50);
    expect(Math.max(...first)).toBeLessThanOrEqual(100);
    expect(await cutsFor(7)).toEqual(first);
    expect(await cutsFor(8)).not.toEqual(first);
  });

  it('delays every piece by delayMs', async () => {
    const [a, b] = createPair({ delayMs: 40 });
    const started = Date.now();
    await a.write(new Uint8Array([1]));
    expect(await b.read()).toEqual(new Uint8Array([1]));
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('holds a writer back while the direction holds more than highWaterMark unread', async () => {
    const [a, b] = createPair({ highWaterMark: 1000 });
    let resolved = false;
    const writing = a.write(new Uint8Array(1500)).then(() => (resolved = true));
    await tick(10);
    expect(resolved).toBe(false);
    await b.read();
    await writing;
    expect(a.peakBuffered).toBe(1500);
  });

  it('close at byte N: the reader gets N bytes then the end; the other way ends too; later writes go nowhere', async () => {
    const [a, b] = createPair({ faults: [{ type: 'close', from: 'client', at: 10 }] });
    await b.write(new Uint8Array([9]));
    await a.write(pattern(25));
    await a.write(pattern(5));
    await b.write(pattern(5));
    expect(concat(await readPieces(b))).toEqual(pattern(25).subarray(0, 10));
    expect(concat(await readPieces(a))).toEqual(new Uint8Array([9]));
    expect(await b.read()).toBeNull();
  });

  it('reset at byte N: bytes before it, then ECONNRESET on both sides', async () => {
    const [a, b] = createPair({ faults: [{ type: 'reset', from: 'server', at: 3 }] });
    await b.write(pattern(8));
    expect(await a.read()).toEqual(pattern(8).subarray(0, 3));
    await expect(a.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(a.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(b.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('truncate at byte N: later bytes vanish, the writer notices nothing, its close still ends the stream', async () => {
    const [a, b] = createPair({ faults: [{ type: 'truncate', from: 'client', at: 5 }] });
    await a.write(pattern(4));
    await a.write(pattern(4));
    await a.write(pattern(4));
    await a.close();
    expect(concat(await readPieces(b))).toEqual(concat([pattern(4), pattern(4).subarray(0, 1)]));
  });

  it('flip at byte N: exactly that byte changes, by the mask or one seeded bit', async () => {
    const [a, b] = createPair({ faults: [{ type: 'flip', from: 'client', at: 2, mask: 0xff }, { type: 'flip', from: 'client', at: 6 }] });
    await a.write(new Uint8Array(8));
    const got = (await b.read())!;
    expect([...got]).toEqual([0, 0, 0xff, 0, 0, 0, got[6], 0]);
    expect([1, 2, 4, 8, 16, 32, 64, 128]).toContain(got[6]);
  });

  it('stall at byte N: bytes before it flow, the rest waits ms (or for ever)', async () => {
    const [a, b] = createPair({ faults: [{ type: 'stall', from: 'client', at: 2, ms: 60 }] });
    const started = Date.now();
    await a.write(pattern(5));
    expect(await b.read()).toEqual(pattern(5).subarray(0, 2));
    expect(await b.read()).toEqual(pattern(5).subarray(2));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);

    const [c, d] = createPair({ faults: [{ type: 'stall', from: 'client', at: 0 }] });
    await c.write(pattern(5));
    const outcome = await Promise.race([d.read().then(() => 'delivered'), tick(100).then(() => 'still stalled')]);
    expect(outcome).toBe('still stalled');
  });

  it('refuses nonsense options', () => {
    expect(() => createPair({ fragment: 0 })).toThrow(RangeError);
    expect(() => createPair({ delayMs: -1 })).toThrow(RangeError);
    expect(() => createPair({ faults: [{ type: 'close', from: 'client', at: -1 }] })).toThrow(RangeError);
  });
});

/** A client and a server secured over one pair; the server echoes. */
function tlsOver(options: Parameters<typeof createPair>[0]) {
  const [clientSide, serverSide] = createPair(options);
  const client = secure(clientSide, clientContext(), { serverHostname: 'localhost' });
  const server = secure(serverSide, serverContext());
  server.readable.pipeTo(server.writable).catch(() => {});
  return { client, server, clientSide, serverSide };
}

describe('TLS over a pair with faults', () => {
  it('echoes 256 KiB exactly over 1-to-50-byte fragments with 2 ms latency', async () => {
    const { client, server } = tlsOver({ fragment: 50, delayMs: 2, seed: 3 });
    const data = pattern(256 * 1024, 5);
    const [, echoed] = await Promise.all([writeAll(client, data, 10_000), drain(client.readable)]);
    expect(echoed.error).toBeNull();
    expect(sha256(echoed.data)).toBe(sha256(data));
    await Promise.all([client.closed, server.closed]);
  });

  const handshakeFaults: Array<[string, Fault, (error: unknown) => boolean]> = [
    ['an abrupt close mid-handshake is EOFError', { type: 'close', from: 'server', at: 200 }, (error) => EOFError.isInstance(error)],
    ['a reset mid-handshake is SysCallError with ECONNRESET as cause', { type: 'reset', from: 'server', at: 200 }, (error) => SysCallError.isInstance(error) && ((error as SysCallError).cause as { code?: string }).code === 'ECONNRESET'],
    ['a flipped bit in the server flight is a ProtocolError (bad_record_mac)', { type: 'flip', from: 'server', at: 300 }, (error) => ProtocolError.isInstance(error) && (error as ProtocolError).alert?.description === 20],
  ];
  for (const [name, fault, check] of handshakeFaults) {
    it(name, async () => {
      const { client } = tlsOver({ faults: [fault], fragment: 64, seed: 9 });
      const error = await client.opened.then(() => undefined, (reason: unknown) => reason);
      expect(check(error), String(error)).toBe(true);
      await client.closed.catch(() => {});
    });
  }

  it('a truncated answer ends in EOFError after the bytes that did arrive, never a silent short read', async () => {
    const { client, server } = tlsOver({ faults: [{ type: 'truncate', from: 'server', at: 20_000 }], fragment: 500 });
    await Promise.all([client.opened, server.opened]);
    const data = pattern(100_000, 4);
    const [, echoed] = await Promise.all([writeAll(client, data, 8_000), drain(client.readable)]);
    expect(EOFError.isInstance(echoed.error), String(echoed.error)).toBe(true);
    expect(echoed.data.length).toBeLessThan(data.length);
    expect(sha256(echoed.data)).toBe(sha256(data.subarray(0, echoed.data.length)));
  });

  it('a stall holds the handshake, which then completes', async () => {
    const { client, server } = tlsOver({ faults: [{ type: 'stall', from: 'server', at: 100, ms: 80 }] });
    const started = Date.now();
    await client.opened;
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await client.close();
    await server.closed;
  });
});
