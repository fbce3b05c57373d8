/**
 * A seeded, reproducible mutation fuzzer for the TLS 1.3 engine.
 *
 * Each scenario (handshake — a full one, or one resuming a session — data both ways, a KeyUpdate, close) is recorded once between our client and server, with
 * a seeded random source in each provider and an Ed25519 certificate, whose signatures are deterministic: every replay
 * of a scenario produces the same bytes and the same secrets. An iteration replays the scenario and, at one flight of
 * one direction, delivers a mutated flight instead: raw bytes changed on the wire (ciphertext changes must end in
 * bad_record_mac), or — the kind that reaches the handshake parsers — records opened with the key log's secrets,
 * changed as plaintext and sealed again. Both sides are then driven until quiet, and the outcome is checked:
 *
 * - nothing but a TLSError escapes, and no peer input ends in INTERNAL_ERROR (a wrapped TypeError/RangeError);
 * - every fatal ProtocolError sent an alert, with fault 'remote'; the error sticks (same object on every call);
 * - an AlertError on the sender of the mutated flight carries exactly the alert the receiver sent, and when the
 *   transcript was left alone (both sides hold the same keys) the receiver's alert does reach the sender;
 * - no run needs more than a bounded number of steps; buffered plaintext and output stay within bounds;
 * - changed handshake bytes never let both handshakes complete; ciphertext changes never deliver altered data and
 *   end in bad_record_mac;
 * - changes whose answer RFC 8446 fixes get that alert: a message after a key change in the same record, an empty
 *   handshake or alert record, an unknown content type, an injected alert;
 * - harmless changes (re-sealing, splitting, padding, trickling bytes) change nothing.
 * A last group measures, with the heap, what a peer can make a connection hold.
 *
 * `FUZZ_ITERATIONS` (per scenario and provider) sets the length of a run, `FUZZ_SEED` its seed, `FUZZ_ONLY=i` replays
 * iteration i alone, `FUZZ_VERBOSE=1` prints every iteration. A failure prints the seed and iteration to replay, and
 * groups the failures of a run by kind.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AlertError,
  CertVerificationError,
  ProtocolError,
  WantReadError,
  WantWriteError,
  ZeroReturnError,
  alertName,
  isTLSError,
  type TLSError,
} from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import { ByteWriter } from '../src/codec/writer.js';
import type { TLSConnection } from '../src/connection.js';
import { TLSContext, type TLSContextOptions } from '../src/context.js';
import type { CryptoProvider } from '../src/crypto/provider.js';
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  decodeCertificate13,
  decodeClientHello,
  decodeEncryptedExtensions,
  decodeServerHello,
  encodeCertificateRequest13,
  encodeHandshake,
  encodeKeyUpdate,
  encodeNewSessionTicket13,
  encodeSignatureSchemes,
  isHelloRetryRequestRandom,
  type Extension,
} from '../src/msgs/index.js';
import { suiteByName } from '../src/suites.js';
import { ConnectionPair, pki, readOrNull } from './helpers/pair.js';
import type { TLSSession } from '../src/session/session.js';
import { providers, type ProviderFactory } from './helpers/providers.js';
import { DirectionTap, concat, frame, fromHex, parseRecords, type Logical, type WireRecord } from './helpers/wire.js';
import { equalBytes } from '../src/crypto/bytes.js';

// ---- configuration ----

const SEED = process.env.FUZZ_SEED === undefined ? 0x7e1b_10f5 : Number(process.env.FUZZ_SEED) >>> 0;
/** Iterations per scenario and provider; the default keeps the file under 15 s on two cores. */
const ITERATIONS = process.env.FUZZ_ITERATIONS === undefined ? undefined : Number(process.env.FUZZ_ITERATIONS);
const ONLY = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
const VERBOSE = process.env.FUZZ_VERBOSE === '1';
const DEFAULT_ITERATIONS: Readonly<Record<string, number>> = { node: 800, portable: 100 };
/** Rounds of "drive both sides, move the bytes" after the scripted steps before a run counts as a livelock. */
const MAX_DRAIN_ROUNDS = 40;

// ---- a small seeded generator (mulberry32) ----

class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  u32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** The seed of iteration `i`: each iteration replays alone from (SEED, i). */
function iterationSeed(seed: number, scenario: string, i: number): number {
  let h = seed ^ 0x9e3779b9;
  for (const c of `${scenario}#${i}`) h = Math.imul(h ^ c.charCodeAt(0), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---- scenarios ----

type Side = 'client' | 'server';
type Direction = 'up' | 'down'; // up: client to server

interface Scenario {
  readonly name: string;
  readonly client: TLSContextOptions;
  readonly server: TLSContextOptions;
  /** Resume a session from a full handshake made first (RFC 8446 §2.2): PSK, binder, no certificate messages. */
  readonly resume?: boolean;
}

/** 2027-01-01: within the fixture certificates' validity; ticket times and ages are sealed and sent as of it. */
const FIXED_TIME = 1_798_761_600_000;

const SCENARIOS: readonly Scenario[] = [
  { name: 'basic', client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] }, server: {} },
  {
    name: 'hello-retry',
    client: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'], groups: ['x25519', 'secp256r1'] },
    server: { groups: ['secp256r1'] },
  },
  { name: 'no-compat', client: { cipherSuites: ['TLS_AES_256_GCM_SHA384'], middleboxCompatibility: false, alpnProtocols: ['h2', 'x'] }, server: { alpnProtocols: ['h2'] } },
  // A fixed client clock: the obfuscated ticket age it sends replays too.
  { name: 'resumption', client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'], now: () => new Date(FIXED_TIME) }, server: {}, resume: true },
];

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** What each side writes, in order: the data read on the other side must be a prefix of this. */
const SENT: Readonly<Record<Side, readonly Uint8Array[]>> = {
  client: [pattern(300, 1), pattern(5000, 2)],
  server: [pattern(20000, 3), pattern(100, 4)],
};
const SENT_ALL: Readonly<Record<Side, Uint8Array>> = { client: concat(...SENT.client), server: concat(...SENT.server) };

/** The scripted steps; each is one call on one side, and the bytes move after each. */
const STEPS: ReadonlyArray<readonly [Side, (run: Run, c: TLSConnection) => void]> = [
  ['client', (_r, c) => c.doHandshake()],
  ['server', (_r, c) => c.doHandshake()],
  ['client', (_r, c) => c.doHandshake()],
  ['server', (_r, c) => c.doHandshake()],
  ['client', (_r, c) => c.doHandshake()],
  ['server', (_r, c) => c.doHandshake()],
  ['client', (_r, c) => writeAll(c, SENT.client[0]!)],
  ['server', (r, c) => r.readAll('server', c)],
  ['server', (_r, c) => writeAll(c, SENT.server[0]!)],
  ['client', (r, c) => r.readAll('client', c)],
  [
    'client',
    (_r, c) => {
      if (c.handshakeComplete) c.keyUpdate({ requestPeer: true });
      writeAll(c, SENT.client[1]!);
    },
  ],
  ['server', (r, c) => r.readAll('server', c)],
  ['server', (_r, c) => writeAll(c, SENT.server[1]!)],
  ['client', (r, c) => r.readAll('client', c)],
  ['client', (_r, c) => c.unwrap()],
  ['server', (r, c) => r.readAll('server', c)],
  ['server', (_r, c) => c.unwrap()],
  ['client', (_r, c) => c.unwrap()],
];

function writeAll(connection: TLSConnection, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += connection.write(data.subarray(offset));
}

// ---- the deterministic world a scenario runs in ----

/** A provider whose random source replays the same bytes after each `reset()`. */
function seededProvider(factory: ProviderFactory, seed: number): { provider: CryptoProvider; reset: () => void } {
  let rng = new Rng(seed);
  const provider = factory({ random: (n) => rng.bytes(n) });
  return { provider, reset: () => void (rng = new Rng(seed)) };
}

class World {
  readonly clientProvider: { provider: CryptoProvider; reset: () => void };
  readonly serverProvider: { provider: CryptoProvider; reset: () => void };
  readonly clientContext: TLSContext;
  readonly serverContext: TLSContext;
  keylog = new Map<string, Uint8Array>();

  constructor(factory: ProviderFactory, readonly scenario: Scenario) {
    this.clientProvider = seededProvider(factory, 0xc11e_0001);
    this.serverProvider = seededProvider(factory, 0x5e4e_0002);
    this.clientContext = new TLSContext('client', { provider: this.clientProvider.provider, ...scenario.client });
    this.clientContext.loadVerifyLocations({ cadata: pki('ca.pem') });
    // Ed25519 signatures are deterministic (RFC 8032): the whole transcript replays byte for byte.
    this.serverContext = new TLSContext('server', { provider: this.serverProvider.provider, now: () => new Date(FIXED_TIME), ...scenario.server });
    this.serverContext.loadCertChain(pki('server-ed25519.pem'), pki('server-ed25519.key'));
    // NewSessionTickets replay too: a fixed ticket key (a random one would be drawn on the first run only) and a fixed
    // clock for the time sealed into them.
    this.serverContext.setTicketKeys([new Uint8Array(32).fill(0x7c)]);
    for (const context of [this.clientContext, this.serverContext]) {
      context.setKeylogCallback((line) => {
        const [label, , secret] = line.split(' ');
        this.keylog.set(label!, fromHex(secret!));
      });
    }
  }

  /** The session the resumption scenario resumes, from one full handshake (and the tickets that follow it). */
  #session: TLSSession | undefined;

  /** A fresh pair whose random sources start over. */
  pair(): ConnectionPair {
    if (this.scenario.resume === true && this.#session === undefined) {
      const first = this.#freshPair(undefined);
      first.handshake();
      readOrNull(first.client); // takes the tickets
      this.#session = first.client.session;
      if (this.#session === undefined) throw new Error('the resumption scenario got no ticket');
    }
    return this.#freshPair(this.#session);
  }

  #freshPair(session: TLSSession | undefined): ConnectionPair {
    this.clientProvider.reset();
    this.serverProvider.reset();
    this.keylog = new Map();
    return new ConnectionPair(this.clientContext, this.serverContext, session === undefined ? {} : { session });
  }
}

// ---- one run: the scripted steps, then driving both sides until quiet ----

interface SideState {
  fatal: TLSError | undefined;
  received: Uint8Array[];
  receivedBytes: number;
  closed: boolean;
}

/** What replaces one flight: its bytes, or a trickle of them with the receiver called between pieces. */
interface Replacement {
  readonly direction: Direction;
  readonly flight: number;
  readonly bytes: Uint8Array;
  readonly trickle?: readonly number[];
}

class Run {
  readonly pair: ConnectionPair;
  readonly sides: Record<Side, SideState> = {
    client: { fatal: undefined, received: [], receivedBytes: 0, closed: false },
    server: { fatal: undefined, received: [], receivedBytes: 0, closed: false },
  };
  /** Each direction's flights as delivered (before any replacement). */
  readonly flights: Record<Direction, Uint8Array[]> = { up: [], down: [] };
  readonly problems: string[] = [];
  written: Record<Direction, number> = { up: 0, down: 0 };
  #replaced = false;

  constructor(
    readonly world: World,
    readonly replacement: Replacement | undefined,
    readonly recording: Record<Direction, readonly Uint8Array[]> | undefined,
  ) {
    this.pair = world.pair();
  }

  connection(side: Side): TLSConnection {
    return side === 'client' ? this.pair.client : this.pair.server;
  }

  /** Calls `action` on `side`, classifying what it throws. */
  step(side: Side, action: (run: Run, c: TLSConnection) => void): void {
    try {
      action(this, this.connection(side));
    } catch (error) {
      this.#observe(side, error);
    }
  }

  /** Reads until the connection throws (WantReadError at the latest); a read loop that never ends is a problem. */
  readAll(side: Side, connection: TLSConnection): void {
    const state = this.sides[side];
    for (let reads = 0; reads < 10_000; reads++) {
      const chunk = connection.read();
      if (chunk.length === 0) this.problems.push(`${side}: read() returned no bytes instead of throwing`);
      state.received.push(chunk.slice());
      state.receivedBytes += chunk.length;
    }
    this.problems.push(`${side}: read() kept returning data (10,000 reads)`);
  }

  #observe(side: Side, error: unknown): void {
    if (!isTLSError(error)) {
      this.problems.push(`${side}: a non-TLS error escaped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return;
    }
    if (WantReadError.isInstance(error) || WantWriteError.isInstance(error)) return;
    const state = this.sides[side];
    if (ZeroReturnError.isInstance(error)) {
      state.closed = true;
      return;
    }
    if (state.fatal !== undefined) {
      // RFC 8446 §6.2 and DESIGN.md §4: after a fatal error every call throws that same error.
      if (error !== state.fatal) this.problems.push(`${side}: a second, different error after ${describeError(state.fatal)}: ${describeError(error)}`);
      return;
    }
    state.fatal = error;
    const problem = checkFatal(error);
    if (problem !== undefined) this.problems.push(`${side}: ${problem}`);
  }

  /** Moves the pending bytes both ways, replacing the chosen flight. Returns how many bytes moved. */
  pump(): number {
    let moved = 0;
    for (const direction of ['up', 'down'] as const) {
      const [from, to, receiver] =
        direction === 'up'
          ? ([this.pair.clientOut, this.pair.serverIn, 'server'] as const)
          : ([this.pair.serverOut, this.pair.clientIn, 'client'] as const);
      const bytes = from.read();
      if (bytes.length === 0) continue;
      moved += bytes.length;
      this.written[direction] += bytes.length;
      const index = this.flights[direction].length;
      this.flights[direction].push(bytes);
      const replacement = this.replacement;
      if (!this.#replaced && this.recording !== undefined) {
        // Until the replaced flight, a replay must be the recording, byte for byte, or the fuzzer tests nothing.
        const recorded = this.recording[direction][index];
        if (recorded === undefined || !equalBytes(recorded, bytes)) {
          this.problems.push(`replay diverged from the recording before the mutation (${direction} flight ${index})`);
        }
      }
      if (replacement !== undefined && !this.#replaced && replacement.direction === direction && replacement.flight === index) {
        this.#replaced = true;
        if (replacement.trickle === undefined) {
          to.write(replacement.bytes);
        } else {
          let offset = 0;
          for (const size of replacement.trickle) {
            if (offset >= replacement.bytes.length) break;
            to.write(replacement.bytes.subarray(offset, offset + size));
            offset += size;
            this.#nudge(receiver);
          }
          if (offset < replacement.bytes.length) to.write(replacement.bytes.subarray(offset));
        }
        continue;
      }
      to.write(bytes);
    }
    return moved;
  }

  /** The receiver's natural call: finish the handshake, or read. */
  #nudge(side: Side): void {
    this.step(side, (run, c) => (c.handshakeComplete ? run.readAll(side, c) : c.doHandshake()));
  }

  /** Runs the script, then drives both sides until no byte moves. */
  execute(): void {
    for (const [side, action] of STEPS) {
      this.step(side, action);
      this.pump();
    }
    let quiet = 0;
    for (let round = 0; round < MAX_DRAIN_ROUNDS && quiet < 2; round++) {
      for (const side of ['client', 'server'] as const) this.#nudge(side);
      quiet = this.pump() === 0 ? quiet + 1 : 0;
    }
    if (quiet < 2) this.problems.push(`still moving bytes after ${MAX_DRAIN_ROUNDS} rounds (a livelock)`);
    const limit = this.world.clientContext.limits.maxBufferedPlaintext;
    for (const side of ['client', 'server'] as const) {
      if (this.connection(side).pending() > limit) this.problems.push(`${side} holds ${this.connection(side).pending()} bytes of plaintext`);
    }
  }

  received(side: Side): Uint8Array {
    return concat(...this.sides[side].received);
  }

  /** Both handshakes done, all data through, both closed, no error: the unmutated outcome. */
  get clean(): boolean {
    const { client, server } = this.sides;
    return (
      client.fatal === undefined &&
      server.fatal === undefined &&
      this.pair.client.handshakeComplete &&
      this.pair.server.handshakeComplete &&
      equalBytes(this.received('server'), SENT_ALL.client) &&
      equalBytes(this.received('client'), SENT_ALL.server) &&
      client.closed &&
      server.closed
    );
  }
}

function describeError(error: unknown): string {
  if (!isTLSError(error)) return String(error);
  return `${error.code}/${error.reason}${error.alert === undefined ? '' : `/${error.alert.name}`}: ${error.message}`;
}

/** What is wrong with a fatal error caused by peer input, or `undefined`. */
function checkFatal(error: TLSError): string | undefined {
  if (ProtocolError.isInstance(error)) {
    if (error.reason === 'INTERNAL_ERROR') {
      const cause = error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause);
      return `peer input ended in INTERNAL_ERROR (an exception inside the engine): ${cause}`;
    }
    if (error.fault !== 'remote') return `peer input ended in a local fault: ${describeError(error)}`;
    if (error.alert === undefined || !error.alert.sent) return `ProtocolError without an alert: ${describeError(error)}`;
    return undefined;
  }
  // (AlertError adds no member to TLSError: narrowing by it would leave `never`, hence the plain TLSError below.)
  const alert = (error as TLSError).alert;
  if (AlertError.isInstance(error)) return alert?.received === true ? undefined : `AlertError without a received alert`;
  if (CertVerificationError.isInstance(error)) return alert?.sent === true ? undefined : `CertVerificationError without an alert`;
  return `unexpected fatal error class: ${describeError(error)}`;
}

// ---- mutations ----

interface Flight {
  readonly direction: Direction;
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly logical: readonly Logical[];
  /** The first sequence number of each epoch in this flight. */
  readonly start: ReadonlyMap<number, number>;
  readonly tap: DirectionTap;
  /** True for the flights sent before the receiver completed its handshake. */
  readonly handshake: boolean;
  /** Epochs this direction goes on using in later flights: adding or removing a record there desynchronises them. */
  readonly laterEpochs: ReadonlySet<number>;
  /** The server answered this flight's ClientHello with a ServerHello, not a HelloRetryRequest (it changes keys). */
  readonly helloAnswered: boolean;
}

interface Mutation {
  readonly kind: string;
  readonly detail: string;
  readonly bytes: Uint8Array;
  readonly trickle?: readonly number[];
  /** What must come of it. */
  readonly expect: 'clean' | 'bad_record_mac' | 'any';
  /** Applied on the wire without keys: an attacker's change. */
  readonly wire: boolean;
  /** The bytes of the handshake messages differ from the original. */
  readonly handshakeChanged: boolean;
  /** The alert the receiver's first failure must carry, when the change determines it. */
  readonly expectAlert?: string;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const HANDSHAKE_TYPES = [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 21, 22, 24, 254, 255];

function handshakeBytes(records: readonly Logical[]): Uint8Array {
  return concat(...records.filter((r) => r.type === ContentType.handshake).map((r) => r.content));
}

/** A handshake message to inject: sometimes well formed, often not. */
function craftHandshake(rng: Rng): Uint8Array {
  switch (rng.below(7)) {
    case 0:
      return encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(rng.chance(0.5)));
    case 1:
      return encodeHandshake(
        HandshakeType.new_session_ticket,
        encodeNewSessionTicket13({ lifetime: rng.below(1000), ageAdd: rng.u32(), nonce: rng.bytes(rng.below(8)), ticket: rng.bytes(1 + rng.below(64)), extensions: [] }),
      );
    case 2:
      return encodeHandshake(
        HandshakeType.certificate_request,
        encodeCertificateRequest13({
          certificateRequestContext: rng.bytes(rng.below(2) * 8),
          extensions: [{ type: ExtensionType.signature_algorithms, data: encodeSignatureSchemes([0x0807, 0x0403]) }],
        }),
      );
    case 3:
      return encodeHandshake(HandshakeType.end_of_early_data, new Uint8Array(0));
    case 4:
      return encodeHandshake(HandshakeType.finished, rng.bytes(rng.pick([32, 48])));
    default:
      return encodeHandshake(rng.pick(HANDSHAKE_TYPES), rng.bytes(rng.below(48)));
  }
}

/** The offsets of the handshake message headers inside `content` (messages may continue past it). */
function messageStarts(content: Uint8Array): number[] {
  const starts: number[] = [];
  let pos = 0;
  while (pos + 4 <= content.length) {
    starts.push(pos);
    pos += 4 + ((content[pos + 1]! << 16) | (content[pos + 2]! << 8) | content[pos + 3]!);
  }
  return starts;
}

function withContent(record: Logical, content: Uint8Array): Logical {
  return { ...record, content };
}

/** Changes the flight's records as plaintext; the caller seals them again. */
/** An extensions block written as given: duplicates, empty data and unknown types included (RFC 8446 §4.2). */
function writeExtensionsRaw(w: ByteWriter, extensions: readonly Extension[]): void {
  w.vector16((block) => {
    for (const extension of extensions) {
      block.u16(extension.type);
      block.vector16((data) => data.bytes(extension.data));
    }
  });
}

const mutateExtensionsTypes = new Set<number>([
  HandshakeType.client_hello,
  HandshakeType.server_hello,
  HandshakeType.encrypted_extensions,
  HandshakeType.certificate,
]);
const EXTENSION_TYPES = [...Object.values(ExtensionType), 0x0a0a, 0xfe0d, 0x4469];

/** One change to an extensions list: drop, duplicate, swap, new data, an added extension known or not. */
function editExtensions(rng: Rng, extensions: readonly Extension[]): { extensions: Extension[]; detail: string } {
  const list = [...extensions];
  const i = rng.below(list.length);
  const target = list[i];
  const op = target === undefined ? 'add' : rng.pick(['drop', 'dup', 'swap', 'data', 'truncate', 'flip', 'add', 'add', 'empty']);
  switch (op) {
    case 'drop':
      list.splice(i, 1);
      return { extensions: list, detail: `drop ${target!.type}` };
    case 'dup':
      list.splice(rng.below(list.length + 1), 0, target!);
      return { extensions: list, detail: `duplicate ${target!.type}` };
    case 'swap': {
      const j = rng.below(list.length);
      list[i] = list[j]!;
      list[j] = target!;
      return { extensions: list, detail: `swap ${i} ${j}` };
    }
    case 'data':
      list[i] = { type: target!.type, data: rng.bytes(rng.below(12)) };
      return { extensions: list, detail: `random data for ${target!.type}` };
    case 'truncate':
      list[i] = { type: target!.type, data: target!.data.slice(0, rng.below(target!.data.length + 1)) };
      return { extensions: list, detail: `truncate ${target!.type} to ${list[i]!.data.length}` };
    case 'flip': {
      if (target!.data.length === 0) break;
      const data = target!.data.slice();
      const bit = rng.below(data.length * 8);
      data[bit >>> 3]! ^= 1 << (bit & 7);
      list[i] = { type: target!.type, data };
      return { extensions: list, detail: `flip bit ${bit} of ${target!.type}` };
    }
    case 'empty':
      list[i] = { type: target!.type, data: new Uint8Array(0) };
      return { extensions: list, detail: `empty ${target!.type}` };
    default:
      break;
  }
  const type = rng.chance(0.8) ? rng.pick(EXTENSION_TYPES) : rng.below(0x10000);
  list.splice(rng.below(list.length + 1), 0, { type, data: rng.bytes(rng.below(10)) });
  return { extensions: list, detail: `add ${type}` };
}

/** Rewrites the extensions of a ClientHello, ServerHello, EncryptedExtensions or Certificate (first entry). */
function mutateExtensions(rng: Rng, message: Uint8Array): { message: Uint8Array; detail: string } | undefined {
  const type = message[0]!;
  const body = message.subarray(4);
  const w = new ByteWriter();
  if (type === HandshakeType.client_hello) {
    const hello = decodeClientHello(body);
    const { extensions, detail } = editExtensions(rng, hello.extensions);
    w.u16(hello.legacyVersion).bytes(hello.random).vector8((v) => v.bytes(hello.legacySessionId));
    w.vector16((v) => hello.cipherSuites.forEach((suite) => v.u16(suite)));
    w.vector8((v) => hello.legacyCompressionMethods.forEach((method) => v.u8(method)));
    writeExtensionsRaw(w, extensions);
    return { message: encodeHandshake(type, w.finish()), detail: `ClientHello ${detail}` };
  }
  if (type === HandshakeType.server_hello) {
    const hello = decodeServerHello(body);
    const { extensions, detail } = editExtensions(rng, hello.extensions);
    w.u16(hello.legacyVersion).bytes(hello.random).vector8((v) => v.bytes(hello.legacySessionIdEcho));
    w.u16(hello.cipherSuite).u8(hello.legacyCompressionMethod);
    writeExtensionsRaw(w, extensions);
    return { message: encodeHandshake(type, w.finish()), detail: `ServerHello ${detail}` };
  }
  if (type === HandshakeType.encrypted_extensions) {
    const { extensions, detail } = editExtensions(rng, decodeEncryptedExtensions(body).extensions);
    writeExtensionsRaw(w, extensions);
    return { message: encodeHandshake(type, w.finish()), detail: `EncryptedExtensions ${detail}` };
  }
  if (type === HandshakeType.certificate) {
    const certificate = decodeCertificate13(body);
    const { extensions, detail } = editExtensions(rng, certificate.entries[0]?.extensions ?? []);
    w.vector8((v) => v.bytes(certificate.certificateRequestContext));
    w.vector24((list) =>
      certificate.entries.forEach((entry, i) => {
        list.vector24((v) => v.bytes(entry.certData));
        writeExtensionsRaw(list, i === 0 ? extensions : entry.extensions);
      }),
    );
    return { message: encodeHandshake(type, w.finish()), detail: `Certificate entry 0 ${detail}` };
  }
  return undefined;
}

interface PlaintextChange {
  kind: string;
  detail: string;
  records: Logical[];
  benign: boolean;
  expectAlert?: string;
}

/**
 * Whether the receiver changes its read keys right after the last message of `record` (RFC 8446 §7): after a
 * ClientHello answered by a ServerHello, a ServerHello that is not a HelloRetryRequest, a Finished, a KeyUpdate.
 */
function endsWithKeyChange(record: Logical, flight: Flight): boolean {
  if (record.type !== ContentType.handshake) return false;
  const starts = messageStarts(record.content);
  const last = starts.at(-1);
  if (last === undefined) return false;
  const type = record.content[last]!;
  if (type === HandshakeType.finished || type === HandshakeType.key_update) return true;
  if (type === HandshakeType.client_hello) return flight.helloAnswered;
  if (type === HandshakeType.server_hello) return !isHelloRetryRequestRandom(record.content.subarray(last + 6, last + 38));
  return false;
}

function mutatePlaintext(rng: Rng, flight: Flight, from: readonly Logical[] = flight.logical): PlaintextChange {
  const records = [...from];
  if (records.length === 0) return { kind: 'pt-reseal', detail: '(no record left)', records, benign: false };
  const indexes = (keep: (r: Logical, index: number) => boolean) => records.flatMap((r, index) => (keep(r, index) ? [index] : []));
  const handshakeRecords = indexes((r) => r.type === ContentType.handshake);
  const withExtensions = indexes((r) => r.type === ContentType.handshake && messageStarts(r.content).length === 1 && mutateExtensionsTypes.has(r.content[0]!));
  // A change that has something to work on in this flight (extensions and lengths need handshake messages).
  let kind: string;
  do {
    kind = rng.pick([
      'pt-bitflip', 'pt-bitflip', 'pt-byte', 'pt-nudge', 'pt-nudge', 'pt-truncate', 'pt-insert', 'pt-delete', 'pt-hslength', 'pt-hslength',
      'pt-type', 'pt-split', 'pt-merge', 'pt-dup', 'pt-drop', 'pt-swap', 'pt-pad', 'pt-empty', 'pt-inject', 'pt-inject', 'pt-append',
      'pt-alert', 'pt-reseal', 'pt-ext', 'pt-ext', 'pt-ext', 'pt-ext',
    ]);
  } while (
    (kind === 'pt-ext' && withExtensions.length === 0) ||
    ((kind === 'pt-hslength' || kind === 'pt-append') && handshakeRecords.length === 0)
  );
  // The record to change: one the change applies to, handshake records first (they reach the parsers).
  const candidates =
    kind === 'pt-hslength' || kind === 'pt-append'
      ? handshakeRecords
      : kind === 'pt-merge'
        ? indexes((r, index) => records[index + 1]?.epoch === r.epoch && records[index + 1]?.type === r.type)
        : kind === 'pt-pad'
          ? indexes((r) => r.epoch >= 0)
          : kind === 'pt-swap'
            ? indexes((_, index) => index + 1 < records.length)
            : handshakeRecords.length > 0 && rng.chance(0.75)
              ? handshakeRecords
              : indexes(() => true);
  const i = candidates.length > 0 ? rng.pick(candidates) : rng.below(records.length);
  const record = records[i]!;
  const { content } = record;
  const at = rng.below(content.length + 1);
  const where = `record ${i} (${record.epoch < 0 ? 'plain' : `epoch ${record.epoch}`} type ${record.type}, ${content.length} bytes)`;
  const change = (next: Uint8Array): void => void (records[i] = withContent(record, next));
  switch (kind) {
    case 'pt-bitflip': {
      if (content.length === 0) break;
      const bit = rng.below(content.length * 8);
      const next = content.slice();
      next[bit >>> 3]! ^= 1 << (bit & 7);
      change(next);
      return { kind, detail: `${where} bit ${bit}`, records, benign: false };
    }
    case 'pt-byte':
    case 'pt-nudge': {
      if (content.length === 0) break;
      const pos = rng.below(content.length);
      const next = content.slice();
      next[pos] = kind === 'pt-byte' ? rng.pick(INTERESTING) : (next[pos]! + rng.pick([1, -1, 2, -2])) & 0xff;
      change(next);
      return { kind, detail: `${where} byte ${pos} ${content[pos]} -> ${next[pos]}`, records, benign: false };
    }
    case 'pt-truncate':
      change(content.slice(0, Math.min(at, Math.max(0, content.length - 1))));
      return { kind, detail: `${where} to ${records[i]!.content.length}`, records, benign: false };
    case 'pt-insert': {
      const extra = rng.bytes(rng.between(1, 8));
      change(concat(content.subarray(0, at), extra, content.subarray(at)));
      return { kind, detail: `${where} ${extra.length} at ${at}`, records, benign: false };
    }
    case 'pt-delete': {
      const n = rng.between(1, 8);
      change(concat(content.subarray(0, at), content.subarray(at + n)));
      return { kind, detail: `${where} ${n} at ${at}`, records, benign: false };
    }
    case 'pt-hslength': {
      if (record.type !== ContentType.handshake) break;
      const starts = messageStarts(content);
      if (starts.length === 0) break;
      const start = rng.pick(starts);
      const length = (content[start + 1]! << 16) | (content[start + 2]! << 8) | content[start + 3]!;
      const value = rng.pick([length + 1, length - 1, 0, 0xffffff, 65536, rng.below(0x1000000), length + 4]) & 0xffffff;
      const next = content.slice();
      next[start + 1] = value >>> 16;
      next[start + 2] = (value >>> 8) & 0xff;
      next[start + 3] = value & 0xff;
      change(next);
      return { kind, detail: `${where} message at ${start} length ${length} -> ${value}`, records, benign: false };
    }
    case 'pt-type': {
      const type = rng.pick([0, 19, 20, 21, 22, 23, 24, 0x42].filter((t) => t !== record.type));
      records[i] = { ...record, type };
      // RFC 8446 §5: an unknown or misplaced content type is unexpected_message (a protected 0 only moves the type byte).
      const unexpected = type === 19 || type === 20 || type === 24 || type === 0x42 || (type === 0 && record.epoch < 0);
      return { kind, detail: `${where} type -> ${type}`, records, benign: false, ...(unexpected ? { expectAlert: 'unexpected_message' } : {}) };
    }
    case 'pt-split': {
      if (content.length < 2) break;
      const cut = rng.between(1, content.length - 1);
      records.splice(i, 1, withContent(record, content.slice(0, cut)), withContent(record, content.slice(cut)));
      const benign = record.type === ContentType.handshake || record.type === ContentType.application_data;
      return { kind, detail: `${where} at ${cut}`, records, benign };
    }
    case 'pt-merge': {
      const next = records[i + 1];
      if (next === undefined || next.epoch !== record.epoch || next.type !== record.type) break;
      const merged = concat(content, next.content);
      records.splice(i, 2, withContent(record, merged));
      const benign = (record.type === ContentType.handshake || record.type === ContentType.application_data) && merged.length <= 16384;
      return { kind, detail: `${where} with the next`, records, benign };
    }
    case 'pt-dup':
      records.splice(i, 0, record);
      return { kind, detail: where, records, benign: false };
    case 'pt-drop':
      records.splice(i, 1);
      return { kind, detail: where, records, benign: false };
    case 'pt-swap': {
      const next = records[i + 1];
      if (next === undefined) break;
      records.splice(i, 2, next, record);
      return { kind, detail: `${where} with the next`, records, benign: false };
    }
    case 'pt-pad': {
      if (record.epoch < 0) break;
      const padding = rng.pick([1, 7, 100, 16384 - content.length, 16385 - content.length]);
      records[i] = { ...record, padding: record.padding + Math.max(0, padding) };
      return { kind, detail: `${where} padding ${padding}`, records, benign: content.length + padding <= 16384 && padding >= 0 };
    }
    // Insertions go right before record i, under its keys: the receiver opens them in the state record i finds.
    case 'pt-empty': {
      const type = rng.pick([ContentType.handshake, ContentType.application_data, ContentType.alert, ContentType.change_cipher_spec]);
      records.splice(i, 0, { ...record, type, content: new Uint8Array(0), padding: 0 });
      // Empty application data is allowed once the receiver is in its traffic phase (counted, RFC 8446 §5.4); any
      // other empty record is unexpected_message (RFC 8446 §5.1, §5). An unprotected application_data record may
      // reach a receiver that already has keys, which can only take it for a forgery: no oracle for that one.
      const allowed = type === ContentType.application_data && record.epoch >= 1;
      const determined = !(type === ContentType.application_data && record.epoch < 0);
      return {
        kind,
        detail: `empty type ${type} before ${where}`,
        records,
        benign: allowed,
        ...(allowed || !determined ? {} : { expectAlert: 'unexpected_message' }),
      };
    }
    case 'pt-inject': {
      const injected = craftHandshake(rng);
      records.splice(i, 0, { ...record, type: ContentType.handshake, content: injected, padding: 0 });
      return { kind, detail: `message type ${injected[0]} (${injected.length} bytes) before ${where}`, records, benign: false };
    }
    case 'pt-append': {
      if (record.type !== ContentType.handshake) break;
      const injected = craftHandshake(rng);
      change(concat(content, injected));
      // RFC 8446 §5.1: a message before a key change must end its record, else unexpected_message.
      const boundary = endsWithKeyChange(record, flight);
      return { kind, detail: `message type ${injected[0]} after ${where}`, records, benign: false, ...(boundary ? { expectAlert: 'unexpected_message' } : {}) };
    }
    case 'pt-alert': {
      const level = rng.pick([1, 2, 3]);
      const description = rng.pick([0, 10, 20, 40, 50, 90, 90, 120, 255]);
      records.splice(i, 0, { ...record, type: ContentType.alert, content: new Uint8Array([level, description]), padding: 0 });
      // RFC 5246 §7.2 levels; RFC 8446 §6: every alert but close_notify and user_canceled ends the connection.
      const expectAlert = level === 3 ? 'illegal_parameter' : description === 0 || description === 90 ? undefined : alertName(description);
      return { kind, detail: `alert ${level}/${description} before ${where}`, records, benign: false, ...(expectAlert === undefined ? {} : { expectAlert }) };
    }
    case 'pt-ext': {
      if (withExtensions.length === 0) break;
      const index = rng.pick(withExtensions);
      let changed: { message: Uint8Array; detail: string } | undefined;
      try {
        changed = mutateExtensions(rng, records[index]!.content);
      } catch {
        changed = undefined; // an earlier stacked change left the message unparseable
      }
      if (changed === undefined) break;
      records[index] = withContent(records[index]!, changed.message);
      return { kind, detail: `record ${index}: ${changed.detail}`, records, benign: false };
    }
    default:
      break;
  }
  // 'pt-reseal', and any choice that did not apply: the flight as it was, sealed again.
  return { kind: 'pt-reseal', detail: `(${kind} fell back)`, records, benign: true };
}

/** Changes the flight's bytes on the wire, without keys. */
function mutateWire(rng: Rng, flight: Flight): Mutation {
  const bytes = flight.bytes;
  const records = parseRecords(bytes);
  const k = rng.below(records.length);
  const record = records[k]!;
  const rebuild = (list: readonly WireRecord[]) => concat(...list.map((r) => frame(r.type, r.fragment, r.version)));
  const protectedIndexes = records.flatMap((r, i) => (r.type === ContentType.application_data ? [i] : []));
  const kind = rng.pick([
    'bitflip', 'byte', 'truncate', 'insert', 'delete', 'rec-length', 'rec-length', 'rec-type', 'rec-version', 'rec-dup', 'rec-drop',
    'rec-swap', 'ciphertext', 'ciphertext', 'ciphertext', 'trickle', 'trickle',
  ]);
  const base = { wire: true, handshakeChanged: false };
  const at = rng.below(bytes.length);
  switch (kind) {
    case 'bitflip': {
      const next = bytes.slice();
      next[at]! ^= 1 << rng.below(8);
      return { ...base, kind, detail: `byte ${at}`, bytes: next, expect: 'any' };
    }
    case 'byte': {
      const next = bytes.slice();
      next[at] = rng.pick(INTERESTING);
      return { ...base, kind, detail: `byte ${at} -> ${next[at]}`, bytes: next, expect: 'any' };
    }
    case 'truncate':
      return { ...base, kind, detail: `to ${at}`, bytes: bytes.slice(0, at), expect: 'any' };
    case 'insert': {
      const extra = rng.bytes(rng.between(1, 16));
      return { ...base, kind, detail: `${extra.length} at ${at}`, bytes: concat(bytes.subarray(0, at), extra, bytes.subarray(at)), expect: 'any' };
    }
    case 'delete': {
      const n = rng.between(1, 16);
      return { ...base, kind, detail: `${n} at ${at}`, bytes: concat(bytes.subarray(0, at), bytes.subarray(at + n)), expect: 'any' };
    }
    case 'rec-length': {
      const length = record.fragment.length;
      const value = rng.pick([length + 1, length - 1, 0, 0xffff, 16384, 16385, 16640, 16641, 18432, 18433, rng.below(0x10000)]) & 0xffff;
      const offset = records.slice(0, k).reduce((sum, r) => sum + 5 + r.fragment.length, 0);
      const next = bytes.slice();
      next[offset + 3] = value >>> 8;
      next[offset + 4] = value & 0xff;
      return { ...base, kind, detail: `record ${k} length ${length} -> ${value}`, bytes: next, expect: 'any' };
    }
    case 'rec-type': {
      const type = rng.pick([0, 19, 20, 21, 22, 23, 24, 0xff].filter((t) => t !== record.type));
      return { ...base, kind, detail: `record ${k} type -> ${type}`, bytes: rebuild(records.map((r, i) => (i === k ? { ...r, type } : r))), expect: 'any' };
    }
    case 'rec-version': {
      const version = rng.pick([0x0301, 0x0302, 0x0304, 0x0300, 0x0203, 0xffff, 0x0000]);
      return { ...base, kind, detail: `record ${k} version -> ${version}`, bytes: rebuild(records.map((r, i) => (i === k ? { ...r, version } : r))), expect: 'any' };
    }
    case 'rec-dup':
      return { ...base, kind, detail: `record ${k}`, bytes: rebuild([...records.slice(0, k + 1), record, ...records.slice(k + 1)]), expect: 'any' };
    case 'rec-drop':
      return { ...base, kind, detail: `record ${k}`, bytes: rebuild(records.filter((_, i) => i !== k)), expect: 'any' };
    case 'rec-swap': {
      if (k + 1 >= records.length) break;
      return { ...base, kind, detail: `records ${k}, ${k + 1}`, bytes: rebuild([...records.slice(0, k), records[k + 1]!, record, ...records.slice(k + 2)]), expect: 'any' };
    }
    case 'ciphertext': {
      if (protectedIndexes.length === 0) break;
      const target = rng.pick(protectedIndexes);
      const fragment = records[target]!.fragment.slice();
      const bit = rng.below(fragment.length * 8);
      fragment[bit >>> 3]! ^= 1 << (bit & 7);
      // RFC 8446 §5.2: any change to a protected record fails authentication.
      return {
        ...base,
        kind,
        detail: `record ${target} bit ${bit}`,
        bytes: rebuild(records.map((r, i) => (i === target ? { ...r, fragment } : r))),
        expect: 'bad_record_mac',
      };
    }
    case 'trickle': {
      const sizes = Array.from({ length: 64 }, () => rng.pick([1, 1, 2, 3, 5, 7, 13, 64, 300]));
      return { ...base, kind, detail: `in pieces of ${sizes.slice(0, 8).join(',')}…`, bytes, trickle: sizes, expect: 'clean' };
    }
    default:
      break;
  }
  return { ...base, kind: 'identity', detail: `(${kind} fell back)`, bytes, expect: 'clean' };
}

function mutate(rng: Rng, flight: Flight): Mutation {
  if (rng.chance(0.35)) return mutateWire(rng, flight);
  if (rng.chance(0.15)) {
    // Several changes stacked on one flight: deeper states, no oracle but the general ones.
    let records: readonly Logical[] = flight.logical;
    const details: string[] = [];
    for (let n = rng.between(2, 4); n > 0; n--) {
      const change = mutatePlaintext(rng, flight, records);
      records = change.records;
      details.push(`${change.kind} ${change.detail}`);
    }
    return {
      kind: 'pt-stack',
      detail: details.join(' + '),
      bytes: flight.tap.encode(records, flight.start),
      expect: 'any',
      wire: false,
      handshakeChanged: !equalBytes(handshakeBytes(records), handshakeBytes(flight.logical)),
    };
  }
  const { kind, detail, records, benign, expectAlert } = mutatePlaintext(rng, flight);
  // A record more or fewer in an epoch that goes on shifts the sender's later sequence numbers: no longer harmless.
  const counts = (list: readonly Logical[], epoch: number) => list.filter((r) => r.epoch === epoch).length;
  const shifted = [...flight.laterEpochs].some((epoch) => counts(records, epoch) !== counts(flight.logical, epoch));
  return {
    kind,
    detail,
    bytes: flight.tap.encode(records, flight.start),
    expect: benign && !shifted ? 'clean' : 'any',
    wire: false,
    handshakeChanged: !equalBytes(handshakeBytes(records), handshakeBytes(flight.logical)),
    ...(expectAlert === undefined ? {} : { expectAlert }),
  };
}

// ---- recording and checking ----

interface Recording {
  readonly world: World;
  readonly flights: Record<Direction, readonly Uint8Array[]>;
  readonly decoded: readonly Flight[];
}

function record(factory: ProviderFactory, scenario: Scenario): Recording {
  const world = new World(factory, scenario);
  const run = new Run(world, undefined, undefined);
  run.execute();
  if (!run.clean || run.problems.length > 0) throw new Error(`${scenario.name}: the unmutated scenario does not run cleanly: ${run.problems.join('; ')}`);
  // The resumption scenario really resumes (else it would fuzz a full handshake twice).
  if (run.pair.client.sessionReused !== (scenario.resume === true) || run.pair.server.sessionReused !== (scenario.resume === true)) {
    throw new Error(`${scenario.name}: sessionReused is not ${scenario.resume === true}`);
  }
  const suite = suiteByName(run.pair.client.cipher()![0])!;
  const keylog = world.keylog;
  const provider = world.clientProvider.provider;
  const taps = { up: new DirectionTap(provider, suite, 'CLIENT', keylog), down: new DirectionTap(provider, suite, 'SERVER', keylog) };
  const decoded: Flight[] = [];
  // The client flight whose ClientHello the server answered with a ServerHello: the first, or the second after a
  // HelloRetryRequest.
  const firstServerHello = parseRecords(run.flights.down[0]!)[0]!.fragment;
  const firstAnswer = isHelloRetryRequestRandom(firstServerHello.subarray(6, 38)) ? 1 : 0;
  for (const direction of ['up', 'down'] as const) {
    let handshake = true;
    const logicals = run.flights[direction].map((bytes) => taps[direction].decode(bytes));
    run.flights[direction].forEach((bytes, index) => {
      const logical = logicals[index]!;
      const start = new Map<number, number>();
      for (const r of logical) if (r.epoch >= 0 && !start.has(r.epoch)) start.set(r.epoch, r.seq);
      const laterEpochs = new Set(logicals.slice(index + 1).flatMap((later) => later.map((r) => r.epoch)));
      const helloAnswered = direction === 'up' && index === firstAnswer;
      decoded.push({ direction, index, bytes, logical, start, tap: taps[direction], handshake, laterEpochs, helloAnswered });
      // The sender's Finished ends the flights that the receiver's handshake depends on.
      if (logical.some((r) => r.type === ContentType.handshake && r.epoch === 0 && messageStarts(r.content).some((s) => r.content[s] === HandshakeType.finished))) {
        handshake = false;
      }
    });
  }
  return { world, flights: run.flights, decoded };
}

/** Runs one mutated replay and returns what went wrong with it (empty when nothing). */
function fuzzOnce(recording: Recording, rng: Rng): { description: string; problems: string[]; checked: string[] } {
  const flight = rng.pick(recording.decoded);
  const mutation = mutate(rng, flight);
  const sender: Side = flight.direction === 'up' ? 'client' : 'server';
  const receiver: Side = sender === 'client' ? 'server' : 'client';
  const description = `${flight.direction} flight ${flight.index}: ${mutation.kind} ${mutation.detail}`;
  const run = new Run(
    recording.world,
    { direction: flight.direction, flight: flight.index, bytes: mutation.bytes, ...(mutation.trickle === undefined ? {} : { trickle: mutation.trickle }) },
    recording.flights,
  );
  run.execute();
  const problems = [...run.problems];
  /** The specific checks this iteration applied (the test makes sure each one runs). */
  const checked: string[] = [];
  const sent = run.sides[receiver].fatal;
  const got = run.sides[sender].fatal;
  // The sender's direction is untouched: an alert it receives was sent by the receiver, and must be that one.
  if (got !== undefined && AlertError.isInstance(got)) {
    checked.push('alert-origin');
    if (sent?.alert?.sent !== true || sent.alert.name !== got.alert?.name) {
      problems.push(`${sender} received ${got.alert?.name} but ${receiver} sent ${sent === undefined ? 'nothing' : describeError(sent)}`);
    }
  }
  // With the transcript untouched both sides hold the same keys, so the receiver's alert must reach the sender as
  // that alert (RFC 8446 §6.2), unless the sender had already taken the receiver's close_notify.
  if (!mutation.wire && !mutation.handshakeChanged && sent?.alert?.sent === true && !run.sides[sender].closed) {
    checked.push('alert-delivery');
    if (!(got !== undefined && AlertError.isInstance(got) && got.alert?.name === sent.alert.name)) {
      problems.push(`${receiver} sent ${sent.alert.name} (${sent.reason}), but ${sender} ended with ${got === undefined ? 'no error' : describeError(got)}`);
    }
  }
  if (mutation.expect !== 'any') checked.push(mutation.expect);
  if (mutation.expect === 'bad_record_mac' && !(ProtocolError.isInstance(sent) && sent.reason === 'BAD_RECORD_MAC')) {
    problems.push(`a changed ciphertext must fail with BAD_RECORD_MAC; ${receiver} got ${sent === undefined ? 'no error' : describeError(sent)}`);
  }
  if (mutation.expectAlert !== undefined) checked.push('expected-alert');
  if (mutation.expectAlert !== undefined && sent?.alert?.name !== mutation.expectAlert) {
    problems.push(`${receiver} must fail with ${mutation.expectAlert}; it got ${sent === undefined ? 'no error' : describeError(sent)}`);
  }
  if (mutation.expect === 'clean' && !run.clean) {
    const state = (side: Side) =>
      `${side}: ${run.sides[side].fatal === undefined ? 'ok' : describeError(run.sides[side].fatal)}, complete ${run.connection(side).handshakeComplete}, ` +
      `read ${run.sides[side].receivedBytes}, closed ${run.sides[side].closed}`;
    problems.push(`a harmless change altered the outcome (${state('client')}; ${state('server')})`);
  }
  if (mutation.wire) {
    checked.push('wire-integrity');
    // Without the keys nothing can change what the application reads, only cut it short.
    for (const side of ['client', 'server'] as const) {
      const other: Side = side === 'client' ? 'server' : 'client';
      const data = run.received(side);
      if (!equalBytes(data, SENT_ALL[other].subarray(0, data.length))) problems.push(`${side} read data that ${other} never sent`);
    }
  }
  if (mutation.handshakeChanged && flight.handshake) {
    checked.push('transcript-integrity');
    const both = run.pair.client.handshakeComplete && run.pair.server.handshakeComplete;
    if (both && run.sides.client.fatal === undefined && run.sides.server.fatal === undefined) {
      problems.push('handshake messages were changed, yet both handshakes completed without an error (the transcripts should differ)');
    }
  }
  // Output stays proportional: nothing a peer sends makes a side write without bound.
  for (const direction of ['up', 'down'] as const) {
    const original = recording.flights[direction].reduce((sum, f) => sum + f.length, 0);
    if (run.written[direction] > 2 * original + 65536) problems.push(`${direction} wrote ${run.written[direction]} bytes (the scenario writes ${original})`);
  }
  return { description, problems, checked };
}

// ---- the tests ----

describe.each(providers)('TLS 1.3 engine fuzzing, %s provider', (providerName, factory) => {
  const iterations = ITERATIONS ?? DEFAULT_ITERATIONS[providerName] ?? 40;

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('replays the %s scenario byte for byte (the fuzzer depends on it)', (_name, scenario) => {
    const first = record(factory, scenario);
    const second = record(factory, scenario);
    expect(second.flights).toEqual(first.flights);
    expect(first.decoded.length).toBeGreaterThanOrEqual(8);
    // Every record of every flight was opened: the taps follow the keys through Finished and the KeyUpdate.
    expect(first.decoded.flatMap((f) => f.logical).filter((r) => r.epoch >= 2).length).toBeGreaterThan(0);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))('survives mutated flights of the %s scenario', (name, scenario) => {
    const recording = record(factory, scenario);
    const failures: string[] = [];
    /** Failures grouped by what went wrong (numbers blanked), each with a count and the first iteration to replay. */
    const groups = new Map<string, { count: number; first: string }>();
    const kinds = new Map<string, number>();
    const checks = new Map<string, number>();
    const range = ONLY === undefined ? Array.from({ length: iterations }, (_, i) => i) : [ONLY];
    for (const i of range) {
      const seed = iterationSeed(SEED, `${providerName}/${name}`, i);
      const { description, problems, checked } = fuzzOnce(recording, new Rng(seed));
      for (const check of checked) checks.set(check, (checks.get(check) ?? 0) + 1);
      const kind = description.split(': ')[1]!.split(' ')[0]!;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (VERBOSE) console.log(`[fuzz ${providerName}/${name} #${i}] ${description} -> ${problems.length === 0 ? 'ok' : problems.join(' | ')}`);
      if (problems.length > 0) {
        const failure = `#${i} ${description}\n    ${problems.join('\n    ')}\n    replay: FUZZ_SEED=${SEED} FUZZ_ONLY=${i} (provider ${providerName}, scenario ${name})`;
        failures.push(failure);
        for (const problem of problems) {
          const signature = `${kind}: ${problem.replace(/\d+/g, 'N').slice(0, 160)}`;
          const group = groups.get(signature);
          if (group === undefined) groups.set(signature, { count: 1, first: failure });
          else group.count++;
        }
      }
    }
    if (failures.length > 0) {
      const summary = [...groups].map(([signature, { count, first }]) => `[${count}x] ${signature}\n  first: ${first}`).join('\n');
      console.error(`engine fuzz: ${failures.length} of ${range.length} iterations failed (seed ${SEED}), by kind of failure:\n${summary}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    if (ONLY === undefined && range.length >= 300) {
      // Enough of the kinds ran to mean something: plaintext and wire changes, and the harmless controls.
      for (const kind of ['ciphertext', 'pt-inject', 'pt-bitflip', 'pt-ext', 'pt-stack', 'trickle']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
      // Each specific check had cases to judge: none of them is vacuous.
      for (const check of ['alert-origin', 'alert-delivery', 'clean', 'bad_record_mac', 'expected-alert', 'wire-integrity', 'transcript-integrity']) {
        expect(checks.get(check) ?? 0, check).toBeGreaterThan(0);
      }
      if (VERBOSE) console.log(`[fuzz ${providerName}/${name}] kinds ${JSON.stringify([...kinds])} checks ${JSON.stringify([...checks])}`);
    }
  });
});

// ---- what a peer can make a connection hold ----

describe('retained memory under adversarial input', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const provider = providers[0]![1]();

  function heapAfterGc(): number {
    gc();
    gc();
    return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  }

  /** Average bytes each of `count` servers holds after `feed`, above servers that were fed nothing. */
  function retainedPerServer(count: number, feed: (server: TLSConnection, incoming: MemoryBIO) => void): number {
    const context = new TLSContext('server', { provider });
    context.loadCertChain(pki('server-ed25519.pem'), pki('server-ed25519.key'));
    const make = () => {
      const incoming = new MemoryBIO();
      return { incoming, server: context.wrapBio(incoming, new MemoryBIO()) };
    };
    const before = heapAfterGc();
    const idle = Array.from({ length: count }, make);
    const afterIdle = heapAfterGc();
    const fed = Array.from({ length: count }, make);
    for (const { server, incoming } of fed) feed(server, incoming);
    const afterFed = heapAfterGc();
    expect(idle.length + fed.length).toBe(2 * count); // both sets stay reachable until measured
    return (afterFed - afterIdle - (afterIdle - before)) / count;
  }

  const drive = (server: TLSConnection) => {
    try {
      server.doHandshake();
    } catch (error) {
      if (!WantReadError.isInstance(error)) throw error;
    }
  };

  it('holds a partial handshake message only up to limits.maxHandshakeMessageSize', () => {
    const limit = 65536;
    const perServer = retainedPerServer(40, (server, incoming) => {
      // A ClientHello header announcing the largest allowed body, then 3 records of it: the rest never comes.
      const body = new Uint8Array(3 * 16380);
      const message = concat(new Uint8Array([HandshakeType.client_hello, limit >>> 16, (limit >>> 8) & 0xff, limit & 0xff]), body);
      for (let offset = 0; offset < message.length; offset += 16384) incoming.write(frame(ContentType.handshake, message.subarray(offset, offset + 16384), 0x0301));
      drive(server);
    });
    expect(perServer).toBeLessThan(limit + 4 + 48 * 1024);
  });

  it('holds at most one partial record of bytes trickled a few at a time', () => {
    const perServer = retainedPerServer(40, (server, incoming) => {
      // 16 KiB of a record's body arrives in 7-byte pieces, each followed by a call: one staging buffer per 4 KiB.
      const record = frame(ContentType.handshake, new Uint8Array(16384), 0x0301);
      for (let offset = 0; offset < record.length - 1; offset += 7) {
        incoming.write(record.subarray(offset, Math.min(offset + 7, record.length - 1)));
        drive(server);
      }
    });
    expect(perServer).toBeLessThan(2 * 16384 + 16 * 1024);
  });
});
