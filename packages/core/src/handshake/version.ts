/**
 * Version negotiation between TLS 1.3 and TLS 1.2 (RFC 8446 §4.1.3, §4.2.1, Appendix D; RFC 5246 Appendix E;
 * RFC 7507), for both roles: what a server picks from a ClientHello, and the checks a client makes on a ServerHello
 * that chose TLS 1.2.
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import {
  CipherSuiteId,
  ExtensionType,
  decodeSupportedVersionsClient,
  downgradeSentinel,
  findExtension,
  DOWNGRADE_TLS12,
  type ClientHello,
} from '../msgs/index.js';

/** Whether the context's version range includes `version`. */
export function allowsVersion(context: TLSContext, version: number): boolean {
  return context.minimumVersion <= version && version <= context.maximumVersion;
}

/**
 * The version a server negotiates with `hello`: the highest both sides allow. supported_versions when present
 * (RFC 8446 §4.2.1), else legacy_version, where anything from 0x0303 up means "TLS 1.2 at most" (RFC 5246 §E.1).
 * @throws {ProtocolError} `UNSUPPORTED_PROTOCOL` (protocol_version) with nothing in common;
 *   `INAPPROPRIATE_FALLBACK` (inappropriate_fallback) for a fallback SCSV below our best version (RFC 7507 §3).
 */
export function negotiateServerVersion(context: TLSContext, hello: ClientHello): number {
  const versions = findExtension(hello.extensions, ExtensionType.supported_versions);
  const offered =
    versions !== undefined
      ? decodeSupportedVersionsClient(versions)
      : hello.legacyVersion >= TLSVersion.TLSv1_2
        ? [TLSVersion.TLSv1_2]
        : [];
  const chosen = [TLSVersion.TLSv1_3, TLSVersion.TLSv1_2].find((v) => offered.includes(v) && allowsVersion(context, v));
  if (chosen === undefined) {
    throw new ProtocolError('UNSUPPORTED_PROTOCOL', `no protocol version in common (we allow ${rangeName(context)})`);
  }
  // RFC 7507 §3: a client retrying with a lower version after a failure says so; if we could do better, the failure
  // was an attack (or a broken middlebox).
  if (hello.cipherSuites.includes(CipherSuiteId.TLS_FALLBACK_SCSV) && chosen < context.maximumVersion) {
    throw new ProtocolError('INAPPROPRIATE_FALLBACK', 'the client signals a fallback, yet we support a higher version');
  }
  return chosen;
}

/**
 * RFC 8446 §4.1.3: a server that supports TLS 1.3 but negotiates TLS 1.2 ends its random with "DOWNGRD\x01", so a
 * TLS 1.3 client can tell that someone removed 1.3 from its offer. Changes `random` in place.
 */
export function markDowngrade(context: TLSContext, random: Uint8Array): Uint8Array {
  if (context.maximumVersion >= TLSVersion.TLSv1_3) random.set(DOWNGRADE_TLS12, 24);
  return random;
}

/**
 * The client's checks on a ServerHello that chose TLS 1.2 (it has no supported_versions).
 * @throws {ProtocolError} `UNSUPPORTED_PROTOCOL` (protocol_version) when TLS 1.2 is below our minimum or the
 *   ServerHello's version is not 0x0303; `TLS13_DOWNGRADE` (illegal_parameter) for a downgrade sentinel when we
 *   offered TLS 1.3 (RFC 8446 §4.1.3).
 */
export function checkServerChoseTls12(context: TLSContext, legacyVersion: number, random: Uint8Array): void {
  if (legacyVersion !== TLSVersion.TLSv1_2) {
    throw new ProtocolError('UNSUPPORTED_PROTOCOL', `the server chose version 0x${legacyVersion.toString(16).padStart(4, '0')}; we allow ${rangeName(context)}`);
  }
  if (!allowsVersion(context, TLSVersion.TLSv1_2)) {
    throw new ProtocolError('UNSUPPORTED_PROTOCOL', `the server chose TLS 1.2; we allow ${rangeName(context)}`);
  }
  // RFC 8446 §4.1.3: a TLS 1.3 client MUST check both sentinels when it gets TLS 1.2 or below.
  if (context.maximumVersion >= TLSVersion.TLSv1_3 && downgradeSentinel(random) !== undefined) {
    throw new ProtocolError('TLS13_DOWNGRADE', 'the server random carries a downgrade sentinel: TLS 1.3 was removed from our offer');
  }
}

function rangeName(context: TLSContext): string {
  const name = (v: number) => (v === TLSVersion.TLSv1_3 ? 'TLS 1.3' : 'TLS 1.2');
  return context.minimumVersion === context.maximumVersion ? `only ${name(context.minimumVersion)}` : `${name(context.minimumVersion)} to ${name(context.maximumVersion)}`;
}
