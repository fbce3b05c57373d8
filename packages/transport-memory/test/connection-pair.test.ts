/**
 * ConnectionPair, the sans-IO pair core's protocol tests run over: seeded fragmentation between MemoryBIOs with the
 * engines running between pieces, and the clock-free faults, once per crypto provider.
 */
import { EOFError, WantReadError, isTLSError } from '@tlsbio/errors';
import { TLSContext, createNodeProvider, createPortableProvider, type CryptoProvider } from '@tlsbio/core';
import { describe, expect, it } from 'vitest';
import { ConnectionPair, type ConnectionPairOptions } from '../src/index.js';
import { pattern, pki } from './helpers.js';

const providers: ReadonlyArray<readonly [string, () => CryptoProvider]> = [
  ['node', createNodeProvider],
  ['portable', createPortableProvider],
];

/** The TLS error `run` throws; fails the test on none, or on anything that is not a TLSError. */
function tlsErrorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(isTLSError(error), `${String(error)}`).toBe(true);
    return error;
  }
  throw new Error('expected a TLS error');
}

/**
 * Drives both sides until each has failed (or 3 rounds passed): the handshake, then a call on each side with the
 * bytes moved between rounds, so an alert sent by one reaches the other. Every failure must be a TLS error.
 */
function runToFailure(pair: ConnectionPair): [unknown, unknown] {
  const errors: [unknown, unknown] = [undefined, undefined];
  try {
    pair.handshake();
  } catch (error) {
    expect(isTLSError(error), String(error)).toBe(true);
  }
  for (let round = 0; round < 3; round++) {
    [pair.client, pair.server].forEach((connection, side) => {
      try {
        connection.doHandshake();
        connection.read();
      } catch (error) {
        if (WantReadError.isInstance(error)) return;
        expect(isTLSError(error), String(error)).toBe(true);
        errors[side] ??= error;
      }
    });
    pair.transfer();
  }
  return errors;
}

describe.each(providers)('ConnectionPair, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const server = new TLSContext('server', { provider });
  server.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  const client = new TLSContext('client', { provider });
  client.loadVerifyLocations({ cadata: pki('ca.pem') });
  const pair = (options: ConnectionPairOptions = {}) => new ConnectionPair(client, server, options);

  it('hands the peers one seeded piece at a time, the engines running between pieces, and gets the same result', () => {
    const whole = pair();
    whole.handshake();
    for (const seed of [1, 2, 3]) {
      const cut = pair({ fragment: 40, seed });
      // The first flight arrives in parts: the server has at most 40 bytes of it after one step.
      expect(() => cut.client.doHandshake()).toThrow(WantReadError);
      cut.step();
      expect(cut.serverIn.pending).toBeGreaterThan(0);
      expect(cut.serverIn.pending).toBeLessThanOrEqual(40);
      cut.handshake();
      expect(cut.client.cipher()).toEqual(whole.client.cipher());
      expect(cut.clientToServer).toBe(whole.clientToServer);
      const data = pattern(50_000, seed);
      expect(cut.send('client', data)).toEqual(data);
      expect(cut.send('server', data)).toEqual(data);
    }
  });

  it('cuts the same way for the same seed', () => {
    const piecesOf = (seed: number) => {
      const cut = pair({ fragment: 100, seed });
      const sizes: number[] = [];
      cut.handshake();
      cut.client.write(pattern(3000));
      for (let before = cut.serverIn.pending; cut.step() > 0; before = cut.serverIn.pending) sizes.push(cut.serverIn.pending - before);
      return sizes;
    };
    expect(piecesOf(5)).toEqual(piecesOf(5));
    expect(piecesOf(5)).not.toEqual(piecesOf(6));
  });

  it('a flipped bit anywhere in either flight fails the handshake with a TLS error on both sides, never anything else', () => {
    const clean = pair();
    clean.handshake();
    const lengths = { client: clean.clientToServer, server: clean.serverToClient };
    for (let seed = 1; seed <= 12; seed++) {
      const from = seed % 2 === 0 ? 'client' : 'server';
      // Past the first record header (a flip in the plaintext ClientHello's random would go unnoticed until Finished).
      const at = 5 + Math.floor(((seed * 7919) % 1000) / 1000 * (lengths[from] - 5));
      const broken = pair({ fragment: 200, seed, faults: [{ type: 'flip', from, at }] });
      const [clientError, serverError] = runToFailure(broken);
      // One side saw the damage and sent its alert; the other received it (as AlertError), or could not read it
      // either (protected with keys the damage made the two sides disagree on) and failed on the record instead.
      expect(clientError, `flip at ${at} from the ${from}`).toBeDefined();
      expect(serverError, `flip at ${at} from the ${from}`).toBeDefined();
    }
  });

  it('a close fault in the middle of application data: the reader gets the records before it, then EOFError', () => {
    const probe = pair();
    probe.handshake();
    const handshakeBytes = probe.serverToClient;
    const data = pattern(20_000);
    // In the second record (the first holds 16,384 bytes of data behind 22 of header, type and tag).
    const at = handshakeBytes + 16_406 + 1_000;
    const cut = pair({ fragment: 500, seed: 9, faults: [{ type: 'close', from: 'server', at }] });
    cut.handshake();
    cut.server.write(data);
    const received: number[] = [];
    const error = tlsErrorOf(() => {
      for (let round = 0; round < 10_000; round++) {
        cut.step();
        try {
          received.push(...cut.client.read());
        } catch (failure) {
          if (!WantReadError.isInstance(failure)) throw failure;
        }
      }
    });
    expect(EOFError.isInstance(error)).toBe(true);
    expect(received.length).toBe(16_384);
    expect(Uint8Array.from(received)).toEqual(data.subarray(0, received.length));
  });

  it('a truncation followed by the end of the stream is EOFError, never a clean end', () => {
    const cut = pair({ faults: [{ type: 'truncate', from: 'client', at: 4000 }] });
    cut.handshake();
    cut.client.write(pattern(10_000));
    cut.transfer();
    cut.close('client');
    cut.transfer();
    const error = tlsErrorOf(() => {
      for (;;) cut.server.read();
    });
    expect(EOFError.isInstance(error)).toBe(true);
  });

  it('refuses the faults that need a clock or a transport', () => {
    expect(() => pair({ faults: [{ type: 'stall', from: 'client', at: 1 } as never] })).toThrow(RangeError);
    expect(() => pair({ faults: [{ type: 'reset', from: 'client', at: 1 } as never] })).toThrow(RangeError);
  });
});
