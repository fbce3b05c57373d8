/**
 * A seeded, bounded mutation fuzzer for the TLS 1.2 engine. Each iteration runs a fresh TLS 1.2 pair and, at one
 * flight (ClientHello; ServerHello..ServerHelloDone; ClientKeyExchange+CCS+Finished; CCS+Finished; application data),
 * delivers a mutated flight instead: raw bytes flipped or cut on the wire, or — reaching the 1.2 parsers —
 * plaintext handshake messages changed (ServerKeyExchange curve, point and signature bytes, extensions, lengths) and
 * framed again. Both sides are then driven until quiet, and:
 *
 * - nothing but a TLSError escapes, and peer input never ends in INTERNAL_ERROR;
 * - every fatal ProtocolError sent its alert; the error sticks;
 * - a changed handshake message (it is in the transcript) never lets both handshakes complete;
 * - no run needs more than a bounded number of steps.
 *
 * `FUZZ_ITERATIONS` sets the length of a run (default 60 per provider), `FUZZ_SEED` its seed, `FUZZ_VERBOSE=1` prints
 * the outcomes met.
 */
import { ProtocolError, TLSVersion, WantReadError, WantWriteError, ZeroReturnError, isTLSError, type TLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSConnection } from '../src/connection.js';
import { ContentType, decodeHandshake, encodeHandshake } from '../src/msgs/index.js';
import { ConnectionPair, clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { concat, frame, parseRecords } from './helpers/wire.js';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 12);
const TLS12_ONLY = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } as const;

/** xorshift32: small, seeded, reproducible. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

type Mutation = { kind: 'wire' | 'message'; bytes: Uint8Array };

/** Changes a flight: on the wire (any record), or inside one plaintext handshake message (then framed again). */
function mutate(flight: Uint8Array, r: ReturnType<typeof rng>): Mutation {
  const records = parseRecords(flight);
  const plainHandshake = records.map((record, i) => [record, i] as const).filter(([record]) => record.type === ContentType.handshake && looksPlain(record.fragment));
  if (plainHandshake.length > 0 && r.next() < 0.7) {
    const [record, index] = plainHandshake[r.int(plainHandshake.length)]!;
    const { type, body } = decodeHandshake(record.fragment);
    const changed = body.slice();
    const choice = r.int(4);
    if (choice === 0 && changed.length > 0) changed[r.int(changed.length)]! ^= 1 << r.int(8);
    else if (choice === 1 && changed.length > 0) changed[r.int(changed.length)] = [0, 0xff, 1, 0x7f][r.int(4)]!;
    const newBody = choice === 2 ? changed.subarray(0, r.int(changed.length + 1)) : choice === 3 ? concat(changed, new Uint8Array([r.int(256)])) : changed;
    const out = records.map((rec, i) => (i === index ? frame(rec.type, encodeHandshake(type, newBody), rec.version) : frame(rec.type, rec.fragment, rec.version)));
    const same = newBody.length === body.length && newBody.every((byte, i) => byte === body[i]);
    // A "change" that left the message as it was (a byte set to its own value, a cut at the end) is no change.
    return { kind: same ? 'wire' : 'message', bytes: concat(...out) };
  }
  const bytes = flight.slice();
  if (r.next() < 0.2) return { kind: 'wire', bytes: bytes.subarray(0, r.int(bytes.length)) };
  bytes[r.int(bytes.length)]! ^= 1 << r.int(8);
  return { kind: 'wire', bytes };
}

/** A whole handshake message in the record (a protected Finished is not). */
function looksPlain(fragment: Uint8Array): boolean {
  if (fragment.length < 4) return false;
  const length = (fragment[1]! << 16) | (fragment[2]! << 8) | fragment[3]!;
  return length === fragment.length - 4;
}

/** Runs `step`; returns 'done', 'wait' or the TLSError (anything else fails the test). */
function attempt(step: () => unknown): 'done' | 'wait' | TLSError {
  try {
    step();
    return 'done';
  } catch (error) {
    if (WantReadError.isInstance(error) || WantWriteError.isInstance(error)) return 'wait';
    if (!isTLSError(error)) throw new Error(`a non-TLS error escaped: ${String(error)}`, { cause: error });
    return error;
  }
}

function checkError(thrown: TLSError, where: string): void {
  const error = thrown; // a separate binding: the ZeroReturnError guard below must not narrow it
  if (ZeroReturnError.isInstance(thrown)) return;
  expect(error.reason, `${where}: ${error.message}`).not.toBe('INTERNAL_ERROR');
  if (ProtocolError.isInstance(error) && error.fault === 'remote') expect(error.alert?.sent, `${where}: ${error.reason}`).toBe(true);
}

describe.each(providers)('TLS 1.2 mutation fuzzer, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const client = () => clientContext(provider, TLS12_ONLY);
  const server = serverContext(provider, {}, ['ecdsa', 'rsa']);

  it(`${ITERATIONS} seeded iterations (seed ${SEED}): only TLSErrors, alerts sent, nothing completes on a changed transcript`, () => {
    const r = rng(SEED);
    const kinds = new Map<string, number>();
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const pair = new ConnectionPair(client(), server);
      const target = r.int(5);
      let flight = 0;
      let mutation: Mutation | undefined;
      const errors = new Map<TLSConnection, TLSError>();
      const deliver = (from: 'client' | 'server') => {
        const out = from === 'client' ? pair.clientOut.read() : pair.serverOut.read();
        if (out.length === 0) return;
        let bytes = out;
        if (flight++ === target && mutation === undefined) {
          mutation = mutate(out, r);
          bytes = mutation.bytes;
        }
        (from === 'client' ? pair.serverIn : pair.clientIn).write(bytes);
      };
      let clientDone = false;
      let serverDone = false;
      for (let step = 0; step < 12; step++) {
        for (const [side, conn] of [['client', pair.client], ['server', pair.server]] as const) {
          const done = side === 'client' ? clientDone : serverDone;
          const result = errors.has(conn) ? 'error' : attempt(() => (done ? conn.write(new Uint8Array([step])) : conn.doHandshake()));
          if (result === 'done') {
            if (side === 'client') clientDone = true;
            else serverDone = true;
          } else if (typeof result === 'object') {
            checkError(result, `iteration ${iteration} (${side})`);
            expect(attempt(() => conn.doHandshake()), 'the error sticks').toBe(result);
            errors.set(conn, result);
          }
          deliver(side);
        }
        for (const conn of [pair.client, pair.server]) {
          if (errors.has(conn)) continue;
          const result = attempt(() => conn.read());
          if (typeof result === 'object') {
            checkError(result, `iteration ${iteration} (read)`);
            errors.set(conn, result);
          }
        }
      }
      if (mutation?.kind === 'message' && target < 4) {
        expect(clientDone && serverDone && errors.size === 0, `iteration ${iteration}: a changed handshake message went unnoticed`).toBe(false);
      }
      const outcome = errors.size > 0 ? [...errors.values()].map((e) => e.reason).join('/') : 'clean';
      kinds.set(outcome, (kinds.get(outcome) ?? 0) + 1);
    }
    if (process.env.FUZZ_VERBOSE === '1') console.log(Object.fromEntries(kinds));
    // The run met more than one kind of failure (a fuzzer that only ever sees one outcome is not exploring).
    expect(kinds.size).toBeGreaterThan(3);
  });
});
