/**
 * What happens to the bytes of one direction on their way, with no notion of time: seeded cut points and the faults
 * at fixed byte offsets. {@link createPair}'s channels (async, with latency and backpressure) and
 * {@link ConnectionPair}'s wires (synchronous, between MemoryBIOs) both carry bytes through it, so a fault or a seed
 * means the same thing to both.
 */

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

/** How writes are cut: `true` for pieces of 1 to 1,500 bytes, a number for 1 to that many, or `{ min, max }`. */
export type Fragmentation = boolean | number | { readonly min?: number; readonly max: number };

/** mulberry32: a small, fast, seedable generator; plenty for cut points. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The piece-length chooser for `fragment`, or `undefined` when writes stay whole.
 * @throws {RangeError} unless 1 <= min <= max, integers.
 */
export function cutter(fragment: Fragmentation | undefined, random: () => number): (() => number) | undefined {
  if (fragment === undefined || fragment === false) return undefined;
  const { min, max } = fragment === true ? { min: 1, max: 1500 } : typeof fragment === 'number' ? { min: 1, max: fragment } : { min: fragment.min ?? 1, max: fragment.max };
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 1 && max >= min)) {
    throw new RangeError(`fragment sizes must be integers with 1 <= min <= max, got ${min}..${max}`);
  }
  return () => min + Math.floor(random() * (max - min + 1));
}

/** The faults `from` writes meet, in the order it meets them. @throws {RangeError} for a negative or fractional offset. */
export function faultsFrom(faults: readonly Fault[], from: Side): Fault[] {
  for (const fault of faults) {
    if (!(Number.isSafeInteger(fault.at) && fault.at >= 0)) throw new RangeError(`a fault's offset must be an integer of at least 0, got ${fault.at}`);
  }
  return faults.filter((fault) => fault.from === from).sort((a, b) => a.at - b.at);
}

/** What one direction does with the bytes a write hands it. */
export interface WireSink {
  /** Bytes to deliver, in order (already cut into pieces when fragmenting). */
  deliver(piece: Uint8Array): void;
  /** A `stall` fault: what follows waits. */
  stall(fault: Fault & { readonly type: 'stall' }): void;
  /** A `close` or `reset` fault: the connection drops after what was delivered. */
  drop(type: 'close' | 'reset'): void;
}

/**
 * One direction's byte path: counts what its writer wrote, cuts it at seeded points, and applies the faults it
 * reaches. After a `truncate` it swallows everything.
 */
export class Wire {
  /** Bytes the writer handed over (before faults). */
  written = 0;
  /** A `truncate` fault was reached: later bytes vanish. */
  swallowing = false;
  readonly #faults: Fault[];
  readonly #cut: (() => number) | undefined;
  readonly #random: () => number;

  constructor(faults: Fault[], cut: (() => number) | undefined, random: () => number) {
    this.#faults = faults;
    this.#cut = cut;
    this.#random = random;
  }

  /** Carries a copy of `bytes` to `sink`. Returns false when a drop ended the connection on the way. */
  carry(bytes: Uint8Array, sink: WireSink): boolean {
    const start = this.written;
    this.written += bytes.length;
    if (this.swallowing || bytes.length === 0) return true;
    // Copy: the writer may reuse its buffer once its write returns, as with a socket.
    let data = bytes.slice();
    /** The stream offset of data[0]. */
    let base = start;
    // Faults are sorted by offset: the ones this write reaches are at the front.
    while (this.#faults.length > 0 && this.#faults[0]!.at < start + bytes.length) {
      const fault = this.#faults.shift()!;
      const offset = Math.max(0, fault.at - base);
      if (fault.type === 'flip') {
        data[offset]! ^= fault.mask ?? 1 << Math.floor(this.#random() * 8);
        continue;
      }
      this.#pieces(data.subarray(0, offset), sink);
      if (fault.type === 'stall') {
        data = data.subarray(offset);
        base += offset;
        sink.stall(fault);
        continue;
      }
      if (fault.type === 'truncate') {
        this.swallowing = true;
        return true;
      }
      sink.drop(fault.type === 'reset' ? 'reset' : 'close');
      return false;
    }
    this.#pieces(data, sink);
    return true;
  }

  #pieces(data: Uint8Array, sink: WireSink): void {
    for (let offset = 0; offset < data.length; ) {
      const length = this.#cut === undefined ? data.length : Math.min(this.#cut(), data.length - offset);
      sink.deliver(data.subarray(offset, offset + length));
      offset += length;
    }
  }
}
