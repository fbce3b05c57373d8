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
 * The same run is made on abbreviated handshakes (RFC 5077 §3.4: the client offers a ticket the server accepts), and
 * the named mutations issue 6 lists are applied on purpose, each with the outcome it must have: ServerKeyExchange
 * (signature, key, curve), bad curve points, a wrong explicit nonce, Finished before ChangeCipherSpec, a missing
 * extended master secret, and the ticket and abbreviated-handshake mutations (ticket altered, session id echo,
 * suite, EMS, NewSessionTicket missing, unannounced or truncated).
 *
 * `FUZZ_ITERATIONS` sets the length of a run (default 60 per provider), `FUZZ_SEED` its seed, `FUZZ_VERBOSE=1` prints
 * the outcomes met.
 */
import { AlertError, ProtocolError, TLSVersion, WantReadError, WantWriteError, ZeroReturnError, isTLSError, type TLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSConnection } from '../src/connection.js';
import type { TLSContext, TLSContextOptions } from '../src/context.js';
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  decodeClientHello,
  decodeHandshake,
  decodeServerHello,
  decodeServerKeyExchangeEcdhe,
  encodeClientHello,
  encodeClientKeyExchangeEcdhe,
  encodeHandshake,
  encodeServerHello,
  encodeServerKeyExchangeEcdhe,
  type ClientHello,
  type Extension,
} from '../src/msgs/index.js';
import type { TLSSession } from '../src/session/session.js';
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
  const session = sessionFrom(client(), server);

  it.each([
    ['full handshakes', undefined],
    ['abbreviated handshakes (a ticket resumed)', session],
  ] as const)(`%s: ${ITERATIONS} seeded iterations (seed ${SEED}): only TLSErrors, alerts sent, nothing completes on a changed transcript`, (_mode, offered) => {
    const r = rng(SEED);
    const kinds = new Map<string, number>();
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const pair = new ConnectionPair(client(), server, offered === undefined ? {} : { session: offered });
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
      // Untouched handshake flights of the abbreviated kind end resumed on both sides.
      if (offered !== undefined && outcome === 'clean' && clientDone && serverDone) expect([pair.client.sessionReused, pair.server.sessionReused]).toEqual([true, true]);
      kinds.set(outcome, (kinds.get(outcome) ?? 0) + 1);
    }
    if (process.env.FUZZ_VERBOSE === '1') console.log(Object.fromEntries(kinds));
    // The run met more than one kind of failure (a fuzzer that only ever sees one outcome is not exploring).
    expect(kinds.size).toBeGreaterThan(3);
  });
});

/** A TLS 1.2 session from one full handshake between fresh connections of these contexts. */
function sessionFrom(client: TLSContext, server: TLSContext): TLSSession {
  const pair = new ConnectionPair(client, server);
  pair.handshake();
  return pair.client.session!;
}

interface Message {
  readonly type: number;
  readonly body: Uint8Array;
}

/**
 * Edits the plaintext handshake messages of a flight (those before its ChangeCipherSpec, which our engine coalesces
 * into as few records as fit), framing each edited message in a record of its own; the rest goes on unchanged.
 */
function editMessages(flight: Uint8Array, edit: (messages: Message[]) => Message[]): Uint8Array {
  const records = parseRecords(flight);
  const ccs = records.findIndex((record) => record.type === ContentType.change_cipher_spec);
  const plain = ccs < 0 ? records : records.slice(0, ccs);
  const rest = ccs < 0 ? [] : records.slice(ccs);
  const stream = concat(...plain.map((record) => record.fragment));
  const messages: Message[] = [];
  for (let at = 0; at < stream.length; ) {
    const length = 4 + ((stream[at + 1]! << 16) | (stream[at + 2]! << 8) | stream[at + 3]!);
    messages.push(decodeHandshake(stream.subarray(at, at + length)));
    at += length;
  }
  const edited = edit(messages).map((m) => frame(ContentType.handshake, encodeHandshake(m.type, m.body)));
  return concat(...edited, ...rest.map((record) => frame(record.type, record.fragment, record.version)));
}

/** Replaces the body of every message of `type` in the flight. */
function editMessage(type: number, edit: (body: Uint8Array) => Uint8Array): (flight: Uint8Array) => Uint8Array {
  return (flight) => editMessages(flight, (messages) => messages.map((m) => (m.type === type ? { type, body: edit(m.body) } : m)));
}

const withoutExtension = (extensions: readonly Extension[], type: number) => extensions.filter((e) => e.type !== type);

/** Flips one bit of `bytes` from `start` on, at a position `r` picks. */
function flipped(bytes: Uint8Array, start: number, r: ReturnType<typeof rng>): Uint8Array {
  const out = bytes.slice();
  out[start + r.int(out.length - start)]! ^= 1 << r.int(8);
  return out;
}

/** The records of a flight with `edit` applied to those `pick` chooses. */
function editRecords(flight: Uint8Array, edit: (records: ReturnType<typeof parseRecords>) => ReturnType<typeof parseRecords>): Uint8Array {
  return concat(...edit(parseRecords(flight)).map((record) => frame(record.type, record.fragment, record.version)));
}

const PLAIN_FINISHED = { type: ContentType.handshake, fragment: encodeHandshake(HandshakeType.finished, new Uint8Array(12)), version: 0x0303 };

/**
 * A mutation issue 6 names. Flights are counted as the pair sends them: 0 ClientHello; 1 the server's first flight
 * (ServerHello…ServerHelloDone, or ServerHello+CCS+Finished when resuming); 2 the client's answer; 3 the server's
 * last flight of a full handshake ([NewSessionTicket], CCS, Finished).
 */
interface NamedMutation {
  readonly name: string;
  readonly resumed?: boolean;
  readonly flight: number;
  readonly client?: TLSContextOptions;
  readonly server?: TLSContextOptions;
  readonly mutate: (flight: Uint8Array, r: ReturnType<typeof rng>, clientHello: ClientHello) => Uint8Array;
  /** Who detects it, and the reason and alert it must report. */
  readonly expect: { readonly side: 'client' | 'server'; readonly reason: string; readonly alert: string };
}

const P256_ONLY: TLSContextOptions = { groups: ['secp256r1'] };
const AES_GCM: TLSContextOptions = { cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] };

const NAMED: readonly NamedMutation[] = [
  {
    name: 'ServerKeyExchange: signature altered',
    flight: 1,
    mutate: (flight, r) => editMessage(HandshakeType.server_key_exchange, (body) => {
      const ske = decodeServerKeyExchangeEcdhe(body);
      return encodeServerKeyExchangeEcdhe({ ...ske, signature: flipped(ske.signature, 8, r) });
    })(flight),
    expect: { side: 'client', reason: 'BAD_SIGNATURE', alert: 'decrypt_error' },
  },
  {
    name: 'ServerKeyExchange: public key swapped after signing',
    flight: 1,
    mutate: (flight, r) => editMessage(HandshakeType.server_key_exchange, (body) => {
      const ske = decodeServerKeyExchangeEcdhe(body);
      return encodeServerKeyExchangeEcdhe({ ...ske, publicKey: flipped(ske.publicKey, 1, r) });
    })(flight),
    expect: { side: 'client', reason: 'BAD_SIGNATURE', alert: 'decrypt_error' },
  },
  {
    name: 'ServerKeyExchange: a curve the client did not offer',
    flight: 1,
    client: P256_ONLY,
    mutate: editMessage(HandshakeType.server_key_exchange, (body) => encodeServerKeyExchangeEcdhe({ ...decodeServerKeyExchangeEcdhe(body), namedGroup: 0x0018 })),
    expect: { side: 'client', reason: 'ILLEGAL_PARAMETER', alert: 'illegal_parameter' },
  },
  {
    name: 'ClientKeyExchange: a P-256 point off the curve',
    flight: 2,
    client: P256_ONLY,
    mutate: (flight, r) => editMessage(HandshakeType.client_key_exchange, () => {
      const point = new Uint8Array(65);
      point[0] = 4;
      for (let i = 1; i < 65; i++) point[i] = r.int(256);
      return encodeClientKeyExchangeEcdhe(point);
    })(flight),
    expect: { side: 'server', reason: 'INVALID_KEY_SHARE', alert: 'illegal_parameter' },
  },
  {
    name: 'ClientKeyExchange: an X25519 point of low order (all-zero secret)',
    flight: 2,
    mutate: editMessage(HandshakeType.client_key_exchange, () => encodeClientKeyExchangeEcdhe(new Uint8Array(32))),
    expect: { side: 'server', reason: 'INVALID_KEY_SHARE', alert: 'illegal_parameter' },
  },
  {
    name: 'ClientKeyExchange: a point of the wrong length',
    flight: 2,
    mutate: (flight, r) => editMessage(HandshakeType.client_key_exchange, () => encodeClientKeyExchangeEcdhe(new Uint8Array(1 + r.int(31)).fill(9)))(flight),
    expect: { side: 'server', reason: 'INVALID_KEY_SHARE', alert: 'illegal_parameter' },
  },
  {
    name: 'wrong explicit nonce (AES-GCM) on the client Finished',
    flight: 2,
    client: AES_GCM,
    mutate: (flight, r) => editRecords(flight, (records) => records.map((record, i) => (i === records.length - 1 ? { ...record, fragment: withNonce(record.fragment, r) } : record))),
    expect: { side: 'server', reason: 'BAD_RECORD_MAC', alert: 'bad_record_mac' },
  },
  {
    name: 'wrong explicit nonce (AES-GCM) on the server Finished of an abbreviated handshake',
    resumed: true,
    flight: 1,
    client: AES_GCM,
    mutate: (flight, r) => editRecords(flight, (records) => records.map((record, i) => (i === records.length - 1 ? { ...record, fragment: withNonce(record.fragment, r) } : record))),
    expect: { side: 'client', reason: 'BAD_RECORD_MAC', alert: 'bad_record_mac' },
  },
  {
    name: 'client Finished before ChangeCipherSpec',
    flight: 2,
    mutate: (flight) => editRecords(flight, (records) => [...records.filter((record) => record.type === ContentType.handshake).slice(0, -1), PLAIN_FINISHED]),
    expect: { side: 'server', reason: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message' },
  },
  {
    name: 'server Finished before ChangeCipherSpec (after its NewSessionTicket)',
    flight: 3,
    mutate: (flight) => editRecords(flight, (records) => [records[0]!, PLAIN_FINISHED]),
    expect: { side: 'client', reason: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message' },
  },
  {
    name: 'abbreviated handshake: server Finished before ChangeCipherSpec',
    resumed: true,
    flight: 1,
    mutate: (flight) => editRecords(flight, (records) => [records[0]!, PLAIN_FINISHED]),
    expect: { side: 'client', reason: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message' },
  },
  {
    name: 'abbreviated handshake: client Finished before ChangeCipherSpec',
    resumed: true,
    flight: 2,
    mutate: () => frame(ContentType.handshake, PLAIN_FINISHED.fragment),
    expect: { side: 'server', reason: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message' },
  },
  {
    name: 'ClientHello without extended_master_secret',
    flight: 0,
    mutate: editMessage(HandshakeType.client_hello, (body) => {
      const hello = decodeClientHello(body);
      return encodeClientHello({ ...hello, extensions: withoutExtension(hello.extensions, ExtensionType.extended_master_secret) });
    }),
    expect: { side: 'server', reason: 'EXTENDED_MASTER_SECRET_REQUIRED', alert: 'handshake_failure' },
  },
  {
    name: 'ServerHello without extended_master_secret',
    flight: 1,
    mutate: editMessage(HandshakeType.server_hello, (body) => {
      const hello = decodeServerHello(body);
      return encodeServerHello({ ...hello, extensions: withoutExtension(hello.extensions, ExtensionType.extended_master_secret) });
    }),
    expect: { side: 'client', reason: 'EXTENDED_MASTER_SECRET_REQUIRED', alert: 'handshake_failure' },
  },
  {
    name: 'resuming ClientHello without extended_master_secret, to a server that allows non-EMS peers (RFC 7627 §5.3)',
    resumed: true,
    flight: 0,
    server: { requireExtendedMasterSecret: false },
    mutate: editMessage(HandshakeType.client_hello, (body) => {
      const hello = decodeClientHello(body);
      return encodeClientHello({ ...hello, extensions: withoutExtension(hello.extensions, ExtensionType.extended_master_secret) });
    }),
    expect: { side: 'server', reason: 'INCONSISTENT_EXTMS', alert: 'handshake_failure' },
  },
  {
    name: 'abbreviated ServerHello without extended_master_secret (RFC 7627 §5.3)',
    resumed: true,
    flight: 1,
    mutate: editMessage(HandshakeType.server_hello, (body) => {
      const hello = decodeServerHello(body);
      return encodeServerHello({ ...hello, extensions: withoutExtension(hello.extensions, ExtensionType.extended_master_secret) });
    }),
    expect: { side: 'client', reason: 'EXTENDED_MASTER_SECRET_REQUIRED', alert: 'handshake_failure' },
  },
  {
    name: 'abbreviated ServerHello with another cipher suite than the session’s',
    resumed: true,
    flight: 1,
    client: { cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384'] },
    mutate: editMessage(HandshakeType.server_hello, (body) => encodeServerHello({ ...decodeServerHello(body), cipherSuite: 0xc02c })),
    expect: { side: 'client', reason: 'ILLEGAL_PARAMETER', alert: 'illegal_parameter' },
  },
  {
    name: 'abbreviated ServerHello with a session id the client did not send (so a full handshake, then a CCS)',
    resumed: true,
    flight: 1,
    mutate: (flight, r) => editMessage(HandshakeType.server_hello, (body) => {
      const hello = decodeServerHello(body);
      return encodeServerHello({ ...hello, legacySessionIdEcho: flipped(hello.legacySessionIdEcho, 0, r) });
    })(flight),
    expect: { side: 'client', reason: 'CCS_RECEIVED_EARLY', alert: 'unexpected_message' },
  },
  {
    name: 'ServerHello echoing the session id of a client that offered no ticket',
    flight: 1,
    // A 1.3-capable client sends a compatibility session id (RFC 8446 §D.4); a 1.2 server echoing it claims a resumption.
    client: { maximumVersion: TLSVersion.TLSv1_3 },
    server: TLS12_ONLY,
    mutate: (flight, _r, clientHello) => editMessage(HandshakeType.server_hello, (body) => encodeServerHello({ ...decodeServerHello(body), legacySessionIdEcho: clientHello.legacySessionId }))(flight),
    expect: { side: 'client', reason: 'ILLEGAL_PARAMETER', alert: 'illegal_parameter' },
  },
  {
    name: 'NewSessionTicket announced in the ServerHello but missing',
    flight: 3,
    mutate: (flight) => editRecords(flight, (records) => records.slice(1)),
    expect: { side: 'client', reason: 'CCS_RECEIVED_EARLY', alert: 'unexpected_message' },
  },
  {
    name: 'NewSessionTicket truncated',
    flight: 3,
    mutate: (flight, r) => editMessage(HandshakeType.new_session_ticket, (body) => body.subarray(0, r.int(body.length - 1)))(flight),
    expect: { side: 'client', reason: 'DECODE_ERROR', alert: 'decode_error' },
  },
  {
    name: 'abbreviated handshake: a NewSessionTicket the ServerHello did not announce',
    resumed: true,
    flight: 1,
    mutate: (flight) => {
      const [hello, ...rest] = parseRecords(flight);
      const ticket = frame(ContentType.handshake, encodeHandshake(HandshakeType.new_session_ticket, new Uint8Array([0, 0, 0, 1, 0, 1, 7])));
      return concat(frame(hello!.type, hello!.fragment), ticket, ...rest.map((record) => frame(record.type, record.fragment)));
    },
    expect: { side: 'client', reason: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message' },
  },
  {
    name: 'ticket altered in the ClientHello: the server falls back to a full handshake, the transcripts differ',
    resumed: true,
    flight: 0,
    mutate: (flight, r) => editMessage(HandshakeType.client_hello, (body) => {
      const hello = decodeClientHello(body);
      return encodeClientHello({
        ...hello,
        extensions: hello.extensions.map((e) => (e.type === ExtensionType.session_ticket ? { type: e.type, data: flipped(e.data, 0, r) } : e)),
      });
    })(flight),
    // The client's Finished, under keys from its own transcript, does not open under the server's.
    expect: { side: 'server', reason: 'BAD_RECORD_MAC', alert: 'bad_record_mac' },
  },
];

/** A GCM record with one bit of its explicit nonce (the fragment's first 8 bytes, RFC 5288 §3) flipped. */
function withNonce(fragment: Uint8Array, r: ReturnType<typeof rng>): Uint8Array {
  const out = fragment.slice();
  out[r.int(8)]! ^= 1 << r.int(8);
  return out;
}


describe.each(providers)('TLS 1.2 named mutations (issue 6), %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const RUNS = 3;

  it.each(NAMED.map((mutation) => [mutation.name, mutation] as const))('%s', (_title, mutation) => {
    const r = rng(SEED);
    const serverCtx = serverContext(provider, mutation.server ?? {});
    const clientOptions = { ...TLS12_ONLY, ...mutation.client };
    const session = mutation.resumed === true ? sessionFrom(clientContext(provider, clientOptions), serverCtx) : undefined;
    for (let run = 0; run < RUNS; run++) {
      const pair = new ConnectionPair(clientContext(provider, clientOptions), serverCtx, session === undefined ? {} : { session });
      let flight = 0;
      let clientHello: ClientHello | undefined;
      const deliver = (from: 'client' | 'server') => {
        let bytes = from === 'client' ? pair.clientOut.read() : pair.serverOut.read();
        if (bytes.length === 0) return;
        if (flight === 0) clientHello = decodeClientHello(decodeHandshake(firstMessage(bytes)).body);
        if (flight++ === mutation.flight) bytes = mutation.mutate(bytes, r, clientHello!);
        (from === 'client' ? pair.serverIn : pair.clientIn).write(bytes);
      };
      const errors = new Map<'client' | 'server', TLSError>();
      const done = new Set<'client' | 'server'>();
      for (let step = 0; step < 8 && errors.size < 2; step++) {
        for (const [side, conn] of [['client', pair.client], ['server', pair.server]] as const) {
          if (!errors.has(side) && !done.has(side)) {
            const result = attempt(() => conn.doHandshake());
            if (result === 'done') done.add(side);
            else if (typeof result === 'object') errors.set(side, result);
          }
          deliver(side);
        }
      }
      const detected = errors.get(mutation.expect.side);
      const where = `${mutation.name}, run ${run}`;
      expect(detected, `${where}: nothing detected (${[...errors].map(([side, e]) => `${side} ${e.reason}`).join(', ')})`).toBeDefined();
      expect(ProtocolError.isInstance(detected), `${where}: ${String(detected)}`).toBe(true);
      expect({ reason: detected!.reason, alert: detected!.alert?.name, sent: detected!.alert?.sent }, where).toEqual({ reason: mutation.expect.reason, alert: mutation.expect.alert, sent: true });
      // The peer heard the alert: a typed AlertError with that description (when it was still listening).
      const other = errors.get(mutation.expect.side === 'client' ? 'server' : 'client');
      if (other !== undefined) expect({ heard: AlertError.isInstance(other), alert: other.alert?.name }, `${where}: ${other.reason}`).toEqual({ heard: true, alert: mutation.expect.alert });
      expect(done.size, `${where}: both handshakes completed`).toBeLessThan(2);
    }
  });
});

/** The first handshake message of a flight's first record (our flights start with a plaintext one). */
function firstMessage(flight: Uint8Array): Uint8Array {
  const fragment = parseRecords(flight)[0]!.fragment;
  return fragment.subarray(0, 4 + ((fragment[1]! << 16) | (fragment[2]! << 8) | fragment[3]!));
}
