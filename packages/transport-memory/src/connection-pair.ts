import { MemoryBIO, type TLSConnection, type TLSContext, type TLSSession } from '@tlsbio/core';
import { WantReadError, WantWriteError } from '@tlsbio/errors';
import { Wire, cutter, faultsFrom, generator, type Fault, type Fragmentation, type Side, type WireSink } from './wire.js';

/** The faults a {@link ConnectionPair} can apply: those that need no clock and no transport error. */
export type PairFault = Fault & { readonly type: 'close' | 'truncate' | 'flip' };

/** Options of {@link ConnectionPair}. */
export interface ConnectionPairOptions {
  /** The client's `serverHostname`. Default `'localhost'`. */
  readonly serverHostname?: string;
  /** A session for the client to resume (`wrapBio`'s `session`). */
  readonly session?: TLSSession;
  /** Limits of the outgoing BIOs (for `WantWriteError` tests). Default: none. */
  readonly clientOutLimit?: number;
  readonly serverOutLimit?: number;
  /**
   * Cut what each side sends at seeded random points, as {@link createPair} does. {@link ConnectionPair.handshake}
   * and {@link ConnectionPair.send} then hand the peer one piece at a time, letting the engine run between pieces
   * (records and handshake messages arrive in parts); {@link ConnectionPair.transfer} still moves everything.
   */
  readonly fragment?: Fragmentation;
  /** Seed of the cut points and flipped bits. Default 1. */
  readonly seed?: number;
  /** Faults at byte offsets of what one side sends (`close`, `truncate`, `flip`; see {@link Fault}). */
  readonly faults?: readonly PairFault[];
}

/** One direction between two MemoryBIOs: the sender's outgoing BIO, the wire, pieces waiting, the receiver's BIO. */
class Direction implements WireSink {
  readonly #waiting: Uint8Array[] = [];
  #head = 0;
  /** The receiver sees the end once the pieces before it are delivered. */
  #ending = false;
  #ended = false;

  constructor(
    readonly from: MemoryBIO,
    readonly to: MemoryBIO,
    readonly wire: Wire,
    readonly onDrop: () => void,
  ) {}

  /** Takes what the sender's BIO holds onto the wire; returns how many bytes that was. */
  take(): number {
    const bytes = this.from.read();
    if (bytes.length > 0 && !this.#ending) this.wire.carry(bytes, this);
    return bytes.length;
  }

  /** Hands the receiver at most `limit` pieces (and the end, when it is next); returns how many bytes went. */
  hand(limit: number): number {
    let moved = 0;
    for (let count = 0; count < limit && this.#head < this.#waiting.length; count++) {
      const piece = this.#waiting[this.#head++]!;
      this.to.write(piece);
      moved += piece.length;
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
      if (this.#ending && !this.#ended) {
        this.#ended = true;
        this.to.writeEof();
      }
    }
    return moved;
  }

  /** Ends this direction after what it carried so far (a FIN); later bytes go nowhere. */
  end(): void {
    this.#ending = true;
    this.wire.swallowing = true;
    this.hand(0);
  }

  /** @internal (WireSink) */
  deliver(piece: Uint8Array): void {
    this.#waiting.push(piece);
  }

  /** @internal (WireSink) */
  stall(): void {
    throw new RangeError('a stall needs a clock: use createPair() and the async driver');
  }

  /** @internal (WireSink) */
  drop(): void {
    this.onDrop();
  }
}

/**
 * A client and a server `TLSConnection` joined in memory, sans I/O (h11's `ConnectionPair`): the engine's own test
 * harness. Bytes go from one side's outgoing MemoryBIO to the other's incoming one through the same seeded
 * fragmentation and fault injection as {@link createPair}, synchronously: a test drives both engines step by step
 * and sees every intermediate state. `@tlsbio/core`'s protocol tests run over it, once per crypto provider (see the
 * README).
 *
 * @example
 * const pair = new ConnectionPair(clientContext, serverContext, { fragment: 300, seed: 7 });
 * pair.handshake(); // records arrive in pieces of 1 to 300 bytes, the engines running between pieces
 * expect(pair.send('client', bytes)).toEqual(bytes);
 *
 * @throws {RangeError} for a `reset` or `stall` fault (they need a transport and a clock: use {@link createPair}),
 *   a bad fragment size or fault offset.
 * @throws what `context.wrapBio()` throws.
 */
export class ConnectionPair {
  readonly clientIn = new MemoryBIO();
  readonly clientOut: MemoryBIO;
  readonly serverIn = new MemoryBIO();
  readonly serverOut: MemoryBIO;
  readonly client: TLSConnection;
  readonly server: TLSConnection;
  /** Bytes each side sent (taken from its outgoing BIO, before faults). */
  clientToServer = 0;
  serverToClient = 0;
  readonly #up: Direction;
  readonly #down: Direction;
  readonly #piecewise: boolean;

  constructor(clientContext: TLSContext, serverContext: TLSContext, options: ConnectionPairOptions = {}) {
    const faults = options.faults ?? [];
    for (const fault of faults as readonly Fault[]) {
      if (fault.type === 'reset' || fault.type === 'stall') throw new RangeError(`a ${fault.type} fault needs a transport: use createPair()`);
    }
    const random = generator(options.seed ?? 1);
    const cut = cutter(options.fragment, random);
    this.#piecewise = cut !== undefined;
    this.clientOut = new MemoryBIO(options.clientOutLimit === undefined ? {} : { limit: options.clientOutLimit });
    this.serverOut = new MemoryBIO(options.serverOutLimit === undefined ? {} : { limit: options.serverOutLimit });
    const wire = (from: Side) => new Wire(faultsFrom(faults, from), cut, random);
    // A `close` fault drops the connection: each direction ends after what it already carried.
    const drop = () => {
      this.#up.end();
      this.#down.end();
    };
    this.#up = new Direction(this.clientOut, this.serverIn, wire('client'), drop);
    this.#down = new Direction(this.serverOut, this.clientIn, wire('server'), drop);
    const serverHostname = options.serverHostname ?? 'localhost';
    this.client = clientContext.wrapBio(this.clientIn, this.clientOut, options.session === undefined ? { serverHostname } : { serverHostname, session: options.session });
    this.server = serverContext.wrapBio(this.serverIn, this.serverOut);
  }

  /** Moves every pending byte across, both ways. Returns how many bytes reached the peers' incoming BIOs. */
  transfer(): number {
    return this.#move(Infinity).delivered;
  }

  /**
   * One step of {@link handshake} and {@link send}: when fragmenting, takes what both sides sent onto the wires and
   * hands each peer one piece; otherwise {@link transfer} (which a subclass may override to watch the bytes). Returns
   * a measure of progress: 0 when nothing was taken or delivered.
   */
  step(): number {
    if (!this.#piecewise) return this.transfer();
    const { taken, delivered } = this.#move(1);
    return taken + delivered;
  }

  /** Ends `from`'s direction after what it sent (a FIN without close_notify): the peer's incoming BIO sees EOF. */
  close(from: Side): void {
    (from === 'client' ? this.#up : this.#down).end();
  }

  /**
   * Runs both handshakes to completion, stepping piece by piece when fragmenting. The first error that is not flow
   * control is thrown after every byte (the alert) has moved across, so the other side's view can be checked.
   * @throws {Error} when neither side can make progress any more.
   */
  handshake(): void {
    let clientDone = false;
    let serverDone = false;
    for (let idle = 0; !(clientDone && serverDone); ) {
      let moved = 0;
      let failed = true;
      try {
        clientDone = clientDone || attempt(() => this.client.doHandshake());
        moved += this.step();
        serverDone = serverDone || attempt(() => this.server.doHandshake());
        failed = false;
      } finally {
        moved += failed ? this.transfer() : this.step();
      }
      idle = moved === 0 ? idle + 1 : 0;
      if (idle > 2) throw new Error('handshake stalled: neither side has anything to send or to process');
    }
    // What is still in flight (a TLS 1.3 server's NewSessionTickets) arrives whole: a test that then feeds a record
    // of its own must not find it appended to half a record.
    this.transfer();
  }

  /** Writes `data` on one side and reads it all on the other, stepping piece by piece when fragmenting. */
  send(from: Side, data: Uint8Array): Uint8Array {
    const [writer, reader] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    writer.write(data);
    const chunks: Uint8Array[] = [];
    let received = 0;
    while (received < data.length) {
      const moved = this.step();
      const chunk = readOrNull(reader);
      if (chunk === null) {
        if (moved === 0 && this.step() === 0) break;
        continue;
      }
      chunks.push(chunk);
      received += chunk.length;
    }
    const out = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  #move(pieces: number): { taken: number; delivered: number } {
    const sent = this.#up.take();
    const received = this.#down.take();
    this.clientToServer += sent;
    this.serverToClient += received;
    return { taken: sent + received, delivered: this.#up.hand(pieces) + this.#down.hand(pieces) };
  }
}

/** Runs a step; `true` when it completed, `false` when it needs the peer. */
function attempt(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (WantReadError.isInstance(error) || WantWriteError.isInstance(error)) return false;
    throw error;
  }
}

/** `read()`, or `null` when no data is available yet. */
function readOrNull(connection: TLSConnection, n?: number): Uint8Array | null {
  try {
    return connection.read(n);
  } catch (error) {
    if (WantReadError.isInstance(error)) return null;
    throw error;
  }
}
