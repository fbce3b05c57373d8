/**
 * TLS 1.3 record protection (RFC 8446 §5.2-§5.5): TLSInnerPlaintext (content, type byte, zero padding) sealed with
 * the traffic key under a per-record nonce; the outer record always says application_data, version 0x0303.
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import type { AeadAlgorithm, AeadKey } from '../crypto/provider.js';
import { ContentType } from '../msgs/registry.js';
import {
  MAX_PLAINTEXT_LENGTH,
  MAX_SEQUENCE,
  RECORD_HEADER_LENGTH,
  TLS12_RECORD_VERSION,
  SHARED_AAD13,
  XorNonce,
  checkMaxPlaintextLength,
  checkOpenedContent,
  checkRoom,
  checkSealArguments,
  checkSequence,
  contentTypeName,
  remoteError,
  sealToNewArray,
  writeRecordHeader,
  type OpenedRecord,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from './common.js';

/**
 * Records a key may seal before the engine must rekey, by AEAD (RFC 8446 §5.5).
 *
 * AES-GCM: RFC 8446 §5.5 allows 2^24.5 full-size records (about 23.7 million) per key. We ask for a KeyUpdate at
 * 2^24 (about 16.8 million records, 256 GiB of full records): the ~7 million records of margin cover the KeyUpdate
 * itself and anything the engine queued before it noticed. ChaCha20-Poly1305 has no practical limit (RFC 8446 §5.5
 * gives none; the bound of draft-irtf-cfrg-aead-limits is beyond 2^53).
 */
export const DEFAULT_GCM_RECORD_LIMIT = 2 ** 24;
/** The hard limit for AES-GCM keys: floor(2^24.5) records (RFC 8446 §5.5). */
export const GCM_HARD_RECORD_LIMIT = Math.floor(2 ** 24.5);

/** Options of {@link Tls13Sealer}. */
export interface Tls13SealerOptions {
  /**
   * Records after which {@link Tls13Sealer.needsKeyUpdate} turns true. Default: {@link DEFAULT_GCM_RECORD_LIMIT} for
   * AES-GCM, `Number.MAX_SAFE_INTEGER` (none) for ChaCha20-Poly1305. At most the AEAD's hard limit.
   */
  recordLimit?: number;
}

function isGcm(aead: AeadAlgorithm): boolean {
  return aead.name === 'aes_128_gcm' || aead.name === 'aes_256_gcm';
}

function checkIv(iv: Uint8Array, aead: AeadAlgorithm): void {
  // RFC 8446 §5.3: the per-record nonce is as long as the IV, iv_length = max(8, AEAD's N_MIN) = 12 for our AEADs.
  if (!(iv instanceof Uint8Array) || iv.length !== aead.nonceLength || aead.nonceLength !== 12) {
    throw new InvalidArgumentError('iv', 'INVALID_ARGUMENT', `${aead.name} in TLS 1.3 needs a 12-byte IV`);
  }
}

/** RFC 8446 §5.4: content, type byte and padding together may not exceed 2^14 + 1 bytes. */
function checkPadding(padding: number, length: number): void {
  if (!(Number.isInteger(padding) && padding >= 0 && length + padding <= MAX_PLAINTEXT_LENGTH)) {
    throw new InvalidArgumentError('padding', 'INVALID_ARGUMENT', `must be an integer in 0..${MAX_PLAINTEXT_LENGTH - length}, got ${padding}`);
  }
}

/**
 * Seals TLS 1.3 records (RFC 8446 §5.2): `type || padding` is appended to the content, the whole is encrypted with
 * the header as additional data, and the record is written into one array holding header, ciphertext and tag.
 *
 * Sequence numbers start at 0 for each key (RFC 8446 §5.3); a KeyUpdate means a new sealer. The sealer is its own
 * {@link XorNonce} (the IV lives in this object: a nonce object apart cost every connection ~72 bytes a direction).
 *
 * @example
 * const sealer = new Tls13Sealer(aead.importKey(key), iv, aead);
 * outgoing.writeOwned(sealer.seal(ContentType.application_data, data));
 * if (sealer.needsKeyUpdate) sendKeyUpdate();
 */
export class Tls13Sealer extends XorNonce implements RecordSealer {
  readonly #key: AeadKey;
  readonly #tagLength: number;
  readonly #recordLimit: number;
  readonly #hardLimit: number;
  #sequence = 0;

  /**
   * @param key the write key, imported with `aead.importKey`.
   * @param iv the 12-byte write IV (RFC 8446 §7.3); copied.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `iv` is not 12 bytes, or `recordLimit` is not an integer
   *   in 1..the AEAD's hard limit.
   */
  constructor(key: AeadKey, iv: Uint8Array, aead: AeadAlgorithm, options: Tls13SealerOptions = {}) {
    checkIv(iv, aead);
    super(iv);
    this.#key = key;
    this.#tagLength = aead.tagLength;
    this.#hardLimit = isGcm(aead) ? GCM_HARD_RECORD_LIMIT : MAX_SEQUENCE;
    const limit = options.recordLimit ?? (isGcm(aead) ? DEFAULT_GCM_RECORD_LIMIT : MAX_SEQUENCE);
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= this.#hardLimit)) {
      throw new InvalidArgumentError('recordLimit', 'INVALID_ARGUMENT', `must be an integer in 1..${this.#hardLimit} for ${aead.name}, got ${limit}`);
    }
    this.#recordLimit = limit;
  }

  get sequence(): number {
    return this.#sequence;
  }

  /** True once {@link sequence} has reached the record limit: send a KeyUpdate (sealed with this key) and rekey. */
  get needsKeyUpdate(): boolean {
    return this.#sequence >= this.#recordLimit;
  }

  /**
   * Seals one record of content `type` holding `fragment` and `padding` zero bytes.
   *
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for `fragment.length + padding` over 2^14 (the whole
   *   TLSInnerPlaintext may not exceed 2^14 + 1 bytes, RFC 8446 §5.4), an empty handshake or alert fragment, a type
   *   of 0 or over 255, or a negative or fractional padding.
   * @throws {ProtocolError} `INTERNAL_ERROR` (fault `'local'`) for application data once an AES-GCM key has sealed
   *   2^24.5 records (RFC 8446 §5.5); handshake and alert records (the KeyUpdate, a closing alert) are still sealed.
   *   Also for any record past 2^53 - 1.
   */
  seal(type: number, fragment: Uint8Array, padding = 0): Uint8Array {
    return sealToNewArray(this, type, fragment, padding, checkPadding);
  }

  /** Header, inner content type byte and tag: 22 bytes for our AEADs (RFC 8446 §5.2). */
  get overhead(): number {
    return RECORD_HEADER_LENGTH + 1 + this.#tagLength;
  }

  /**
   * Seals one record into `out` at `offset` (see {@link seal}) and returns its length. The inner plaintext is staged
   * where its ciphertext goes and encrypted in place, so records sealed one after another into one array need no
   * other buffer.
   *
   * @throws {InvalidArgumentError} as {@link seal}, and `INVALID_ARGUMENT` when the record does not fit in `out`.
   * @throws {ProtocolError} as {@link seal}.
   */
  sealInto(type: number, fragment: Uint8Array, out: Uint8Array, offset: number, padding = 0): number {
    checkSealArguments(type, fragment, MAX_PLAINTEXT_LENGTH);
    const length = fragment.length;
    checkPadding(padding, length);
    const seq = this.#sequence;
    checkSequence(seq, 'seal');
    if (seq >= this.#hardLimit && type === ContentType.application_data) {
      throw new ProtocolError('INTERNAL_ERROR', `the ${this.#hardLimit}-record limit of this key is reached: KeyUpdate first`, {
        fault: 'local',
      });
    }

    const innerLength = length + 1 + padding;
    const recordLength = innerLength + this.#tagLength;
    checkRoom(out, offset, RECORD_HEADER_LENGTH + recordLength);
    // opaque_type application_data, legacy_record_version 0x0303 (RFC 8446 §5.2)
    writeRecordHeader(out, offset, ContentType.application_data, TLS12_RECORD_VERSION, recordLength);
    const body = offset + RECORD_HEADER_LENGTH;
    out.set(fragment, body);
    out[body + length] = type;
    if (padding > 0) out.fill(0, body + length + 1, body + innerLength);
    // RFC 8446 §5.2: additional_data = the record header (opaque_type || legacy_record_version || length).
    const aad = out.subarray(offset, body);
    this.#key.sealInPlace(this.at(seq), out, body, innerLength, aad);
    this.#sequence = seq + 1;
    return RECORD_HEADER_LENGTH + recordLength;
  }
}

/**
 * Opens TLS 1.3 records (RFC 8446 §5.2, §5.4): decrypts, then finds the real content type as the last non-zero byte
 * of the inner plaintext. The returned fragment is a view of the decrypted bytes (no copy).
 *
 * Like the sealer, the opener is its own {@link XorNonce}. A record that fails authentication does not advance the
 * sequence number, so the engine can skip rejected 0-RTT records by trial decryption (RFC 8446 §4.2.10) and go on
 * with the same opener.
 *
 * @example
 * const opener = new Tls13Opener(aead.importKey(key), iv, aead);
 * const { type, fragment } = opener.open(record);
 */
export class Tls13Opener extends XorNonce implements RecordOpener {
  readonly #key: AeadKey;
  readonly #tagLength: number;
  #maxPlaintextLength = MAX_PLAINTEXT_LENGTH;
  #sequence = 0;

  /**
   * @param key the read key, imported with `aead.importKey`.
   * @param iv the 12-byte read IV (RFC 8446 §7.3); copied.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `iv` is not 12 bytes.
   */
  constructor(key: AeadKey, iv: Uint8Array, aead: AeadAlgorithm) {
    checkIv(iv, aead);
    super(iv);
    this.#key = key;
    this.#tagLength = aead.tagLength;
  }

  get sequence(): number {
    return this.#sequence;
  }

  /**
   * Largest content accepted: 2^14 (RFC 8446 §5.4) unless lowered. With record_size_limit (RFC 8449 §4), whose value
   * counts the type byte and padding in TLS 1.3, set this to that value minus one.
   */
  get maxPlaintextLength(): number {
    return this.#maxPlaintextLength;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not an integer in 1..2^14. */
  set maxPlaintextLength(value: number) {
    this.#maxPlaintextLength = checkMaxPlaintextLength(value);
  }

  /**
   * @throws {ProtocolError} `UNEXPECTED_RECORD` (unexpected_message) when the outer type is not application_data
   *   (RFC 8446 §5.2).
   * @throws {ProtocolError} `RECORD_OVERFLOW` (record_overflow) when the inner plaintext exceeds 2^14 + 1 bytes
   *   (RFC 8446 §5.4), or {@link maxPlaintextLength} + 1.
   * @throws {ProtocolError} `BAD_RECORD_MAC` (bad_record_mac) when authentication fails (RFC 8446 §5.2).
   * @throws {ProtocolError} `BAD_RECORD_TYPE` (unexpected_message) when the inner plaintext has no non-zero byte, or
   *   its type is not alert, handshake or application_data (RFC 8446 §5.4).
   * @throws {ProtocolError} `UNEXPECTED_CCS_MESSAGE` (unexpected_message) for a protected change_cipher_spec (RFC 8446 §5).
   * @throws {ProtocolError} `UNEXPECTED_MESSAGE` (unexpected_message) for an empty handshake or alert (RFC 8446 §5.1).
   */
  open(record: RawRecord): OpenedRecord {
    const { fragment } = record;
    // RFC 8446 §5.2: every protected record says application_data outside. (A change_cipher_spec, the one
    // exception, is handled by the engine before it gets here, RFC 8446 §5.)
    if (record.type !== ContentType.application_data) {
      throw remoteError('UNEXPECTED_RECORD', `protected record with outer ${contentTypeName(record.type)}`);
    }
    // RFC 8446 §5.4: the TLSInnerPlaintext (content, type, padding) may not exceed 2^14 + 1 bytes. Known before
    // decryption, so an oversized record costs us no AEAD work.
    const innerMax = this.#maxPlaintextLength + 1;
    if (fragment.length - this.#tagLength > innerMax) {
      throw remoteError('RECORD_OVERFLOW', `protected record of ${fragment.length} bytes holds more than ${innerMax} bytes of plaintext`);
    }
    const seq = this.#sequence;
    checkSequence(seq, 'open');
    const aad = SHARED_AAD13;
    // RFC 8446 §5.2: additional_data is the header as received.
    aad[0] = record.type;
    aad[1] = record.version >>> 8;
    aad[2] = record.version & 0xff;
    aad[3] = fragment.length >>> 8;
    aad[4] = fragment.length & 0xff;
    const inner = this.#key.open(this.at(seq), fragment, aad);
    // RFC 8446 §5.2: deprotection failure is bad_record_mac. The sequence number stays, see the class comment.
    if (inner === null) throw remoteError('BAD_RECORD_MAC', 'record authentication failed');
    this.#sequence = seq + 1;

    // RFC 8446 §5.4: the content type is the last non-zero byte; everything after it is padding.
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw remoteError('BAD_RECORD_TYPE', 'protected record without a content type (all zero)');
    const type = inner[end]!;
    if (type === ContentType.change_cipher_spec) {
      // RFC 8446 §5: a protected change_cipher_spec is unexpected_message.
      throw remoteError('UNEXPECTED_CCS_MESSAGE', 'protected change_cipher_spec record');
    }
    if (type !== ContentType.application_data && type !== ContentType.handshake && type !== ContentType.alert) {
      // RFC 8446 §5: an unexpected record type is unexpected_message.
      throw remoteError('BAD_RECORD_TYPE', `protected record of unknown ${contentTypeName(type)}`);
    }
    checkOpenedContent(type, end, this.#maxPlaintextLength);
    return { type, fragment: inner.subarray(0, end) };
  }
}
