import { InvalidArgumentError } from '@tlsbio/errors';

const DEFAULT_CAPACITY = 256;

/**
 * A growable buffer for encoding TLS structures (RFC 8446 §3), big-endian.
 *
 * Length-prefixed vectors are written in place: {@link vector16} reserves the prefix, lets a callback write the body
 * into the same buffer, then back-patches the length, so nested vectors cost no intermediate buffers or copies.
 * The buffer doubles when full, keeping appends amortised O(1).
 *
 * Out-of-range values and over-long vector bodies are bugs on our side (or oversized configuration), so they throw
 * `InvalidArgumentError` rather than a protocol error.
 *
 * @example
 * const w = new ByteWriter();
 * w.u16(0x0303);
 * w.vector16((v) => { for (const suite of suites) v.u16(suite); }, 'cipher_suites');
 * const encoded = w.finish();
 */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;
  #finished = false;

  /**
   * @param initialCapacity bytes to allocate up front; a good guess avoids regrowth.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `initialCapacity` is not a non-negative integer.
   */
  constructor(initialCapacity = DEFAULT_CAPACITY) {
    if (!(Number.isSafeInteger(initialCapacity) && initialCapacity >= 0)) {
      const message = `must be a non-negative integer, got ${initialCapacity}`;
      throw new InvalidArgumentError('initialCapacity', 'INVALID_ARGUMENT', message);
    }
    this.#buf = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /**
   * Appends one byte.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `value` is not an integer in 0..255, or after `finish()`.
   */
  u8(value: number, field = 'uint8'): this {
    checkUint(value, 0xff, field);
    const p = this.#reserve(1);
    this.#buf[p] = value;
    return this;
  }

  /**
   * Appends a big-endian 16-bit integer.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `value` is not an integer in 0..65535, or after `finish()`.
   */
  u16(value: number, field = 'uint16'): this {
    checkUint(value, 0xffff, field);
    const p = this.#reserve(2);
    putUint(this.#buf, p, value, 2);
    return this;
  }

  /**
   * Appends a big-endian 24-bit integer.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `value` is not an integer in 0..2^24-1, or after `finish()`.
   */
  u24(value: number, field = 'uint24'): this {
    checkUint(value, 0xffffff, field);
    const p = this.#reserve(3);
    putUint(this.#buf, p, value, 3);
    return this;
  }

  /**
   * Appends a big-endian unsigned 32-bit integer.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `value` is not an integer in 0..2^32-1, or after `finish()`.
   */
  u32(value: number, field = 'uint32'): this {
    checkUint(value, 0xffffffff, field);
    const p = this.#reserve(4);
    putUint(this.#buf, p, value, 4);
    return this;
  }

  /**
   * Appends a copy of `data`.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `data` is not a `Uint8Array`, or after `finish()`.
   */
  bytes(data: Uint8Array, field = 'bytes'): this {
    if (!(data instanceof Uint8Array)) {
      throw new InvalidArgumentError(field, 'INVALID_ARGUMENT', 'must be a Uint8Array');
    }
    const p = this.#reserve(data.length);
    this.#buf.set(data, p);
    return this;
  }

  /**
   * Appends a vector with a 1-byte length prefix whose body `write` produces on this writer.
   * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the body exceeds 255 bytes (the vector is then removed).
   */
  vector8(write: (w: this) => void, field = 'vector8'): this {
    return this.#vector(1, 0xff, write, field);
  }

  /**
   * Appends a vector with a 2-byte length prefix whose body `write` produces on this writer.
   * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the body exceeds 65535 bytes (the vector is then removed).
   */
  vector16(write: (w: this) => void, field = 'vector16'): this {
    return this.#vector(2, 0xffff, write, field);
  }

  /**
   * Appends a vector with a 3-byte length prefix whose body `write` produces on this writer.
   * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the body exceeds 2^24-1 bytes (the vector is then removed).
   */
  vector24(write: (w: this) => void, field = 'vector24'): this {
    return this.#vector(3, 0xffffff, write, field);
  }

  /**
   * Returns the encoded bytes and retires the writer (any later write throws). The result is a view of the internal
   * buffer, not a copy, so it may hold up to twice its length in capacity; size `initialCapacity` for long-lived
   * results.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when called a second time.
   */
  finish(): Uint8Array {
    this.#checkOpen();
    this.#finished = true;
    const out = this.#buf.subarray(0, this.#len);
    this.#buf = new Uint8Array(0);
    return out;
  }

  #vector(prefixBytes: number, max: number, write: (w: this) => void, field: string): this {
    const mark = this.#len;
    const bodyStart = this.#reserve(prefixBytes) + prefixBytes;
    try {
      write(this);
    } catch (error) {
      // Leave the writer as it was before this vector, so a caller that handles the error can go on.
      this.#len = mark;
      throw error;
    }
    const bodyLength = this.#len - bodyStart;
    if (bodyLength > max) {
      this.#len = mark;
      throw new InvalidArgumentError(
        field,
        'LENGTH_OVERFLOW',
        `vector body of ${bodyLength} bytes does not fit a ${prefixBytes}-byte length prefix (at most ${max})`,
      );
    }
    putUint(this.#buf, mark, bodyLength, prefixBytes);
    return this;
  }

  /** Makes room for `n` more bytes and returns the offset where they go. */
  #reserve(n: number): number {
    this.#checkOpen();
    const start = this.#len;
    const end = start + n;
    if (end > this.#buf.length) {
      let capacity = Math.max(this.#buf.length * 2, DEFAULT_CAPACITY);
      while (capacity < end) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#buf.subarray(0, start));
      this.#buf = grown;
    }
    this.#len = end;
    return start;
  }

  #checkOpen(): void {
    if (this.#finished) {
      throw new InvalidArgumentError('writer', 'INVALID_ARGUMENT', 'ByteWriter used after finish()');
    }
  }
}

function checkUint(value: number, max: number, field: string): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= max)) {
    throw new InvalidArgumentError(field, 'INVALID_ARGUMENT', `must be an integer in 0..${max}, got ${value}`);
  }
}

/** Writes `value` big-endian into `size` bytes at `offset`; the caller has checked the range. */
function putUint(buf: Uint8Array, offset: number, value: number, size: number): void {
  for (let i = size - 1; i >= 0; i--) {
    buf[offset + i] = value & 0xff;
    value >>>= 8;
  }
}
