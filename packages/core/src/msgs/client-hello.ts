import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { checkLength, checkNonEmpty, decodeError, illegalParameter, invalidArgument } from './errors.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';
import { ExtensionType } from './registry.js';

/**
 * ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2 for the older versions that share its layout).
 *
 * Codepoints (versions, suites, extension types) are carried whatever their value, GREASE and unknown ones included.
 * Byte fields of a decoded message are views of the body, not copies.
 */
export interface ClientHello {
  /** 0x0303 from a TLS 1.3 client (RFC 8446 §4.1.2); the real offer is in supported_versions. */
  legacyVersion: number;
  /** 32 bytes. */
  random: Uint8Array;
  /** 0..32 bytes; non-empty in middlebox compatibility mode (RFC 8446 Appendix D.4). */
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  /** `[0]` from a TLS 1.3 client (RFC 8446 §4.1.2); the engine checks it. */
  legacyCompressionMethods: number[];
  /** In order; empty when the message had no extensions block (or an empty one). */
  extensions: Extension[];
}

/**
 * Decodes a ClientHello body (without the 4-byte handshake header).
 *
 * A ClientHello without an extensions block is accepted (TLS 1.2 and older may omit it); whether the engine can
 * negotiate anything with it is the engine's decision.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a field is truncated or out of its length range: random not 32 bytes,
 *   legacy_session_id over 32 bytes, cipher_suites empty or odd-length, legacy_compression_methods empty, trailing
 *   bytes.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a duplicate extension (RFC 8446 §4.2) or a pre_shared_key extension
 *   that is not the last one (RFC 8446 §4.2.11).
 * @example
 * const hello = decodeClientHello(body);
 * const keyShares = decodeKeyShareClient(findExtension(hello.extensions, ExtensionType.key_share)!);
 */
export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new ByteReader(body, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');

  const sessionId = r.vector8('legacy_session_id');
  // RFC 8446 §4.1.2: opaque legacy_session_id<0..32>.
  if (sessionId.remaining > 32) {
    throw decodeError(`ClientHello: legacy_session_id is ${sessionId.remaining} bytes, at most 32 allowed`);
  }
  const legacySessionId = sessionId.rest();

  const suites = r.vector16('cipher_suites');
  // RFC 8446 §4.1.2: CipherSuite cipher_suites<2..2^16-2>, two bytes per suite.
  if (suites.remaining === 0 || suites.remaining % 2 !== 0) {
    throw decodeError(`ClientHello: cipher_suites length ${suites.remaining} is not a non-zero even number`);
  }
  const cipherSuites: number[] = [];
  while (!suites.atEnd) cipherSuites.push(suites.u16('cipher_suite'));

  const compression = r.vector8('legacy_compression_methods');
  // RFC 8446 §4.1.2: opaque legacy_compression_methods<1..2^8-1>.
  if (compression.atEnd) throw decodeError('ClientHello: legacy_compression_methods is empty');
  const legacyCompressionMethods = Array.from(compression.rest());

  const extensions = readExtensions(r, 'ClientHello', true);
  r.expectEnd();

  // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the ClientHello";
  // servers "MUST check that it is the last extension and otherwise fail the handshake with an "illegal_parameter"
  // alert".
  const pskIndex = extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (pskIndex !== -1 && pskIndex !== extensions.length - 1) {
    throw illegalParameter('ClientHello: pre_shared_key is not the last extension');
  }

  return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

/**
 * Encodes a ClientHello body (without the handshake header; frame it with `encodeHandshake`). The extensions block
 * is omitted when `extensions` is empty, as a TLS 1.2-or-older client may do; a TLS 1.3 ClientHello always has
 * extensions. Extensions are written in the given order: put pre_shared_key last (RFC 8446 §4.2.11).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when random is not 32 bytes, legacySessionId is over 32 bytes,
 *   cipherSuites or legacyCompressionMethods is empty, pre_shared_key is not the last extension, an extension type
 *   repeats, or a number is out of its field's range.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when a vector exceeds its length prefix.
 * @example
 * const message = encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello));
 */
export function encodeClientHello(m: ClientHello): Uint8Array {
  checkLength(m.random, 32, 'random');
  if (m.legacySessionId.length > 32) {
    throw invalidArgument('legacySessionId', `at most 32 bytes, got ${m.legacySessionId.length}`);
  }
  checkNonEmpty(m.cipherSuites, 'cipherSuites');
  checkNonEmpty(m.legacyCompressionMethods, 'legacyCompressionMethods');
  const pskIndex = m.extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (pskIndex !== -1 && pskIndex !== m.extensions.length - 1) {
    throw invalidArgument('extensions', 'pre_shared_key must be the last extension (RFC 8446 §4.2.11)');
  }

  const w = new ByteWriter(512);
  w.u16(m.legacyVersion, 'legacy_version');
  w.bytes(m.random, 'random');
  w.vector8((v) => v.bytes(m.legacySessionId, 'legacy_session_id'), 'legacy_session_id');
  w.vector16((v) => {
    for (const suite of m.cipherSuites) v.u16(suite, 'cipher_suite');
  }, 'cipher_suites');
  w.vector8((v) => {
    for (const method of m.legacyCompressionMethods) v.u8(method, 'compression_method');
  }, 'legacy_compression_methods');
  if (m.extensions.length > 0) writeExtensions(w, m.extensions);
  return w.finish();
}
