/** Protocol versions as they appear on the wire (RFC 8446 §4.2.1). Only TLS 1.2 and 1.3 are ever negotiated. */
export const TLSVersion = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

export type TLSVersionName = keyof typeof TLSVersion;
export type TLSVersion = (typeof TLSVersion)[TLSVersionName] | (number & {});

const versionNames: Record<number, string> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

/** The name OpenSSL and Python's `ssl` print for a version (`'TLSv1.3'`), or `unknown(0xNNNN)`. */
export function tlsVersionName(version: number): string {
  return versionNames[version] ?? `unknown(0x${version.toString(16).padStart(4, '0')})`;
}
