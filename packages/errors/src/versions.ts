/**
 * Protocol versions as they appear on the wire: `legacy_version`, `legacy_record_version` and the
 * supported_versions extension (RFC 8446 §4.1.2, §4.2.1, §5.1; RFC 5246 §6.2.1, Appendix E). Keys are the names of
 * Python's `ssl.TLSVersion`. Only TLS 1.2 and 1.3 are ever negotiated; the older values exist so that a peer that
 * offers them can be named in the error.
 *
 * @example
 * tlsVersionName(TLSVersion.TLSv1_3); // 'TLSv1.3'
 */
export const TLSVersion = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

export type TLSVersionName = keyof typeof TLSVersion;
/** A known version, or any other 16-bit value: unknown versions (GREASE, drafts) are carried, not rejected. */
export type TLSVersion = (typeof TLSVersion)[TLSVersionName] | (number & {});

const versionNames = new Map<number, string>([
  [TLSVersion.SSLv3, 'SSLv3'],
  [TLSVersion.TLSv1, 'TLSv1'],
  [TLSVersion.TLSv1_1, 'TLSv1.1'],
  [TLSVersion.TLSv1_2, 'TLSv1.2'],
  [TLSVersion.TLSv1_3, 'TLSv1.3'],
]);

/**
 * The name OpenSSL's `SSL_get_version` and Python's `SSLObject.version()` give a version (`'TLSv1.3'`), or
 * `unknown(0xNNNN)`.
 */
export function tlsVersionName(version: number): string {
  return versionNames.get(version) ?? `unknown(0x${version.toString(16).padStart(4, '0')})`;
}
