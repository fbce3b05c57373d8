/**
 * Shared pieces of the record layer: the size limits, the record interfaces every protection implements, and the
 * sequence-number bookkeeping (RFC 8446 §5.3, RFC 5246 §6.1).
 */
import { InvalidArgumentError, ProtocolError, type Reason } from '@tlsbio/errors';
import { ContentType } from '../msgs/registry.js';

/** Most plaintext bytes in one record: 2^14 (RFC 8446 §5.1, RFC 5246 §6.2.1). */
export const MAX_PLAINTEXT_LENGTH = 16384;
/** Most bytes in a TLS 1.3 protected record's body: 2^14 + 256 (RFC 8446 §5.2). */
export const MAX_TLS13_CIPHERTEXT_LENGTH = 16384 + 256;
/** Most bytes in a TLS 1.2 protected record's body: 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_TLS12_CIPHERTEXT_LENGTH = 16384 + 2048;
/** `ContentType type; ProtocolVersion version; uint16 length;` (RFC 8446 §5.1). */
export const RECORD_HEADER_LENGTH = 5;
/** legacy_record_version of every record after the first ClientHello (RFC 8446 §5.1), and TLS 1.2's version. */
export const TLS12_RECORD_VERSION = 0x0303;

/** A record as it came off the wire: header fields and the body (a view, not a copy). */
export interface RawRecord {
  readonly type: number;
  readonly version: number;
  readonly fragment: Uint8Array;
}

/**
 * Protection of one direction. Sealers write a whole record (header included) either into one fresh Uint8Array
 * (`seal`) or at an offset of the caller's array (`sealInto`), so that many records can share one allocation.
 */
export interface RecordSealer {
  /**
   * Seals one fragment (at most {@link MAX_PLAINTEXT_LENGTH} bytes) of content `type`, with `padding` extra zero
   * bytes (TLS 1.3 only), and returns the whole record, header included, in one array the caller owns.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a fragment over 2^14 bytes, an empty handshake or alert
   *   fragment, padding where the protection has none, or a type that is not a content type byte.
   * @throws {ProtocolError} `INTERNAL_ERROR` (fault `'local'`) once the key may seal no more records.
   */
  seal(type: number, fragment: Uint8Array, padding?: number): Uint8Array;
  /**
   * Seals as {@link seal} does, writing the record at `out[offset]`, and returns its length
   * (`overhead + fragment.length + padding`). Every byte of the record is written, whatever `out` held before.
   * @throws {InvalidArgumentError} as {@link seal}, and `INVALID_ARGUMENT` when the record does not fit in `out`.
   * @throws {ProtocolError} as {@link seal}.
   */
  sealInto(type: number, fragment: Uint8Array, out: Uint8Array, offset: number, padding?: number): number;
  /** Bytes a record adds to its content under this protection: header, explicit nonce, inner type byte, tag. */
  readonly overhead: number;
  /** Records sealed with this key so far (the sequence number of the next record). */
  readonly sequence: number;
  /** True once the AEAD's confidentiality limit is near (RFC 8446 §5.5): the engine must KeyUpdate before the next seal. */
  readonly needsKeyUpdate: boolean;
}

/** A record with its protection removed. `fragment` is the content, without TLS 1.3's type byte and padding. */
export interface OpenedRecord {
  readonly type: number;
  readonly fragment: Uint8Array;
}

/** Removal of protection for one direction. */
export interface RecordOpener {
  /**
   * Removes the protection from one record.
   * @throws {ProtocolError} see each implementation; every failure is the peer's (fault `'remote'`).
   */
  open(record: RawRecord): OpenedRecord;
  /** Records opened with this key so far (the sequence number of the next record). */
  readonly sequence: number;
}


const TWO_POW_32 = 0x1_0000_0000;

/**
 * Writes `seq` as a 64-bit big-endian integer at `offset` (RFC 8446 §5.3, RFC 5246 §6.2.3.3), without BigInt: a
 * sequence number stays below 2^53, so its high word is `floor(seq / 2^32)` and its low word `seq >>> 0`.
 */
export function writeSequence(out: Uint8Array, offset: number, seq: number): void {
  const hi = Math.floor(seq / TWO_POW_32);
  const lo = seq >>> 0;
  out[offset] = hi >>> 24;
  out[offset + 1] = (hi >>> 16) & 0xff;
  out[offset + 2] = (hi >>> 8) & 0xff;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
}

/**
 * Scratch space for the record layer's per-record inputs (nonce, additional data), shared by every connection. The
 * engine is synchronous and providers consume both inside `seal`/`open` without keeping them, so one array of each
 * serves all connections: an idle connection holds no buffers of its own for them (~200 bytes of typed array and
 * ArrayBuffer objects each, against the 12 or 13 bytes they carry).
 */
export const SHARED_NONCE = new Uint8Array(12);
/** See {@link SHARED_NONCE}: TLS 1.3's additional data, the 5-byte record header (RFC 8446 §5.2). */
export const SHARED_AAD13 = new Uint8Array(RECORD_HEADER_LENGTH);
/** See {@link SHARED_NONCE}: TLS 1.2's 13-byte additional data (RFC 5246 §6.2.3.3). */
export const SHARED_AAD12 = new Uint8Array(13);

/**
 * A per-record nonce: the 12-byte IV XORed with the sequence number left-padded to 12 bytes (RFC 8446 §5.3; the
 * same construction for ChaCha20-Poly1305 in TLS 1.2, RFC 7905 §2). The IV is kept as four 24-bit numbers: small
 * integers live inside the object on every V8 build (a 32-bit word would be a heap number where pointers are
 * compressed, an array two more objects), and four fields cost 16 bytes less than six 16-bit ones. `at()` writes
 * the nonce into {@link SHARED_NONCE}: valid until the next record is sealed or opened, by any connection. TLS 1.3's
 * sealer and opener extend it, so that their IV lives in their own object.
 */
export class XorNonce {
  /** IV bytes 0–2, 3–5, 6–8 and 9–11, big-endian. */
  readonly #iv0: number;
  readonly #iv1: number;
  readonly #iv2: number;
  readonly #iv3: number;

  constructor(iv: Uint8Array) {
    // Our own copy: the caller may wipe its key material.
    this.#iv0 = (iv[0]! << 16) | (iv[1]! << 8) | iv[2]!;
    this.#iv1 = (iv[3]! << 16) | (iv[4]! << 8) | iv[5]!;
    this.#iv2 = (iv[6]! << 16) | (iv[7]! << 8) | iv[8]!;
    this.#iv3 = (iv[9]! << 16) | (iv[10]! << 8) | iv[11]!;
  }

  /** The nonce for record `seq`, in {@link SHARED_NONCE}. Bytes 0..3 are the IV's own: the sequence number never reaches them. */
  at(seq: number): Uint8Array {
    const nonce = SHARED_NONCE;
    const hi = Math.floor(seq / TWO_POW_32);
    const lo = seq >>> 0;
    const iv0 = this.#iv0;
    const iv1 = this.#iv1;
    const iv2 = this.#iv2;
    const iv3 = this.#iv3;
    nonce[0] = iv0 >>> 16;
    nonce[1] = (iv0 >>> 8) & 0xff;
    nonce[2] = iv0 & 0xff;
    nonce[3] = iv1 >>> 16;
    nonce[4] = ((iv1 >>> 8) & 0xff) ^ (hi >>> 24);
    nonce[5] = (iv1 & 0xff) ^ ((hi >>> 16) & 0xff);
    nonce[6] = (iv2 >>> 16) ^ ((hi >>> 8) & 0xff);
    nonce[7] = ((iv2 >>> 8) & 0xff) ^ (hi & 0xff);
    nonce[8] = (iv2 & 0xff) ^ (lo >>> 24);
    nonce[9] = (iv3 >>> 16) ^ ((lo >>> 16) & 0xff);
    nonce[10] = ((iv3 >>> 8) & 0xff) ^ ((lo >>> 8) & 0xff);
    nonce[11] = (iv3 & 0xff) ^ (lo & 0xff);
    return nonce;
  }
}

/** The last sequence number we will use: past it a 64-bit counter would still be fine, a JS number would not. */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/**
 * Refuses to go past {@link MAX_SEQUENCE}. RFC 8446 §5.3 and RFC 5246 §6.1 forbid wrapping; we stop 2^11 times
 * earlier than the 64-bit counter would, at 2^53 - 1 records (more than 140 EB of full records), so that the counter
 * stays an exact `number`. Reaching it is ours to report (fault `'local'`): the connection cannot go on.
 */
export function checkSequence(seq: number, direction: 'seal' | 'open'): void {
  if (seq >= MAX_SEQUENCE) {
    throw new ProtocolError('INTERNAL_ERROR', `record sequence number exhausted (${direction})`, { fault: 'local' });
  }
}

/** A ProtocolError for the peer's misbehaviour, the form every record-layer failure takes. */
export function remoteError(reason: Reason, message: string): ProtocolError {
  return new ProtocolError(reason, message, { fault: 'remote' });
}

/**
 * Checks the arguments of `seal` (local misuse, so `InvalidArgumentError`): a content type byte that is not 0 (TLS
 * 1.3 finds the type as the last non-zero byte, RFC 8446 §5.4), at most `max` bytes, and no empty handshake or
 * alert fragment (RFC 8446 §5.1, RFC 5246 §6.2.1).
 */
export function checkSealArguments(type: number, fragment: Uint8Array, max: number): void {
  if (!(Number.isInteger(type) && type > 0 && type <= 0xff)) {
    throw new InvalidArgumentError('type', 'INVALID_ARGUMENT', `must be a content type byte (1..255), got ${type}`);
  }
  if (!(fragment instanceof Uint8Array)) {
    throw new InvalidArgumentError('fragment', 'INVALID_ARGUMENT', 'must be a Uint8Array');
  }
  if (fragment.length > max) {
    throw new InvalidArgumentError('fragment', 'INVALID_ARGUMENT', `${fragment.length} bytes exceed the ${max}-byte record limit`);
  }
  if (fragment.length === 0 && (type === ContentType.handshake || type === ContentType.alert)) {
    throw new InvalidArgumentError('fragment', 'INVALID_ARGUMENT', `empty ${contentTypeName(type)} fragments must not be sent`);
  }
}

/**
 * What every sealer's `seal` does: the arguments are checked before the array is made (a refused fragment or padding
 * allocates nothing), then `sealInto` writes the record into an array of exactly its length.
 */
export function sealToNewArray<Padding extends number | undefined>(
  sealer: RecordSealer,
  type: number,
  fragment: Uint8Array,
  padding: Padding,
  checkPadding: (padding: Padding, fragmentLength: number) => void,
): Uint8Array {
  checkSealArguments(type, fragment, MAX_PLAINTEXT_LENGTH);
  checkPadding(padding, fragment.length);
  const out = new Uint8Array(sealer.overhead + fragment.length + (padding ?? 0));
  sealer.sealInto(type, fragment, out, 0, padding);
  return out;
}

/** Writes the 5-byte record header (RFC 8446 §5.1, RFC 5246 §6.2.1): type, version, length of what follows. */
export function writeRecordHeader(out: Uint8Array, offset: number, type: number, version: number, length: number): void {
  out[offset] = type;
  out[offset + 1] = version >>> 8;
  out[offset + 2] = version & 0xff;
  out[offset + 3] = length >>> 8;
  out[offset + 4] = length & 0xff;
}

/** Checks that a record of `length` bytes fits in `out` at `offset` (local misuse otherwise). */
export function checkRoom(out: Uint8Array, offset: number, length: number): void {
  if (!(out instanceof Uint8Array && Number.isInteger(offset) && offset >= 0 && offset + length <= out.length)) {
    throw new InvalidArgumentError('out', 'INVALID_ARGUMENT', `no room for a ${length}-byte record at offset ${offset}`);
  }
}

/** Refuses padding for protections that have none (only TLS 1.3 pads, RFC 8446 §5.4). */
export function checkNoPadding(padding: number | undefined): void {
  if (padding !== undefined && padding !== 0) {
    throw new InvalidArgumentError('padding', 'INVALID_ARGUMENT', 'only TLS 1.3 records can carry padding');
  }
}

/**
 * The content checks every opener shares, after protection is removed: at most `max` bytes (RFC 8446 §5.1, §5.4;
 * RFC 5246 §6.2.1) and no empty handshake or alert fragment (RFC 8446 §5.1; RFC 5246 §6.2.1).
 */
export function checkOpenedContent(type: number, length: number, max: number): void {
  if (length > max) {
    throw remoteError('RECORD_OVERFLOW', `record of ${length} plaintext bytes exceeds the ${max}-byte limit`);
  }
  if (length === 0 && (type === ContentType.handshake || type === ContentType.alert)) {
    throw remoteError('UNEXPECTED_MESSAGE', `empty ${contentTypeName(type)} record`);
  }
}

/** Checks a settable `maxPlaintextLength`: 1..2^14 (RFC 8449 §4 lets a peer lower it, never raise it). */
export function checkMaxPlaintextLength(value: number, argument = 'maxPlaintextLength'): number {
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_PLAINTEXT_LENGTH)) {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', `must be an integer in 1..${MAX_PLAINTEXT_LENGTH}, got ${value}`);
  }
  return value;
}

const CONTENT_TYPE_NAMES: Readonly<Record<number, string>> = {
  [ContentType.change_cipher_spec]: 'change_cipher_spec',
  [ContentType.alert]: 'alert',
  [ContentType.handshake]: 'handshake',
  [ContentType.application_data]: 'application_data',
};

/** `handshake`, `alert`, ... or `content type N`, for messages. */
export function contentTypeName(type: number): string {
  return CONTENT_TYPE_NAMES[type] ?? `content type ${type}`;
}

/** True for the four content types TLS 1.2 and 1.3 define (RFC 8446 §5.1, RFC 5246 §6.2.1). */
export function isKnownContentType(type: number): boolean {
  return type >= ContentType.change_cipher_spec && type <= ContentType.application_data;
}
