/**
 * IANA registries the handshake codecs use (RFC 8446 §4, §4.2, §5.1, Appendix B; the IANA "TLS Parameters"
 * registry).
 *
 * Every registry is an open set, as the IANA registries are: an `as const` object naming the codepoints we know, and
 * a type that admits any other number, so an unknown codepoint (a newer extension, a GREASE value) is carried through
 * decoding rather than crashed on. The engine decides what to do with values it does not know.
 */

type Codepoint<T extends Record<string, number>> = T[keyof T] | (number & {});

/** Record-layer content types (RFC 8446 §5.1). */
export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;
export type ContentType = Codepoint<typeof ContentType>;

/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4). `message_hash` is the synthetic message of §4.4.1. */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;
export type HandshakeType = Codepoint<typeof HandshakeType>;

/** Extension types (RFC 8446 §4.2 and the RFCs each line names in the IANA registry). */
export const ExtensionType = {
  server_name: 0, // RFC 6066
  status_request: 5, // RFC 6066
  supported_groups: 10, // RFC 8422, RFC 7919
  ec_point_formats: 11, // RFC 8422
  signature_algorithms: 13, // RFC 8446
  application_layer_protocol_negotiation: 16, // RFC 7301
  signed_certificate_timestamp: 18, // RFC 6962
  padding: 21, // RFC 7685
  extended_master_secret: 23, // RFC 7627
  record_size_limit: 28, // RFC 8449
  session_ticket: 35, // RFC 5077
  pre_shared_key: 41, // RFC 8446
  early_data: 42, // RFC 8446
  supported_versions: 43, // RFC 8446
  cookie: 44, // RFC 8446
  psk_key_exchange_modes: 45, // RFC 8446
  certificate_authorities: 47, // RFC 8446
  post_handshake_auth: 49, // RFC 8446
  signature_algorithms_cert: 50, // RFC 8446
  key_share: 51, // RFC 8446
  renegotiation_info: 0xff01, // RFC 5746
} as const;
export type ExtensionType = Codepoint<typeof ExtensionType>;

/** Protocol versions as the wire carries them (RFC 8446 §4.1.2, §4.2.1, §5.1). */
export const ProtocolVersion = { TLS1_0: 0x0301, TLS1_2: 0x0303, TLS1_3: 0x0304 } as const;
export type ProtocolVersion = Codepoint<typeof ProtocolVersion>;

/** Cipher suites (RFC 8446 §B.4, RFC 5289, RFC 7905) and the renegotiation SCSV (RFC 5746 §3.3). */
export const CipherSuiteId = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;
export type CipherSuiteId = Codepoint<typeof CipherSuiteId>;

/** PSK key exchange modes (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export type PskKeyExchangeMode = Codepoint<typeof PskKeyExchangeMode>;

/**
 * Named groups (RFC 8446 §4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem), for naming and tests; the crypto provider's
 * `KeyExchangeGroup.id` is what the engine negotiates with.
 */
export const NamedGroupId = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  X25519MLKEM768: 0x11ec,
} as const;
export type NamedGroupId = Codepoint<typeof NamedGroupId>;

/** Signature schemes (RFC 8446 §4.2.3), for naming and tests; the provider's `SignatureScheme.id` is authoritative. */
export const SignatureSchemeId = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;
export type SignatureSchemeId = Codepoint<typeof SignatureSchemeId>;

/**
 * The ServerHello.random that marks a HelloRetryRequest: SHA-256 of the ASCII string "HelloRetryRequest"
 * (RFC 8446 §4.1.3). Compare with {@link isHelloRetryRequestRandom}; do not modify this array.
 */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = hrrRandom();

/**
 * The last 8 bytes of a TLS 1.2 ServerHello.random from a server that supports TLS 1.3: "DOWNGRD" + 0x01
 * (RFC 8446 §4.1.3). Do not modify this array.
 */
export const DOWNGRADE_TLS12: Uint8Array = downgrade(0x01);

/**
 * The last 8 bytes of a TLS 1.1-or-older ServerHello.random from a server that supports TLS 1.2 or 1.3: "DOWNGRD" +
 * 0x00 (RFC 8446 §4.1.3). Do not modify this array.
 */
export const DOWNGRADE_TLS11: Uint8Array = downgrade(0x00);

// Private copies, so a caller that writes into the exported arrays cannot change what the codecs compare with.
const HRR_RANDOM = hrrRandom();
const SENTINEL_TLS12 = downgrade(0x01);
const SENTINEL_TLS11 = downgrade(0x00);

function hrrRandom(): Uint8Array {
  // prettier-ignore
  return new Uint8Array([
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
  ]);
}

function downgrade(last: number): Uint8Array {
  // "DOWNGRD" in ASCII, then the version marker.
  return new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, last]);
}

/** True when `random` is the HelloRetryRequest marker (RFC 8446 §4.1.3). */
export function isHelloRetryRequestRandom(random: Uint8Array): boolean {
  if (random.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (random[i] !== HRR_RANDOM[i]) return false;
  return true;
}

/**
 * Which downgrade sentinel, if any, ends a ServerHello.random (RFC 8446 §4.1.3): `'tls12'` for "DOWNGRD\x01",
 * `'tls11'` for "DOWNGRD\x00". A TLS 1.3 client that negotiated TLS 1.2 must abort on either; a TLS 1.2 client that
 * supports only up to 1.2 must abort on `'tls11'`.
 *
 * @example
 * if (downgradeSentinel(serverHello.random) !== undefined) throw new ProtocolError('TLS13_DOWNGRADE', '...');
 */
export function downgradeSentinel(random: Uint8Array): 'tls12' | 'tls11' | undefined {
  if (random.length !== 32) return undefined;
  const tail = random.subarray(24);
  for (let i = 0; i < 7; i++) if (tail[i] !== SENTINEL_TLS12[i]) return undefined;
  if (tail[7] === SENTINEL_TLS12[7]) return 'tls12';
  if (tail[7] === SENTINEL_TLS11[7]) return 'tls11';
  return undefined;
}

/**
 * GREASE (RFC 8701 §2) codepoint test for the 16-bit registries: cipher suites, extensions, named groups, signature
 * schemes, versions, and two-byte ALPN identifiers (0x0A0A, 0x1A1A, … 0xFAFA). Decoders carry GREASE values like any
 * unknown codepoint; the engine ignores them.
 *
 * @example
 * isGrease(0x3a3a); // true
 * isGrease(0x0a1a); // false
 */
export function isGrease(value: number): boolean {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff)) return false;
  return (value & 0x0f0f) === 0x0a0a && value >>> 8 === (value & 0xff);
}

/** GREASE test for the one-byte PskKeyExchangeMode registry: 0x0B, 0x2A, 0x49, … 0xE4 (RFC 8701 §2). */
export function isGreasePskMode(value: number): boolean {
  return Number.isInteger(value) && value >= 0x0b && value <= 0xe4 && (value - 0x0b) % 0x1f === 0;
}

function namer(registry: Record<string, number>): (value: number) => string {
  const names = new Map<number, string>(Object.entries(registry).map(([name, value]) => [value, name]));
  return (value) => names.get(value) ?? `unknown(${value})`;
}

/** The registry name of a handshake type, e.g. `'client_hello'`, or `unknown(N)`. */
export const handshakeTypeName: (type: number) => string = namer(HandshakeType);
/** The registry name of an extension type, e.g. `'key_share'`, or `unknown(N)`. */
export const extensionTypeName: (type: number) => string = namer(ExtensionType);
/** The registry name of a cipher suite, e.g. `'TLS_AES_128_GCM_SHA256'`, or `unknown(N)`. */
export const cipherSuiteName: (id: number) => string = namer(CipherSuiteId);
