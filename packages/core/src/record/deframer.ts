import { InvalidArgumentError } from '@tlsbio/errors';
import {
  MAX_TLS12_CIPHERTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  contentTypeName,
  isKnownContentType,
  remoteError,
  type RawRecord,
} from './common.js';

/** Options of {@link RecordDeframer}. */
export interface RecordDeframerOptions {
  /**
   * Largest record body accepted, in bytes. Default {@link MAX_TLS12_CIPHERTEXT_LENGTH} (2^14 + 2048, RFC 5246
   * §6.2.3); the engine lowers it to `MAX_TLS13_CIPHERTEXT_LENGTH` (2^14 + 256, RFC 8446 §5.2) once TLS 1.3 is
   * negotiated.
   */
  maxFragmentLength?: number;
}

/** Most a settable limit may be: the largest value the 16-bit length field can carry. */
const MAX_LENGTH_FIELD = 0xffff;

/** Chunks already consumed at the front of the queue before it may be compacted. */
const COMPACT_AFTER = 64;
/** Fed chunks up to this size are coalesced into a staging buffer rather than queued one by one. */
const SMALL_CHUNK = 256;
/** Capacity of a staging buffer. */
const STAGING_CAPACITY = 4096;
/** The chunk list of an empty deframer, shared (frozen: never written); an idle connection holds no list of its own. */
const NO_CHUNKS: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/**
 * Splits the incoming byte stream into records (RFC 8446 §5.1). Bytes may arrive in any chunking, down to one byte at
 * a time.
 *
 * Chunks are kept by reference, not copied: the incoming `MemoryBIO` hands out chunks that nobody else writes to. A
 * record that lies inside one chunk comes out as a view of it (no copy); only a record split across chunks is copied,
 * once, into an array of exactly its size. Chunks of 256 bytes or less are the exception: they are copied into a
 * 4 KiB staging buffer, so a peer trickling bytes one TCP segment at a time costs one array per 4 KiB, not per byte.
 *
 * The header is checked as soon as its 5 bytes are in, before the body arrives, so a peer can never make us buffer
 * more than one maximal record, and a peer that is not speaking TLS is caught on its first bytes.
 *
 * @example
 * const deframer = new RecordDeframer();
 * deframer.feed(incoming.read());
 * for (let record = deframer.next(); record !== null; record = deframer.next()) handle(record);
 */
export class RecordDeframer {
  #maxFragmentLength: number;
  #chunks: Uint8Array[] = NO_CHUNKS;
  /** Index in `#chunks` of the chunk being read. */
  #head = 0;
  /** Bytes of the head chunk already consumed. */
  #offset = 0;
  #buffered = 0;
  /** Header of the record in progress once validated; `#length` is -1 while no header has been read. */
  #type = 0;
  #version = 0;
  #length = -1;
  /**
   * Staging buffer for small chunks: a peer trickling one byte per segment would otherwise cost us one queued array
   * per byte. Append-only, so views of it handed out earlier never change.
   */
  #staging: Uint8Array | null = null;
  #stagingUsed = 0;
  /** Where the queue's last chunk, a view of `#staging`, starts in it; -1 when the last chunk is not staged. */
  #stagedStart = -1;

  /**
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `maxFragmentLength` is not an integer in 0..65535.
   */
  constructor(options: RecordDeframerOptions = {}) {
    this.#maxFragmentLength = checkLimit(options.maxFragmentLength ?? MAX_TLS12_CIPHERTEXT_LENGTH);
  }

  /** Largest record body accepted. Lowering it applies to the record in progress too. */
  get maxFragmentLength(): number {
    return this.#maxFragmentLength;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not an integer in 0..65535. */
  set maxFragmentLength(value: number) {
    this.#maxFragmentLength = checkLimit(value);
  }

  /** Bytes held: a partial record, or complete records not yet taken with {@link next}. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds received bytes. `bytes` (over 256 bytes; smaller chunks are copied) is kept by reference: the caller must
   * not change it afterwards (chunks read from a `MemoryBIO` are private, so the engine can pass them straight in).
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `bytes` is not a `Uint8Array`.
   */
  feed(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) {
      throw new InvalidArgumentError('bytes', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    }
    const n = bytes.length;
    if (n === 0) return;
    this.#buffered += n;
    if (n > SMALL_CHUNK) {
      this.#queue(bytes);
      this.#stagedStart = -1;
      return;
    }
    // Small chunk: copy it into the staging buffer, extending the last queued chunk when that is staged already.
    let staging = this.#staging;
    if (staging === null || this.#stagingUsed + n > staging.length) {
      staging = this.#staging = new Uint8Array(STAGING_CAPACITY);
      this.#stagingUsed = 0;
      this.#stagedStart = -1;
    }
    staging.set(bytes, this.#stagingUsed);
    this.#stagingUsed += n;
    if (this.#stagedStart >= 0) {
      // Same start, longer view: offsets into the head chunk stay valid if this chunk is the head.
      this.#chunks[this.#chunks.length - 1] = staging.subarray(this.#stagedStart, this.#stagingUsed);
    } else {
      this.#stagedStart = this.#stagingUsed - n;
      this.#queue(staging.subarray(this.#stagedStart, this.#stagingUsed));
    }
  }

  /**
   * The next complete record, or `null` when more bytes are needed. `fragment` is a view of the fed bytes when the
   * record lies within one chunk.
   *
   * @throws {ProtocolError} `WRONG_VERSION_NUMBER` (protocol_version) when the first version byte is not 3: the peer
   *   is not speaking TLS, e.g. an HTTP request on a TLS port.
   * @throws {ProtocolError} `UNEXPECTED_RECORD` (unexpected_message) for a content type TLS does not define.
   * @throws {ProtocolError} `RECORD_OVERFLOW` (record_overflow) for a length over {@link maxFragmentLength}.
   *   Each is thrown as soon as the 5 header bytes are in, and again on every later call.
   */
  next(): RawRecord | null {
    if (this.#buffered < RECORD_HEADER_LENGTH) return null;
    if (this.#length < 0) this.#readHeader();
    const length = this.#length;
    // Checked on every call, not only when the header arrives: the limit may have been lowered since.
    if (length > this.#maxFragmentLength) {
      // RFC 8446 §5.1, §5.2; RFC 5246 §6.2.1, §6.2.3: record_overflow.
      throw remoteError('RECORD_OVERFLOW', `record of ${length} bytes exceeds the ${this.#maxFragmentLength}-byte limit`);
    }
    const total = RECORD_HEADER_LENGTH + length;
    if (this.#buffered < total) return null;

    let fragment: Uint8Array;
    const chunk = this.#chunks[this.#head]!;
    if (chunk.length - this.#offset >= total) {
      // The whole record lies in the head chunk: hand out a view.
      const start = this.#offset + RECORD_HEADER_LENGTH;
      fragment = chunk.subarray(start, start + length);
      this.#consumeInHead(total);
    } else {
      this.#skip(RECORD_HEADER_LENGTH);
      fragment = this.#copyOut(length);
    }
    const record: RawRecord = { type: this.#type, version: this.#version, fragment };
    this.#length = -1;
    return record;
  }

  /** Reads and validates the 5-byte header at the front without consuming it. */
  #readHeader(): void {
    const type = this.#peek(0);
    const major = this.#peek(1);
    const version = (major << 8) | this.#peek(2);
    const length = (this.#peek(3) << 8) | this.#peek(4);
    // The version first: bytes that are not TLS at all (an HTTP request starts "GET ") are most usefully reported as
    // such, whatever their first byte happens to be. RFC 8446 §5.1 leaves legacy_record_version otherwise unchecked;
    // every TLS version is 3.x (RFC 5246 §6.2.1), so the major byte is not.
    if (major !== 3) {
      throw remoteError('WRONG_VERSION_NUMBER', `record version 0x${hex16(version)} is not TLS (first byte 0x${hex8(type)})`);
    }
    // RFC 8446 §5: an unexpected record type MUST be answered with unexpected_message.
    if (!isKnownContentType(type)) {
      throw remoteError('UNEXPECTED_RECORD', `record of unknown ${contentTypeName(type)}`);
    }
    this.#type = type;
    this.#version = version;
    this.#length = length;
  }

  /** The byte `index` positions past the read position; the caller has checked that it is buffered. */
  #peek(index: number): number {
    let i = this.#head;
    let at = this.#offset + index;
    for (;;) {
      const chunk = this.#chunks[i]!;
      if (at < chunk.length) return chunk[at]!;
      at -= chunk.length;
      i++;
    }
  }

  /** Consumes `count` bytes that all lie in the head chunk. */
  #consumeInHead(count: number): void {
    this.#offset += count;
    this.#buffered -= count;
    if (this.#offset === this.#chunks[this.#head]!.length) this.#releaseHead();
  }

  #queue(chunk: Uint8Array): void {
    if (this.#chunks === NO_CHUNKS) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
  }

  #releaseHead(): void {
    this.#offset = 0;
    this.#head++;
    const chunks = this.#chunks;
    if (this.#head === chunks.length) {
      this.#chunks = NO_CHUNKS;
      this.#head = 0;
      // Nothing buffered: the chunk list and the staging buffer go too (views handed out keep what they need), so that an idle
      // connection holds no 4 KiB of it. The next small chunk starts a new one.
      this.#staging = null;
      this.#stagedStart = -1;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= chunks.length) {
      chunks.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Consumes `count` buffered bytes, across chunks. */
  #skip(count: number): void {
    while (count > 0) {
      const available = this.#chunks[this.#head]!.length - this.#offset;
      const step = Math.min(available, count);
      this.#consumeInHead(step);
      count -= step;
    }
  }

  /** Consumes `count` buffered bytes, across chunks, into one new array. */
  #copyOut(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.#chunks[this.#head]!;
      const step = Math.min(chunk.length - this.#offset, count - filled);
      out.set(chunk.subarray(this.#offset, this.#offset + step), filled);
      filled += step;
      this.#consumeInHead(step);
    }
    return out;
  }
}

function checkLimit(value: number): number {
  if (!(Number.isInteger(value) && value >= 0 && value <= MAX_LENGTH_FIELD)) {
    throw new InvalidArgumentError('maxFragmentLength', 'INVALID_ARGUMENT', `must be an integer in 0..${MAX_LENGTH_FIELD}, got ${value}`);
  }
  return value;
}

function hex8(value: number): string {
  return value.toString(16).padStart(2, '0');
}

function hex16(value: number): string {
  return value.toString(16).padStart(4, '0');
}
