/**
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3) for the two AEAD families we support:
 * - AES-GCM (RFC 5288 §3): nonce = 4-byte salt (the write IV) || 8-byte explicit nonce carried at the start of the
 *   record body. We use the sequence number as the explicit nonce, as RFC 5288 §3 suggests: unique per key by
 *   construction.
 * - ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte write IV XOR the sequence number, no explicit nonce.
 * In both, additional_data = seq_num (8) || type (1) || version (2) || plaintext length (2).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import type { AeadAlgorithm, AeadKey } from '../crypto/provider.js';
import { ContentType } from '../msgs/registry.js';
import {
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  TLS12_RECORD_VERSION,
  SHARED_AAD12,
  SHARED_NONCE,
  XorNonce,
  checkMaxPlaintextLength,
  checkNoPadding,
  checkOpenedContent,
  checkRoom,
  checkSealArguments,
  checkSequence,
  contentTypeName,
  remoteError,
  sealToNewArray,
  writeRecordHeader,
  writeSequence,
  type OpenedRecord,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from './common.js';

/** Length of the GCM salt (the TLS 1.2 write IV for GCM suites, RFC 5288 §3). */
const GCM_SALT_LENGTH = 4;
/** Length of GCM's explicit nonce in each record (RFC 5288 §3). */
const GCM_EXPLICIT_NONCE_LENGTH = 8;

/** How one TLS 1.2 AEAD forms its nonces: the explicit part's length, and the nonce for a sequence number. */
interface NonceScheme {
  readonly explicitLength: number;
  /** The nonce for record `seq` (sealing side: its last 8 bytes are the explicit nonce for GCM). */
  at(seq: number): Uint8Array;
  /** The nonce for a received record whose explicit part is `explicit` (GCM); ChaCha ignores it. */
  forReceived(seq: number, explicit: Uint8Array): Uint8Array;
}

/** RFC 5288 §3: salt || explicit nonce, written into the shared scratch (see {@link SHARED_NONCE}). */
class GcmNonce implements NonceScheme {
  readonly explicitLength = GCM_EXPLICIT_NONCE_LENGTH;
  /** The 4-byte salt as one number (below 2^32; a small integer when below 2^30). */
  readonly #salt: number;

  constructor(salt: Uint8Array) {
    this.#salt = ((salt[0]! << 24) | (salt[1]! << 16) | (salt[2]! << 8) | salt[3]!) >>> 0;
  }

  #withSalt(): Uint8Array {
    const nonce = SHARED_NONCE;
    const salt = this.#salt;
    nonce[0] = salt >>> 24;
    nonce[1] = (salt >>> 16) & 0xff;
    nonce[2] = (salt >>> 8) & 0xff;
    nonce[3] = salt & 0xff;
    return nonce;
  }

  at(seq: number): Uint8Array {
    const nonce = this.#withSalt();
    writeSequence(nonce, GCM_SALT_LENGTH, seq);
    return nonce;
  }

  forReceived(_seq: number, explicit: Uint8Array): Uint8Array {
    // RFC 5288 §3: the receiver takes the explicit nonce as sent; it need not equal the sequence number.
    const nonce = this.#withSalt();
    nonce.set(explicit, GCM_SALT_LENGTH);
    return nonce;
  }
}

class ChaChaNonce implements NonceScheme {
  readonly explicitLength = 0;
  readonly #xor: XorNonce;

  constructor(iv: Uint8Array) {
    this.#xor = new XorNonce(iv);
  }

  at(seq: number): Uint8Array {
    return this.#xor.at(seq);
  }

  forReceived(seq: number): Uint8Array {
    return this.#xor.at(seq);
  }
}

function nonceScheme(iv: Uint8Array, aead: AeadAlgorithm): NonceScheme {
  const gcm = aead.name === 'aes_128_gcm' || aead.name === 'aes_256_gcm';
  const ivLength = gcm ? GCM_SALT_LENGTH : 12;
  if (aead.nonceLength !== 12 || !(iv instanceof Uint8Array) || iv.length !== ivLength) {
    // RFC 5288 §3: 4-byte salt for GCM; RFC 7905 §2: 12-byte IV for ChaCha20-Poly1305.
    throw new InvalidArgumentError('iv', 'INVALID_ARGUMENT', `${aead.name} in TLS 1.2 needs a ${ivLength}-byte IV`);
  }
  return gcm ? new GcmNonce(iv) : new ChaChaNonce(iv);
}

function checkRecordVersion(version: number): number {
  if (!(Number.isInteger(version) && version >= 0 && version <= 0xffff)) {
    throw new InvalidArgumentError('version', 'INVALID_ARGUMENT', `must be a 16-bit integer, got ${version}`);
  }
  return version;
}

/** Fills the 13-byte additional_data of RFC 5246 §6.2.3.3. */
function fillAad(aad: Uint8Array, seq: number, type: number, version: number, length: number): Uint8Array {
  writeSequence(aad, 0, seq);
  aad[8] = type;
  aad[9] = version >>> 8;
  aad[10] = version & 0xff;
  aad[11] = length >>> 8;
  aad[12] = length & 0xff;
  return aad;
}

/**
 * Seals TLS 1.2 AEAD records (RFC 5246 §6.2.3.3 with RFC 5288 or RFC 7905 nonces) into one array each: header,
 * explicit nonce (GCM), ciphertext, tag.
 *
 * @example
 * const sealer = new Tls12AeadSealer(aead.importKey(clientWriteKey), clientWriteIv, aead);
 * outgoing.writeOwned(sealer.seal(ContentType.application_data, data));
 */
export class Tls12AeadSealer implements RecordSealer {
  readonly #key: AeadKey;
  readonly #nonces: NonceScheme;
  readonly #tagLength: number;
  readonly #version: number;
  #sequence = 0;

  /**
   * @param key the write key from the key block (RFC 5246 §6.3), imported with `aead.importKey`.
   * @param iv the write IV from the key block: the 4-byte salt for AES-GCM, 12 bytes for ChaCha20-Poly1305; copied.
   * @param version the record version, 0x0303 (TLS 1.2) by default.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `iv` has the wrong length or `version` is not 16 bits.
   */
  constructor(key: AeadKey, iv: Uint8Array, aead: AeadAlgorithm, version: number = TLS12_RECORD_VERSION) {
    this.#nonces = nonceScheme(iv, aead);
    this.#key = key;
    this.#tagLength = aead.tagLength;
    this.#version = checkRecordVersion(version);
  }

  get sequence(): number {
    return this.#sequence;
  }

  /**
   * Always false. TLS 1.2 can only rekey by renegotiation, which tlsbio never does, and RFC 8446 §5.5's limits are
   * TLS 1.3's; a TLS 1.2 connection uses one key until it closes (as OpenSSL and Go do).
   */
  get needsKeyUpdate(): boolean {
    return false;
  }

  /**
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a fragment over 2^14 bytes, an empty handshake or alert
   *   fragment, a type that is not a byte, or non-zero `padding` (TLS 1.2 AEAD records have none).
   * @throws {ProtocolError} `INTERNAL_ERROR` (fault `'local'`) past 2^53 - 1 records.
   */
  seal(type: number, fragment: Uint8Array, padding?: number): Uint8Array {
    return sealToNewArray(this, type, fragment, padding, checkNoPadding);
  }

  /** Header, explicit nonce (8 bytes for GCM, none for ChaCha20-Poly1305) and tag. */
  get overhead(): number {
    return RECORD_HEADER_LENGTH + this.#nonces.explicitLength + this.#tagLength;
  }

  /**
   * Seals one record into `out` at `offset` (see {@link seal}) and returns its length.
   * @throws {InvalidArgumentError} as {@link seal}, and `INVALID_ARGUMENT` when the record does not fit in `out`.
   * @throws {ProtocolError} as {@link seal}.
   */
  sealInto(type: number, fragment: Uint8Array, out: Uint8Array, offset: number, padding?: number): number {
    checkSealArguments(type, fragment, MAX_PLAINTEXT_LENGTH);
    checkNoPadding(padding);
    const seq = this.#sequence;
    checkSequence(seq, 'seal');
    const length = fragment.length;
    const explicitLength = this.#nonces.explicitLength;
    const bodyLength = explicitLength + length + this.#tagLength;
    checkRoom(out, offset, RECORD_HEADER_LENGTH + bodyLength);
    const version = this.#version;
    writeRecordHeader(out, offset, type, version, bodyLength);
    const nonce = this.#nonces.at(seq);
    // RFC 5288 §3: GCM's explicit nonce (our sequence number) opens the body.
    if (explicitLength > 0) out.set(nonce.subarray(12 - explicitLength), offset + RECORD_HEADER_LENGTH);
    const start = offset + RECORD_HEADER_LENGTH + explicitLength;
    out.set(fragment, start);
    const aad = fillAad(SHARED_AAD12, seq, type, version, length);
    this.#key.sealInPlace(nonce, out, start, length, aad);
    this.#sequence = seq + 1;
    return RECORD_HEADER_LENGTH + bodyLength;
  }
}

/**
 * Opens TLS 1.2 AEAD records. The returned fragment is a view of the decrypted bytes (no copy). A record that fails
 * authentication does not advance the sequence number.
 *
 * @example
 * const opener = new Tls12AeadOpener(aead.importKey(serverWriteKey), serverWriteIv, aead);
 * const { type, fragment } = opener.open(record);
 */
export class Tls12AeadOpener implements RecordOpener {
  readonly #key: AeadKey;
  readonly #nonces: NonceScheme;
  readonly #tagLength: number;
  readonly #version: number;
  #maxPlaintextLength = MAX_PLAINTEXT_LENGTH;
  #sequence = 0;

  /**
   * @param key the peer's write key from the key block, imported with `aead.importKey`.
   * @param iv the peer's write IV: the 4-byte salt for AES-GCM, 12 bytes for ChaCha20-Poly1305; copied.
   * @param version the record version every record must carry, 0x0303 (TLS 1.2) by default.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `iv` has the wrong length or `version` is not 16 bits.
   */
  constructor(key: AeadKey, iv: Uint8Array, aead: AeadAlgorithm, version: number = TLS12_RECORD_VERSION) {
    this.#nonces = nonceScheme(iv, aead);
    this.#key = key;
    this.#tagLength = aead.tagLength;
    this.#version = checkRecordVersion(version);
  }

  get sequence(): number {
    return this.#sequence;
  }

  /** Largest plaintext accepted: 2^14 (RFC 5246 §6.2.1) unless lowered (RFC 8449 §4, RFC 6066 §4). */
  get maxPlaintextLength(): number {
    return this.#maxPlaintextLength;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not an integer in 1..2^14. */
  set maxPlaintextLength(value: number) {
    this.#maxPlaintextLength = checkMaxPlaintextLength(value);
  }

  /**
   * @throws {ProtocolError} `WRONG_VERSION_NUMBER` (protocol_version) when the record's version is not the
   *   negotiated one.
   * @throws {ProtocolError} `UNEXPECTED_CCS_MESSAGE` (unexpected_message) for a protected change_cipher_spec, which
   *   only renegotiation would send.
   * @throws {ProtocolError} `RECORD_OVERFLOW` (record_overflow) when the plaintext would exceed 2^14 bytes, or
   *   {@link maxPlaintextLength}.
   * @throws {ProtocolError} `BAD_RECORD_MAC` (bad_record_mac) when the record is too short for its nonce and tag or
   *   fails authentication (RFC 5246 §6.2.3.3).
   * @throws {ProtocolError} `UNEXPECTED_MESSAGE` (unexpected_message) for an empty handshake or alert fragment.
   */
  open(record: RawRecord): OpenedRecord {
    const { type, version, fragment } = record;
    // RFC 5246 §6.2.1 and Appendix E.1: after the hellos every record carries the negotiated version (OpenSSL
    // answers a mismatch with protocol_version). It is also in additional_data, so a changed one could not verify.
    if (version !== this.#version) {
      throw remoteError('WRONG_VERSION_NUMBER', `record version 0x${version.toString(16).padStart(4, '0')} after negotiating 0x${this.#version.toString(16).padStart(4, '0')}`);
    }
    // RFC 5246 §7.1: change_cipher_spec is sent under the old state, so a protected one means renegotiation, which
    // we neither do nor accept.
    if (type === ContentType.change_cipher_spec) {
      throw remoteError('UNEXPECTED_CCS_MESSAGE', 'protected change_cipher_spec record');
    }
    const explicitLength = this.#nonces.explicitLength;
    const overhead = explicitLength + this.#tagLength;
    // RFC 5246 §6.2.3.3: a body too short for nonce and tag cannot authenticate.
    if (fragment.length < overhead) {
      throw remoteError('BAD_RECORD_MAC', `protected record of ${fragment.length} bytes is shorter than its ${overhead}-byte overhead`);
    }
    const length = fragment.length - overhead;
    // RFC 5246 §6.2.1, §6.2.3: at most 2^14 bytes of plaintext; known before decryption.
    if (length > this.#maxPlaintextLength) {
      throw remoteError('RECORD_OVERFLOW', `protected record holds ${length} bytes of plaintext, over the ${this.#maxPlaintextLength}-byte limit`);
    }
    const seq = this.#sequence;
    checkSequence(seq, 'open');
    const nonce = this.#nonces.forReceived(seq, fragment.subarray(0, explicitLength));
    const aad = fillAad(SHARED_AAD12, seq, type, version, length);
    const plaintext = this.#key.open(nonce, fragment.subarray(explicitLength), aad);
    if (plaintext === null) throw remoteError('BAD_RECORD_MAC', `${contentTypeName(type)} record authentication failed`);
    this.#sequence = seq + 1;
    checkOpenedContent(type, plaintext.length, this.#maxPlaintextLength);
    return { type, fragment: plaintext };
  }
}
