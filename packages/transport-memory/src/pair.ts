import type { Transport, TransportInfo } from '@tlsbio/core';
import { Wire, cutter, faultsFrom, generator, type Fault, type Fragmentation, type Side, type WireSink } from './wire.js';

export type { Fault, Fragmentation, Side };

/** Options of {@link createPair}. */
export interface PairOptions {
  /**
   * Cut every write into pieces at seeded random points, each read then returning one piece: `true` for pieces of
   * 1 to 1,500 bytes, a number for pieces of 1 to that many, or `{ min, max }`.
   */
  readonly fragment?: Fragmentation;
  /** Every piece becomes readable this many milliseconds after its write (one-way latency). Default 0. */
  readonly delayMs?: number;
  /** Seed of the pseudo-random cut points and flip bits: the same seed gives the same pieces. Default 1. */
  readonly seed?: number;
  /** Faults to inject, each at a byte offset of one direction. */
  readonly faults?: readonly Fault[];
  /**
   * Bytes one direction holds unread before `write()` stops resolving (backpressure: the writer waits until the
   * reader took enough). Default 64 KiB; `Infinity` for writes that never wait.
   */
  readonly highWaterMark?: number;
}

/** A transport of a pair, with counters for tests. */
export interface MemoryTransport extends Transport {
  /** Bytes this side wrote (before faults). */
  readonly bytesWritten: number;
  /** Bytes this side read. */
  readonly bytesRead: number;
  /** The most bytes that ever waited unread in this side's outgoing direction. */
  readonly peakBuffered: number;
}

type Piece = { readonly bytes: Uint8Array; readonly due: number } | { readonly end: true; readonly due: number } | { readonly error: Error; readonly due: number };

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** One direction: what one side writes, in order, with its faults, for the other side to read. */
class Channel implements WireSink {
  readonly #pieces: Piece[] = [];
  readonly #blocked: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #reader: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bytes queued and not yet read. */
  #buffered = 0;
  peak = 0;
  read = 0;
  /** The writer closed its side. */
  #ended = false;
  /** Writes fail with this (the connection dropped). */
  #broken: Error | undefined;
  /** Nothing is delivered before this time (a stall). */
  #stalledUntil = 0;
  /** Called when a fault drops the whole connection. */
  onDrop: (error: Error | undefined) => void = () => {};

  constructor(
    readonly wire: Wire,
    readonly delayMs: number,
    readonly highWaterMark: number,
  ) {}

  get written(): number {
    return this.wire.written;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    // After a truncation (or a dropped connection) the wire counts the bytes and lets them vanish.
    if (!this.wire.swallowing && this.#ended) return Promise.reject(systemError('EPIPE', 'write after close'));
    if (!this.wire.carry(bytes, this) || this.wire.swallowing) return Promise.resolve();
    if (this.#buffered <= this.highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#blocked.push({ resolve, reject }));
  }

  /** @internal (WireSink) */
  deliver(piece: Uint8Array): void {
    const due = Math.max(this.delayMs > 0 ? Date.now() + this.delayMs : 0, this.#stalledUntil);
    this.#pieces.push({ bytes: piece, due });
    this.#buffered += piece.length;
    this.peak = Math.max(this.peak, this.#buffered);
    this.#deliver();
  }

  /** @internal (WireSink) */
  stall(fault: Fault & { readonly type: 'stall' }): void {
    this.#stalledUntil = fault.ms === undefined ? Infinity : Date.now() + this.delayMs + fault.ms;
  }

  /** @internal (WireSink) */
  drop(type: 'close' | 'reset'): void {
    this.onDrop(type === 'reset' ? systemError('ECONNRESET', 'connection reset (injected fault)') : undefined);
  }

  /** The writer's end of stream (after everything it wrote). */
  end(): void {
    if (this.#ended || this.#broken !== undefined) return;
    this.#ended = true;
    this.#pieces.push({ end: true, due: Math.max(this.delayMs > 0 ? Date.now() + this.delayMs : 0, this.#stalledUntil) });
    this.#deliver();
  }

  /** The connection dropped: after what is queued, the reader sees the end (or `error`); writes fail from now on. */
  dropConnection(error: Error | undefined): void {
    if (this.#broken !== undefined || this.wire.swallowing) return;
    if (!this.#ended) this.#pieces.push(error === undefined ? { end: true, due: 0 } : { error, due: 0 });
    this.#ended = true;
    if (error === undefined) {
      // A FIN, as TCP shows it: the writer is not told, its later bytes go nowhere.
      this.wire.swallowing = true;
      for (const writer of this.#blocked.splice(0)) writer.resolve();
    } else {
      this.#broken = error;
      for (const writer of this.#blocked.splice(0)) writer.reject(error);
    }
    this.#deliver();
  }

  pull(): Promise<Uint8Array | null> {
    if (this.#reader !== undefined) return Promise.reject(new Error('read() called while another read() is pending'));
    const promise = new Promise<Uint8Array | null>((resolve, reject) => (this.#reader = { resolve, reject }));
    this.#deliver();
    return promise;
  }

  #deliver(): void {
    const reader = this.#reader;
    const head = this.#pieces[0];
    if (reader === undefined || head === undefined) return;
    const wait = head.due - Date.now();
    if (wait > 0) {
      if (this.#timer === undefined && wait !== Infinity) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#deliver();
        }, wait);
      }
      return;
    }
    this.#reader = undefined;
    if ('bytes' in head) {
      this.#pieces.shift();
      this.#buffered -= head.bytes.length;
      this.read += head.bytes.length;
      while (this.#buffered <= this.highWaterMark && this.#blocked.length > 0) this.#blocked.shift()!.resolve();
      reader.resolve(head.bytes);
    } else if ('error' in head) reader.reject(head.error); // stays at the head: every later read fails the same way
    else reader.resolve(null);
  }
}

class PairTransport implements MemoryTransport {
  constructor(
    readonly incoming: Channel,
    readonly outgoing: Channel,
    readonly facts: TransportInfo,
  ) {}

  read(): Promise<Uint8Array | null> {
    return this.incoming.pull();
  }
  write(bytes: Uint8Array): Promise<void> {
    return this.outgoing.write(bytes);
  }
  async close(): Promise<void> {
    this.outgoing.end();
  }
  info(): TransportInfo {
    return this.facts;
  }
  get bytesWritten(): number {
    return this.outgoing.written;
  }
  get bytesRead(): number {
    return this.incoming.read;
  }
  get peakBuffered(): number {
    return this.outgoing.peak;
  }
}

let pairs = 0;

/**
 * Two connected in-memory transports: what one writes, the other reads, in order, optionally cut into seeded random
 * pieces, delayed, and broken on purpose. `close()` on one side ends the other side's reads with `null` (a
 * half-close: the closing side can still read). Writes resolve while the direction holds at most `highWaterMark`
 * unread bytes, so a slow reader holds its writer back.
 *
 * @example
 * const [client, server] = createPair({ fragment: 7, seed: 42, faults: [{ type: 'flip', from: 'server', at: 300 }] });
 * const clientStream = secure(client, clientContext, { serverHostname: 'localhost' });
 * const serverStream = secure(server, serverContext);
 * await clientStream.opened; // rejects: the flipped byte fails a record's authentication (bad_record_mac)
 *
 * @throws {RangeError} for a negative delay, a fragment size below 1 or a fault at a negative offset.
 */
export function createPair(options: PairOptions = {}): [MemoryTransport, MemoryTransport] {
  const delayMs = options.delayMs ?? 0;
  if (!(delayMs >= 0)) throw new RangeError(`delayMs must be at least 0, got ${delayMs}`);
  const highWaterMark = options.highWaterMark ?? 64 * 1024;
  if (!(highWaterMark >= 0)) throw new RangeError(`highWaterMark must be at least 0, got ${highWaterMark}`);
  const random = generator(options.seed ?? 1);
  const cut = cutter(options.fragment, random);
  const faults = options.faults ?? [];
  const id = ++pairs;
  const channel = (from: Side) => new Channel(new Wire(faultsFrom(faults, from), cut, random), delayMs, highWaterMark);
  const toServer = channel('client');
  const toClient = channel('server');
  const drop = (error: Error | undefined) => {
    toServer.dropConnection(error);
    toClient.dropConnection(error);
  };
  toServer.onDrop = drop;
  toClient.onDrop = drop;
  return [
    new PairTransport(toClient, toServer, { kind: 'memory', pair: id, side: 'client' }),
    new PairTransport(toServer, toClient, { kind: 'memory', pair: id, side: 'server' }),
  ];
}
