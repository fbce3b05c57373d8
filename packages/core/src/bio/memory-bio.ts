import { InvalidArgumentError, WantWriteError } from '@tlsbio/errors';

/** Options for {@link MemoryBIO}. */
export interface MemoryBIOOptions {
  /**
   * Most bytes the BIO may hold unread. A write that would go past it throws `WantWriteError` and writes nothing.
   * Omit for an unbounded BIO (Python's `ssl.MemoryBIO` behaviour).
   */
  limit?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Once this many consumed chunk slots sit at the front of the queue, and they are at least half of it, the array is
 * compacted. Consuming a chunk is then amortised O(1) without `Array.prototype.shift`, which is O(n) on long arrays.
 */
const COMPACT_AFTER = 64;

/**
 * The chunk list of an empty BIO, shared by all of them (frozen: never written). A BIO makes its own list for its
 * first chunk and drops it once drained, so an idle one holds none.
 */
const NO_CHUNKS: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/**
 * An in-memory byte queue between a TLS connection and its transport, shaped like Python's `ssl.MemoryBIO`.
 *
 * The network side writes received bytes into the *incoming* BIO and reads bytes to send from the *outgoing* one;
 * the engine does the opposite. Bytes are kept as a queue of chunks with a read offset into the first, so a write and
 * a read each cost time in proportion to the bytes they move, never to the bytes buffered.
 *
 * With a `limit`, the BIO provides backpressure: a write that does not fit throws `WantWriteError`, which the engine
 * passes on to its caller ("drain the outgoing BIO, then call again").
 *
 * @example
 * const bio = new MemoryBIO({ limit: 64 * 1024 });
 * bio.write(new Uint8Array([1, 2, 3]));
 * bio.read(2); // Uint8Array [1, 2]
 * bio.pending; // 1
 * bio.writeEof();
 * bio.read(); // Uint8Array [3]
 * bio.eof; // true
 */
export class MemoryBIO {
  /** The byte limit given at construction, or `undefined` when unbounded. */
  readonly limit: number | undefined;

  #chunks: Uint8Array[] = NO_CHUNKS;
  /** Index in `#chunks` of the chunk being read; slots before it are consumed and released. */
  #head = 0;
  /** Bytes of the head chunk already read. */
  #offset = 0;
  #pending = 0;
  #eofWritten = false;

  /**
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `limit` is given and is not a positive safe integer.
   */
  constructor(options: MemoryBIOOptions = {}) {
    const { limit } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
      throw new InvalidArgumentError('limit', 'INVALID_ARGUMENT', `must be a positive integer of bytes, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Bytes written and not yet read. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Bytes that can be written now before reaching the limit: `Infinity` when unbounded, `0` once {@link writeEof}
   * has been called (no write is accepted after it).
   */
  get space(): number {
    if (this.#eofWritten) return 0;
    if (this.limit === undefined) return Infinity;
    return this.limit - this.#pending;
  }

  /** True once {@link writeEof} has been called and every byte written before it has been read. */
  get eof(): boolean {
    return this.#eofWritten && this.#pending === 0;
  }

  /**
   * Appends a copy of `data` and returns its length.
   *
   * The bytes are copied because callers commonly reuse their buffers (a socket's read buffer, a stream chunk that is
   * recycled): keeping a reference would let later changes to that buffer alter bytes already queued. A caller that
   * gives its buffer up for good (the engine with the records it has just sealed, a transport with a chunk it
   * received) uses {@link writeOwned} instead and saves the copy.
   *
   * A write is all or nothing: if `data` does not fit under the limit, nothing is written and `WantWriteError` is
   * thrown. A partial write would split a TLS record across calls and force every writer to track a remainder;
   * all-or-nothing keeps the retry a plain "call again with the same bytes".
   *
   * @throws {WantWriteError} when the limit leaves less than `data.length` bytes of space; drain and retry.
   * @throws {InvalidArgumentError} `WRITE_AFTER_EOF` after {@link writeEof}; `INVALID_ARGUMENT` when `data` is not a
   *   `Uint8Array`, or is longer than the whole limit (it could never be written).
   */
  write(data: Uint8Array): number {
    this.#checkWritable(data);
    if (data.length === 0) return 0;
    this.#enqueue(data.slice());
    return data.length;
  }

  /**
   * Appends `data` without copying it: ownership passes to the BIO, and the caller must never modify `data` (nor the
   * memory under it) again; {@link read} may hand those very bytes out. This is the zero-copy path for bytes
   * nobody else holds: records the engine has just sealed, a chunk a transport has just received into a fresh
   * buffer (Node sockets, WebSocket messages, most streams). Same checks and all-or-nothing rule as {@link write}.
   *
   * @example
   * incoming.writeOwned(await transport.read()); // the chunk is ours alone: no copy
   * @throws {WantWriteError} when the limit leaves less than `data.length` bytes of space.
   * @throws {InvalidArgumentError} `WRITE_AFTER_EOF` after {@link writeEof}; `INVALID_ARGUMENT` as for {@link write}.
   */
  writeOwned(data: Uint8Array): number {
    this.#checkWritable(data);
    if (data.length === 0) return 0;
    this.#enqueue(data);
    return data.length;
  }

  /**
   * Removes and returns up to `n` bytes, or every pending byte when `n` is omitted or negative. Returns an empty
   * array when nothing is pending (check {@link eof} to tell "nothing yet" from "nothing ever again").
   *
   * Only the returned bytes are copied. When they lie within one queued chunk the result is a view of that chunk
   * rather than a copy; the chunk is private to the BIO (a copy made by {@link write}, or a buffer given up through
   * {@link writeOwned}), so the returned bytes are never changed by later writes. Such a view keeps its chunk
   * (at most one record's worth) alive while it is referenced.
   *
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `n` is given and is not an integer.
   */
  read(n?: number): Uint8Array {
    if (n !== undefined && !Number.isInteger(n)) {
      throw new InvalidArgumentError('n', 'INVALID_ARGUMENT', `must be an integer number of bytes, got ${n}`);
    }
    const want = n === undefined || n < 0 ? this.#pending : Math.min(n, this.#pending);
    if (want === 0) return EMPTY.slice();

    const head = this.#chunks[this.#head] as Uint8Array;
    const inHead = head.length - this.#offset;
    if (want <= inHead) {
      const out = this.#offset === 0 && want === head.length ? head : head.subarray(this.#offset, this.#offset + want);
      this.#consume(want);
      return out;
    }

    const out = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const chunk = this.#chunks[this.#head] as Uint8Array;
      const take = Math.min(chunk.length - this.#offset, want - filled);
      out.set(chunk.subarray(this.#offset, this.#offset + take), filled);
      filled += take;
      this.#consume(take);
    }
    return out;
  }

  /**
   * Marks the end of the stream: no more bytes will be written. Reads still drain what is pending, after which
   * {@link eof} is true. Calling it again has no further effect.
   */
  writeEof(): void {
    this.#eofWritten = true;
  }

  #checkWritable(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new InvalidArgumentError('data', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    }
    if (this.#eofWritten) {
      throw new InvalidArgumentError('data', 'WRITE_AFTER_EOF', 'cannot write to a MemoryBIO after writeEof()');
    }
    if (this.limit === undefined) return;
    if (data.length > this.limit) {
      // Flow control cannot help here: even an empty BIO would refuse it, and a retry loop would spin for ever.
      throw new InvalidArgumentError(
        'data',
        'INVALID_ARGUMENT',
        `a write of ${data.length} bytes can never fit in a MemoryBIO limited to ${this.limit} bytes`,
      );
    }
    if (this.#pending + data.length > this.limit) {
      throw new WantWriteError(
        `MemoryBIO full: ${data.length} bytes do not fit in ${this.limit - this.#pending} bytes of space`,
      );
    }
  }

  #enqueue(chunk: Uint8Array): void {
    if (this.#chunks === NO_CHUNKS) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
    this.#pending += chunk.length;
  }

  /** Advances past `count` bytes, all within the head chunk, releasing the chunk once it is fully read. */
  #consume(count: number): void {
    this.#pending -= count;
    this.#offset += count;
    const head = this.#chunks[this.#head] as Uint8Array;
    if (this.#offset < head.length) return;

    this.#offset = 0;
    if (this.#head + 1 === this.#chunks.length) {
      this.#chunks = NO_CHUNKS;
      this.#head = 0;
      return;
    }
    this.#chunks[this.#head] = EMPTY; // release the consumed chunk to the collector now
    this.#head += 1;
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
