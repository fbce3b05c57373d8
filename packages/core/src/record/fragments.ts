import { InvalidArgumentError } from '@tlsbio/errors';
import { MAX_PLAINTEXT_LENGTH, type RecordSealer } from './common.js';

/**
 * Splits `data` into fragments of at most `maxFragment` bytes and seals each (RFC 8446 §5.1: a message larger than
 * a record is fragmented; the fragments are views of `data`, the sealer copies each into its own record). Returns
 * the records in order, each an array the caller owns (ready for `MemoryBIO.writeOwned`); no records for empty
 * `data`.
 *
 * @param maxFragment at most 2^14 (the default), lower when the peer asked for smaller records (RFC 8449).
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `maxFragment` is not an integer in 1..2^14, or as the
 *   sealer's `seal` does.
 * @example
 * for (const record of sealFragments(sealer, ContentType.handshake, certificateMessage)) outgoing.writeOwned(record);
 */
export function sealFragments(
  sealer: RecordSealer,
  type: number,
  data: Uint8Array,
  maxFragment: number = MAX_PLAINTEXT_LENGTH,
): Uint8Array[] {
  if (!(Number.isInteger(maxFragment) && maxFragment >= 1 && maxFragment <= MAX_PLAINTEXT_LENGTH)) {
    throw new InvalidArgumentError('maxFragment', 'INVALID_ARGUMENT', `must be an integer in 1..${MAX_PLAINTEXT_LENGTH}, got ${maxFragment}`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new InvalidArgumentError('data', 'INVALID_ARGUMENT', 'must be a Uint8Array');
  }
  const records: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += maxFragment) {
    records.push(sealer.seal(type, data.subarray(offset, offset + maxFragment)));
  }
  return records;
}
