import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';

/**
 * A bounded cursor over bytes received from the peer, for decoding TLS structures (RFC 8446 §3).
 *
 * Every read is checked against the end of the reader, and a length-prefixed vector is read through a sub-reader
 * that cannot see past the vector's body, so a decoder cannot over-read into a neighbouring field. Any shortfall
 * throws `ProtocolError('DECODE_ERROR')` with `fault: 'remote'`, naming the reader's label and the field.
 *
 * Reads do not copy: {@link bytes} and {@link rest} return views of the input.
 *
 * @example
 * const r = new ByteReader(body, 'ClientHello');
 * const version = r.u16('legacy_version');
 * const random = r.bytes(32, 'random');
 * const suites = r.vector16('cipher_suites');
 * while (!suites.atEnd) list.push(suites.u16('cipher_suite'));
 * r.expectEnd();
 */
export class ByteReader {
  /** Names this reader in error messages, e.g. `'ClientHello.cipher_suites'`. */
  readonly label: string;

  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array, label = 'message') {
    this.#bytes = bytes;
    this.label = label;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  /** True when every byte has been read. */
  get atEnd(): boolean {
    return this.#pos === this.#bytes.length;
  }

  /** Bytes read so far (the offset of the next read from the start of this reader). */
  get position(): number {
    return this.#pos;
  }

  /**
   * Reads one byte.
   * @throws {ProtocolError} `DECODE_ERROR` when no byte remains.
   */
  u8(field = 'uint8'): number {
    this.#need(1, field);
    return this.#bytes[this.#pos++] as number;
  }

  /**
   * Reads a big-endian 16-bit integer.
   * @throws {ProtocolError} `DECODE_ERROR` when fewer than 2 bytes remain.
   */
  u16(field = 'uint16'): number {
    this.#need(2, field);
    const b = this.#bytes;
    const p = this.#pos;
    this.#pos = p + 2;
    return ((b[p] as number) << 8) | (b[p + 1] as number);
  }

  /**
   * Reads a big-endian 24-bit integer.
   * @throws {ProtocolError} `DECODE_ERROR` when fewer than 3 bytes remain.
   */
  u24(field = 'uint24'): number {
    this.#need(3, field);
    const b = this.#bytes;
    const p = this.#pos;
    this.#pos = p + 3;
    return ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
  }

  /**
   * Reads a big-endian unsigned 32-bit integer.
   * @throws {ProtocolError} `DECODE_ERROR` when fewer than 4 bytes remain.
   */
  u32(field = 'uint32'): number {
    this.#need(4, field);
    const b = this.#bytes;
    const p = this.#pos;
    this.#pos = p + 4;
    // `>>> 0` keeps the top bit from making the result negative.
    const high = ((b[p] as number) << 24) | ((b[p + 1] as number) << 16);
    return (high | ((b[p + 2] as number) << 8) | (b[p + 3] as number)) >>> 0;
  }

  /**
   * Returns the next `n` bytes as a view of the input (no copy).
   * @throws {ProtocolError} `DECODE_ERROR` when fewer than `n` bytes remain.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `n` is not a non-negative integer (a decoder bug).
   */
  bytes(n: number, field = 'bytes'): Uint8Array {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      const message = `byte count for ${this.label}.${field} must be a non-negative integer, got ${n}`;
      throw new InvalidArgumentError('n', 'INVALID_ARGUMENT', message);
    }
    this.#need(n, field);
    const start = this.#pos;
    this.#pos = start + n;
    return this.#bytes.subarray(start, start + n);
  }

  /** Returns every remaining byte as a view of the input and moves to the end. */
  rest(): Uint8Array {
    const start = this.#pos;
    this.#pos = this.#bytes.length;
    return this.#bytes.subarray(start);
  }

  /**
   * Reads a vector with a 1-byte length prefix (`opaque field<0..2^8-1>`) and returns a reader bounded to its body.
   * @throws {ProtocolError} `DECODE_ERROR` when the prefix or the body is truncated.
   */
  vector8(field = 'vector8'): ByteReader {
    return this.#vector(this.u8(`${field} length`), field);
  }

  /**
   * Reads a vector with a 2-byte length prefix (`opaque field<0..2^16-1>`) and returns a reader bounded to its body.
   * @throws {ProtocolError} `DECODE_ERROR` when the prefix or the body is truncated.
   */
  vector16(field = 'vector16'): ByteReader {
    return this.#vector(this.u16(`${field} length`), field);
  }

  /**
   * Reads a vector with a 3-byte length prefix (`opaque field<0..2^24-1>`) and returns a reader bounded to its body.
   * @throws {ProtocolError} `DECODE_ERROR` when the prefix or the body is truncated.
   */
  vector24(field = 'vector24'): ByteReader {
    return this.#vector(this.u24(`${field} length`), field);
  }

  /**
   * Requires that every byte has been read: TLS structures have no trailing bytes.
   * @throws {ProtocolError} `DECODE_ERROR` naming `what` when bytes remain.
   */
  expectEnd(what: string = this.label): void {
    if (this.#pos !== this.#bytes.length) {
      throw decodeError(`${what} must be empty at end: ${this.remaining} trailing byte(s)`);
    }
  }

  #vector(length: number, field: string): ByteReader {
    this.#need(length, field);
    const start = this.#pos;
    this.#pos = start + length;
    return new ByteReader(this.#bytes.subarray(start, start + length), `${this.label}.${field}`);
  }

  #need(n: number, field: string): void {
    if (n > this.#bytes.length - this.#pos) {
      throw decodeError(`${this.label}: truncated ${field} (needs ${n} byte(s), ${this.remaining} remain)`);
    }
  }
}

function decodeError(message: string): ProtocolError {
  // RFC 8446 §6.2: decode_error: "a message could not be decoded because some field was out of the specified range
  // or the length of the message was incorrect".
  return new ProtocolError('DECODE_ERROR', message, { fault: 'remote' });
}
