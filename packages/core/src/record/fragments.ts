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

/** Most records {@link sealRecords} puts in one array (256 KiB of content): a bound on one allocation. */
export const MAX_RECORDS_PER_BATCH = 16;

/** What {@link sealRecords} produced: the records back to back, and how many bytes of the input they carry. */
export interface SealedRecords {
  readonly records: Uint8Array;
  readonly consumed: number;
}

/**
 * Seals the start of `data` as consecutive records of content `type` in **one** new array, as many as fit in
 * `space` bytes (at most {@link MAX_RECORDS_PER_BATCH}): full records of `maxFragment` bytes, the last one shorter
 * when `data` ends or `space` runs out. One allocation and one BIO chunk per batch rather than per record is most of
 * the bulk-transfer cost that is not the cipher itself (the collector sees a quarter of the arrays, and the
 * transport gets the batch whole, without the concatenation a multi-chunk BIO read costs).
 *
 * Sealing stops after a record that leaves the key needing an update (RFC 8446 §5.5), so that the caller can send
 * its KeyUpdate before the next record; `consumed` then counts only what was sealed.
 *
 * @param space bytes the records may take in all (`Infinity` for no bound). Nothing is sealed when not even a
 *   one-byte record fits: `consumed` is 0 and `records` empty.
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `maxFragment` is not an integer in 1..2^14, or as the
 *   sealer's `sealInto` does.
 * @throws {ProtocolError} as the sealer's `sealInto` does.
 * @example
 * const { records, consumed } = sealRecords(sealer, ContentType.application_data, data, outgoing.space);
 * if (consumed > 0) outgoing.writeOwned(records);
 */
export function sealRecords(
  sealer: RecordSealer,
  type: number,
  data: Uint8Array,
  space: number,
  maxFragment: number = MAX_PLAINTEXT_LENGTH,
): SealedRecords {
  if (!(Number.isInteger(maxFragment) && maxFragment >= 1 && maxFragment <= MAX_PLAINTEXT_LENGTH)) {
    throw new InvalidArgumentError('maxFragment', 'INVALID_ARGUMENT', `must be an integer in 1..${MAX_PLAINTEXT_LENGTH}, got ${maxFragment}`);
  }
  const overhead = sealer.overhead;
  // Plan the batch first, so that it is one allocation: each record takes what is left of `space` after its overhead.
  let count = 0;
  let planned = 0;
  let total = 0;
  while (planned < data.length && count < MAX_RECORDS_PER_BATCH) {
    const room = space - total - overhead;
    if (room <= 0) break;
    const length = Math.min(data.length - planned, maxFragment, room);
    planned += length;
    total += length + overhead;
    count++;
  }
  if (count === 0) return { records: EMPTY, consumed: 0 };

  const records = new Uint8Array(total);
  let consumed = 0;
  let written = 0;
  for (let i = 0; i < count; i++) {
    const length = Math.min(data.length - consumed, maxFragment, space - written - overhead); // as planned
    written += sealer.sealInto(type, data.subarray(consumed, consumed + length), records, written);
    consumed += length;
    if (sealer.needsKeyUpdate) break;
  }
  return { records: written === total ? records : records.subarray(0, written), consumed };
}

const EMPTY = new Uint8Array(0);
