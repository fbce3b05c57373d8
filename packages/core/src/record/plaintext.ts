import { InvalidArgumentError } from '@tlsbio/errors';
import { ContentType } from '../msgs/registry.js';
import {
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  TLS12_RECORD_VERSION,
  checkMaxPlaintextLength,
  checkNoPadding,
  checkOpenedContent,
  checkRoom,
  checkSealArguments,
  checkSequence,
  remoteError,
  sealToNewArray,
  writeRecordHeader,
  type OpenedRecord,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from './common.js';

/** Options of {@link PlaintextSealer}. */
export interface PlaintextSealerOptions {
  /** legacy_record_version: 0x0301 for a client's first ClientHello, 0x0303 (the default) otherwise (RFC 8446 §5.1). */
  legacyRecordVersion?: number;
}

/**
 * The null protection of the first flight (RFC 8446 §5.1 TLSPlaintext, RFC 5246 §6.2.1): header and fragment, no
 * encryption. Each record is one new array.
 *
 * @example
 * const sealer = new PlaintextSealer({ legacyRecordVersion: 0x0301 });
 * outgoing.writeOwned(sealer.seal(ContentType.handshake, clientHello));
 */
export class PlaintextSealer implements RecordSealer {
  #legacyRecordVersion: number;
  #sequence = 0;

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `legacyRecordVersion` is not a 16-bit integer. */
  constructor(options: PlaintextSealerOptions = {}) {
    this.#legacyRecordVersion = checkVersion(options.legacyRecordVersion ?? TLS12_RECORD_VERSION);
  }

  /** The version written in each record header; settable (the engine moves from 0x0301 to 0x0303). */
  get legacyRecordVersion(): number {
    return this.#legacyRecordVersion;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not a 16-bit integer. */
  set legacyRecordVersion(value: number) {
    this.#legacyRecordVersion = checkVersion(value);
  }

  get sequence(): number {
    return this.#sequence;
  }

  /** Always false: there is no key to wear out. */
  get needsKeyUpdate(): boolean {
    return false;
  }

  /**
   * Frames `fragment` as one TLSPlaintext record.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a fragment over 2^14 bytes, an empty handshake or alert
   *   fragment, a `type` that is not a content type byte, or non-zero `padding` (plaintext records have none).
   */
  seal(type: number, fragment: Uint8Array, padding?: number): Uint8Array {
    return sealToNewArray(this, type, fragment, padding, checkNoPadding);
  }

  /** The header alone. */
  get overhead(): number {
    return RECORD_HEADER_LENGTH;
  }

  /**
   * Frames `fragment` at `out[offset]` and returns the record's length.
   * @throws {InvalidArgumentError} as {@link seal}, and `INVALID_ARGUMENT` when the record does not fit in `out`.
   */
  sealInto(type: number, fragment: Uint8Array, out: Uint8Array, offset: number, padding?: number): number {
    checkSealArguments(type, fragment, MAX_PLAINTEXT_LENGTH);
    checkNoPadding(padding);
    checkSequence(this.#sequence, 'seal');
    const length = fragment.length;
    checkRoom(out, offset, RECORD_HEADER_LENGTH + length);
    writeRecordHeader(out, offset, type, this.#legacyRecordVersion, length);
    out.set(fragment, offset + RECORD_HEADER_LENGTH);
    this.#sequence++;
    return RECORD_HEADER_LENGTH + length;
  }
}

/**
 * Reads unprotected records (RFC 8446 §5.1, RFC 5246 §6.2.1): checks them and hands the fragment on as it is (a view,
 * no copy).
 *
 * @example
 * const { type, fragment } = new PlaintextOpener().open(record);
 */
export class PlaintextOpener implements RecordOpener {
  #maxPlaintextLength = MAX_PLAINTEXT_LENGTH;
  #sequence = 0;

  /**
   * Largest fragment accepted: 2^14 (RFC 8446 §5.1) unless lowered, e.g. to the limit we announced in
   * record_size_limit (RFC 8449 §4).
   */
  get maxPlaintextLength(): number {
    return this.#maxPlaintextLength;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not an integer in 1..2^14. */
  set maxPlaintextLength(value: number) {
    this.#maxPlaintextLength = checkMaxPlaintextLength(value);
  }

  get sequence(): number {
    return this.#sequence;
  }

  /**
   * @throws {ProtocolError} `UNEXPECTED_RECORD` (unexpected_message) for application_data, which is never sent
   *   unprotected.
   * @throws {ProtocolError} `RECORD_OVERFLOW` (record_overflow) for a fragment over {@link maxPlaintextLength}.
   * @throws {ProtocolError} `UNEXPECTED_MESSAGE` (unexpected_message) for an empty handshake or alert fragment.
   */
  open(record: RawRecord): OpenedRecord {
    const { type, fragment } = record;
    // RFC 8446 §2, §5.2 and RFC 5246 §6.2.3: application data only ever travels under the traffic keys. Anything
    // that reaches the plaintext opener with that type (a client's 0-RTT data after a HelloRetryRequest, RFC 8446
    // §4.2.10, is skipped by the engine before it gets here) is a violation.
    if (type === ContentType.application_data) {
      throw remoteError('UNEXPECTED_RECORD', 'unprotected application_data record');
    }
    // RFC 8446 §5.1: a TLSPlaintext fragment longer than 2^14 is a record_overflow; zero-length handshake (and, RFC
    // 5246 §6.2.1, alert) fragments are not allowed.
    checkOpenedContent(type, fragment.length, this.#maxPlaintextLength);
    checkSequence(this.#sequence, 'open');
    this.#sequence++;
    return { type, fragment };
  }
}

function checkVersion(value: number): number {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff)) {
    throw new InvalidArgumentError('legacyRecordVersion', 'INVALID_ARGUMENT', `must be a 16-bit integer, got ${value}`);
  }
  return value;
}
