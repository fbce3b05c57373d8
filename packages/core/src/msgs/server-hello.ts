import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { checkLength, decodeError, invalidArgument } from './errors.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';
import { isHelloRetryRequestRandom } from './registry.js';

/**
 * ServerHello, and HelloRetryRequest, which shares its layout and is told apart by its random (RFC 8446 §4.1.3,
 * §4.1.4; RFC 5246 §7.4.1.3). Byte fields of a decoded message are views of the body, not copies.
 */
export interface ServerHello {
  /** 0x0303 from a TLS 1.3 server (RFC 8446 §4.1.3); the selected version is in supported_versions. */
  legacyVersion: number;
  /** 32 bytes: HELLO_RETRY_REQUEST_RANDOM for a HelloRetryRequest. */
  random: Uint8Array;
  /** 0..32 bytes: must echo the ClientHello's legacy_session_id (the engine checks it). */
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  /** 0 in TLS 1.3 (the engine checks it). */
  legacyCompressionMethod: number;
  /** In order; empty when the message had no extensions block (or an empty one). */
  extensions: Extension[];
  /** random equals HELLO_RETRY_REQUEST_RANDOM */
  readonly isHelloRetryRequest: boolean;
}

/**
 * Decodes a ServerHello or HelloRetryRequest body (without the 4-byte handshake header). A missing extensions block
 * is accepted (a TLS 1.2-or-older server may omit it).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a field is truncated, legacy_session_id_echo exceeds 32 bytes, or bytes
 *   trail the message.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a duplicate extension (RFC 8446 §4.2).
 * @example
 * const hello = decodeServerHello(body);
 * if (hello.isHelloRetryRequest) handleRetry(hello);
 */
export function decodeServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const echo = r.vector8('legacy_session_id_echo');
  // RFC 8446 §4.1.3: opaque legacy_session_id_echo<0..32>.
  if (echo.remaining > 32) {
    throw decodeError(`ServerHello: legacy_session_id_echo is ${echo.remaining} bytes, at most 32 allowed`);
  }
  const legacySessionIdEcho = echo.rest();
  const cipherSuite = r.u16('cipher_suite');
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  const extensions = readExtensions(r, 'ServerHello', true);
  r.expectEnd();
  return {
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite,
    legacyCompressionMethod,
    extensions,
    isHelloRetryRequest: isHelloRetryRequestRandom(random),
  };
}

/**
 * Encodes a ServerHello or HelloRetryRequest body (without the handshake header). For a HelloRetryRequest pass
 * `HELLO_RETRY_REQUEST_RANDOM` as `random` (RFC 8446 §4.1.4). The extensions block is omitted when `extensions` is
 * empty (a TLS 1.2 server with nothing to say); TLS 1.3 always has supported_versions.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when random is not 32 bytes, legacySessionIdEcho is over 32
 *   bytes, an extension type repeats, or a number is out of its field's range.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the extensions exceed their length prefix.
 */
export function encodeServerHello(m: Omit<ServerHello, 'isHelloRetryRequest'>): Uint8Array {
  checkLength(m.random, 32, 'random');
  if (m.legacySessionIdEcho.length > 32) {
    throw invalidArgument('legacySessionIdEcho', `at most 32 bytes, got ${m.legacySessionIdEcho.length}`);
  }
  const w = new ByteWriter(128);
  w.u16(m.legacyVersion, 'legacy_version');
  w.bytes(m.random, 'random');
  w.vector8((v) => v.bytes(m.legacySessionIdEcho, 'legacy_session_id_echo'), 'legacy_session_id_echo');
  w.u16(m.cipherSuite, 'cipher_suite');
  w.u8(m.legacyCompressionMethod, 'legacy_compression_method');
  if (m.extensions.length > 0) writeExtensions(w, m.extensions);
  return w.finish();
}
