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
  readonly version: 'TLSv1.3' | 'TLSv1.2';
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

/**
 * A TLS 1.2 suite (RFC 5289, RFC 7905): ECDHE key exchange, signed with the certificate type `auth`, records under
 * an AEAD, the PRF and Finished over `hash`. Named as OpenSSL names them (`ECDHE-ECDSA-AES128-GCM-SHA256`);
 * `ianaName` is the registry's.
 */
export interface CipherSuite12 extends CipherSuite {
  readonly version: 'TLSv1.2';
  readonly ianaName: string;
  /** The key type the server's certificate must have (RFC 8422 §2: ECDHE_ECDSA or ECDHE_RSA). */
  readonly auth: 'ECDSA' | 'RSA';
}

/** TLS 1.2 suites in our default preference order: ECDSA before RSA, AES-128-GCM, AES-256-GCM, ChaCha20. */
export const TLS12_SUITES: readonly CipherSuite12[] = [
  suite12(0xc02b, 'ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDSA', 'aes_128_gcm', 'sha256', 128),
  suite12(0xc02c, 'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDSA', 'aes_256_gcm', 'sha384', 256),
  suite12(0xcca9, 'ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDSA', 'chacha20_poly1305', 'sha256', 256),
  suite12(0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'RSA', 'aes_128_gcm', 'sha256', 128),
  suite12(0xc030, 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'RSA', 'aes_256_gcm', 'sha384', 256),
  suite12(0xcca8, 'ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'RSA', 'chacha20_poly1305', 'sha256', 256),
];

function suite12(id: number, name: string, ianaName: string, auth: 'ECDSA' | 'RSA', aead: AeadName, hash: HashName, bits: number): CipherSuite12 {
  return { id, name, ianaName, version: 'TLSv1.2', auth, aead, hash, bits };
}

const byName12 = new Map<string, CipherSuite12>();
for (const suite of TLS12_SUITES) {
  byName12.set(suite.name, suite);
  byName12.set(suite.ianaName, suite);
}
const byId12 = new Map(TLS12_SUITES.map((suite) => [suite.id, suite]));

/** A TLS 1.2 suite by its OpenSSL or IANA name. */
export function suite12ByName(name: string): CipherSuite12 | undefined {
  return byName12.get(name);
}

/** A TLS 1.2 suite by its codepoint. */
export function suite12ById(id: number): CipherSuite12 | undefined {
  return byId12.get(id);
}

/** Whether `provider` has both halves of `suite`. */
export function providerSupportsSuite(provider: CryptoProvider, suite: CipherSuite): boolean {
  return provider.aeads[suite.aead] !== undefined && provider.hashes[suite.hash] !== undefined;
}
