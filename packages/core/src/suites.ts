/**
 * The cipher suites tlsbio negotiates, named as OpenSSL and IANA name them. A suite only binds an AEAD to a hash;
 * the provider supplies both, so a suite is usable only when the provider has its two halves.
 */
import type { AeadName, CryptoProvider, HashName } from './crypto/provider.js';

export interface CipherSuite {
  /** IANA codepoint (RFC 8446 §B.4). */
  readonly id: number;
  /** IANA and OpenSSL name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly name: string;
  readonly version: 'TLSv1.3';
  readonly aead: AeadName;
  readonly hash: HashName;
  /** Secret key bits, as Python's `SSLObject.cipher()` reports them. */
  readonly bits: number;
}

/** TLS 1.3 suites in our default preference order (RFC 8446 §9.1 makes AES-128-GCM the mandatory one). */
export const TLS13_SUITES: readonly CipherSuite[] = [
  { id: 0x1301, name: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3', aead: 'aes_128_gcm', hash: 'sha256', bits: 128 },
  { id: 0x1302, name: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3', aead: 'aes_256_gcm', hash: 'sha384', bits: 256 },
  {
    id: 0x1303,
    name: 'TLS_CHACHA20_POLY1305_SHA256',
    version: 'TLSv1.3',
    aead: 'chacha20_poly1305',
    hash: 'sha256',
    bits: 256,
  },
];

const byName = new Map(TLS13_SUITES.map((suite) => [suite.name, suite]));
const byId = new Map(TLS13_SUITES.map((suite) => [suite.id, suite]));

export function suiteByName(name: string): CipherSuite | undefined {
  return byName.get(name);
}

export function suiteById(id: number): CipherSuite | undefined {
  return byId.get(id);
}

/** Whether `provider` has both halves of `suite`. */
export function providerSupportsSuite(provider: CryptoProvider, suite: CipherSuite): boolean {
  return provider.aeads[suite.aead] !== undefined && provider.hashes[suite.hash] !== undefined;
}
