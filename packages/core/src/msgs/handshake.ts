import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';

/** Length of the handshake header: `HandshakeType msg_type; uint24 length;` (RFC 8446 §4). */
export const HANDSHAKE_HEADER_LENGTH = 4;

/**
 * Frames a handshake message body with its 4-byte header (RFC 8446 §4): type, then the body length as uint24.
 * The result is what goes into the transcript hash and the record layer.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `type` is not a byte.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the body exceeds 2^24-1 bytes.
 * @example
 * const message = encodeHandshake(HandshakeType.finished, encodeFinished(verifyData));
 */
export function encodeHandshake(type: number, body: Uint8Array): Uint8Array {
  const w = new ByteWriter(HANDSHAKE_HEADER_LENGTH + body.length);
  w.u8(type, 'msg_type');
  w.vector24((v) => v.bytes(body, 'body'), 'body');
  return w.finish();
}

/** A handshake message split into its type and body. */
export interface HandshakeMessage {
  readonly type: number;
  /** The body, a view of the input. */
  readonly body: Uint8Array;
}

/**
 * Splits one complete handshake message (header included) into its type and body, requiring the length field to
 * match exactly. The engine's handshake reassembly does its own framing; this is for single messages (tests, the
 * synthetic message_hash, a stored ClientHello).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the header is truncated or the length disagrees with the bytes given.
 * @example
 * const { type, body } = decodeHandshake(message);
 */
export function decodeHandshake(message: Uint8Array): HandshakeMessage {
  const r = new ByteReader(message, 'Handshake');
  const type = r.u8('msg_type');
  const body = r.vector24('body').rest();
  r.expectEnd();
  return { type, body };
}
