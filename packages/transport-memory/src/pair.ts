import type { Transport, TransportInfo } from '@tlsbio/core';

/** Which side's writes a fault applies to. */
export type Side = 'client' | 'server';

/**
 * A fault on the byte stream one side writes, at byte offset `at` of that direction (counted over everything the side
 * ever wrote, from 0):
 * - `close`: the connection drops at that byte: the reader gets the bytes before it, then the end (`null`); so does
 *   the other direction after what it already carried. Later writes on either side still resolve, and go nowhere:
 *   a TCP FIN at the wrong moment.
 * - `reset`: as `close`, but both readers' next `read()` rejects with an `ECONNRESET` error instead of ending.
 * - `truncate`: bytes from `at` on are dropped without a word; the writer goes on as if all was well, and its
 *   `close()` still ends the reader's stream. A silent short stream.
 * - `flip`: the byte at `at` is XORed with `mask` (default: one seeded random bit).
 * - `stall`: delivery stops before byte `at` for `ms` milliseconds (for ever without `ms`); later bytes queue up.
 */
export type Fault =
  | { readonly type: 'close' | 'reset' | 'truncate'; readonly from: Side; readonly at: number }
  | { readonly type: 'flip'; readonly from: Side; readonly at: number; readonly mask?: number }
  | { readonly type: 'stall'; readonly from: Side; readonly at: number; readonly ms?: number };

/** Options of {@link createPair}. */
export interface PairOptions {
  /**
   * Cut every write into pieces at seeded random points, each read then returning one piece: `true` for pieces of
   * 1 to 1,500 bytes, a number for pieces of 1 to that many, or `{ min, max }`.
   */
  readonly fragment?: boolean | number | { readonly min?: number; readonly max: number };
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

/** mulberry32: a small, fast, seedable generator; plenty for cut points. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Piece = { readonly bytes: Uint8Array; readonly due: number } | { readonly end: true; readonly due: number } | { readonly error: Error; readonly due: number };

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** One direction: what one side writes, in order, with its faults, for the other side to read. */
class Channel {
  readonly #pieces: Piece[] = [];
  readonly #blocked: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #reader: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bytes queued and not yet read. */
  #buffered = 0;
  peak = 0;
  written = 0;
  read = 0;
  /** The writer closed its side. */
  #ended = false;
  /** Writes fail with this (the connection dropped). */
  #broken: Error | undefined;
  /** Writes are swallowed from here on (a truncation). */
  #swallowing = false;
  /** Nothing is delivered before this time (a stall). */
  #stalledUntil = 0;
  /** Called when a fault drops the whole connection. */
  onDrop: (error: Error | undefined) => void = () => {};

  constructor(
    readonly faults: Fault[],
    readonly cut: ((length: number) => number) | undefined,
    readonly random: () => number,
    readonly delayMs: number,
    readonly highWaterMark: number,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    if (this.#swallowing) {
      this.written += bytes.length;
      return Promise.resolve();
    }
    if (this.#ended) return Promise.reject(systemError('EPIPE', 'write after close'));
    if (bytes.length === 0) return Promise.resolve();
    const start = this.written;
    this.written += bytes.length;
    // Copy: the writer may reuse its buffer once write() resolves, as with a socket.
    let data = bytes.slice();
    /** The stream offset of data[0]. */
    let base = start;
    // Faults are sorted by offset: the ones this write reaches are at the front.
    while (this.faults.length > 0 && this.faults[0]!.at < start + bytes.length) {
      const fault = this.faults.shift()!;
      const offset = Math.max(0, fault.at - base);
      if (fault.type === 'flip') data[offset]! ^= fault.mask ?? 1 << Math.floor(this.random() * 8);
      else if (fault.type === 'stall') {
        this.#enqueue(data.subarray(0, offset));
        data = data.subarray(offset);
        base += offset;
        this.#stalledUntil = fault.ms === undefined ? Infinity : Date.now() + this.delayMs + fault.ms;
      } else {
        this.#enqueue(data.subarray(0, offset));
        if (fault.type === 'truncate') this.#swallowing = true;
        else this.onDrop(fault.type === 'reset' ? systemError('ECONNRESET', 'connection reset (injected fault)') : undefined);
        return Promise.resolve();
      }
    }
    this.#enqueue(data);
    if (this.#buffered <= this.highWaterMark) return Promise.resolve();
    return new Promise((resolve, reject) => this.#blocked.push({ resolve, reject }));
  }

  #enqueue(data: Uint8Array): void {
    const due = Math.max(this.delayMs > 0 ? Date.now() + this.delayMs : 0, this.#stalledUntil);
    for (let offset = 0; offset < data.length; ) {
      const length = this.cut === undefined ? data.length : Math.min(this.cut(data.length - offset), data.length - offset);
      this.#pieces.push({ bytes: data.subarray(offset, offset + length), due });
      offset += length;
      this.#buffered += length;
    }
    this.peak = Math.max(this.peak, this.#buffered);
    this.#deliver();
  }

  /** The writer's end of stream (after everything it wrote). */
  end(): void {
    if (this.#ended || this.#broken !== undefined) return;
    this.#ended = true;
    this.#pieces.push({ end: true, due: Math.max(this.delayMs > 0 ? Date.now() + this.delayMs : 0, this.#stalledUntil) });
    this.#deliver();
  }

  /** The connection dropped: after what is queued, the reader sees the end (or `error`); writes fail from now on. */
  drop(error: Error | undefined): void {
    if (this.#broken !== undefined || this.#swallowing) return;
    if (!this.#ended) this.#pieces.push(error === undefined ? { end: true, due: 0 } : { error, due: 0 });
    this.#ended = true;
    if (error === undefined) {
      // A FIN, as TCP shows it: the writer is not told, its later bytes go nowhere.
      this.#swallowing = true;
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
  for (const fault of faults) {
    if (!(Number.isSafeInteger(fault.at) && fault.at >= 0)) throw new RangeError(`a fault's offset must be an integer of at least 0, got ${fault.at}`);
  }
  const id = ++pairs;
  const channel = (from: Side) =>
    new Channel(
      faults.filter((fault) => fault.from === from).sort((a, b) => a.at - b.at),
      cut,
      random,
      delayMs,
      highWaterMark,
    );
  const toServer = channel('client');
  const toClient = channel('server');
  const drop = (error: Error | undefined) => {
    toServer.drop(error);
    toClient.drop(error);
  };
  toServer.onDrop = drop;
  toClient.onDrop = drop;
  return [
    new PairTransport(toClient, toServer, { kind: 'memory', pair: id, side: 'client' }),
    new PairTransport(toServer, toClient, { kind: 'memory', pair: id, side: 'server' }),
  ];
}

function cutter(fragment: PairOptions['fragment'], random: () => number): ((length: number) => number) | undefined {
  if (fragment === undefined || fragment === false) return undefined;
  const { min, max } = fragment === true ? { min: 1, max: 1500 } : typeof fragment === 'number' ? { min: 1, max: fragment } : { min: fragment.min ?? 1, max: fragment.max };
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 1 && max >= min)) {
    throw new RangeError(`fragment sizes must be integers with 1 <= min <= max, got ${min}..${max}`);
  }
  return () => min + Math.floor(random() * (max - min + 1));
}
