import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { illegalParameter, invalidArgument } from '../errors.js';

/** Smallest record_size_limit allowed (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT = 64;
/** The largest record_size_limit a TLS 1.3 endpoint may announce: 2^14 plus the content type byte (RFC 8449 §4). */
export const MAX_RECORD_SIZE_LIMIT = 16384 + 1;

/**
 * Encodes a record_size_limit body (RFC 8449 §4): `uint16 RecordSizeLimit`.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `limit` is outside 64..65535.
 */
export function encodeRecordSizeLimit(limit: number): Uint8Array {
  if (limit < MIN_RECORD_SIZE_LIMIT) throw invalidArgument('limit', `at least ${MIN_RECORD_SIZE_LIMIT}, got ${limit}`);
  return new ByteWriter(2).u16(limit, 'RecordSizeLimit').finish();
}

/**
 * Decodes a record_size_limit body (RFC 8449 §4). Values above the protocol's record size are carried; the record
 * layer clamps them.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly two bytes.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a value below 64: "An endpoint MUST treat receipt of a smaller
 *   value as a fatal error and generate an "illegal_parameter" alert" (RFC 8449 §4).
 */
export function decodeRecordSizeLimit(data: Uint8Array): number {
  const r = new ByteReader(data, 'record_size_limit');
  const limit = r.u16('RecordSizeLimit');
  r.expectEnd();
  if (limit < MIN_RECORD_SIZE_LIMIT) throw illegalParameter(`record_size_limit: ${limit} is below 64`);
  return limit;
}
