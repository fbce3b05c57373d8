import { ByteReader } from '../codec/reader.js';
import { illegalParameter } from './errors.js';

/** KeyUpdateRequest values (RFC 8446 §4.6.3). */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

/**
 * Decodes a KeyUpdate body (RFC 8446 §4.6.3): one byte, `update_not_requested(0)` or `update_requested(1)`.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly one byte.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for any other value: "If an implementation receives any other value,
 *   it MUST terminate the connection with an "illegal_parameter" alert" (RFC 8446 §4.6.3).
 */
export function decodeKeyUpdate(body: Uint8Array): { updateRequested: boolean } {
  const r = new ByteReader(body, 'KeyUpdate');
  const value = r.u8('request_update');
  r.expectEnd();
  if (value !== KeyUpdateRequest.update_not_requested && value !== KeyUpdateRequest.update_requested) {
    throw illegalParameter(`KeyUpdate: request_update is ${value}, not 0 or 1`);
  }
  return { updateRequested: value === KeyUpdateRequest.update_requested };
}

/** Encodes a KeyUpdate body (RFC 8446 §4.6.3). */
export function encodeKeyUpdate(updateRequested: boolean): Uint8Array {
  return Uint8Array.of(updateRequested ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested);
}
