/**
 * The crypto capability interface of the engine (DESIGN.md §5).
 *
 * A provider is a plain object of capabilities looked up by name, as rustls's `CryptoProvider` is: the engine asks
 * `provider.aeads.aes_128_gcm` rather than switching over algorithms, so an application can build a provider with only
 * what it uses and let the bundler drop the rest. Every operation is synchronous: the engine is an `SSLObject`-style
 * state machine and cannot await.
 *
 * Inputs from the engine are trusted in shape (lengths already checked at the public entry points); inputs that come
 * from the peer (key shares, signatures) are validated here, and failures are typed: an AEAD authentication failure is
 * `null`, a bad signature is `false`, an invalid key share is a `ProtocolError` with reason `INVALID_KEY_SHARE`.
 */

/** Hash names, as TLS cipher suites and signature schemes use them. */
export type HashName = 'sha256' | 'sha384' | 'sha512';
/** AEAD names of the TLS 1.3 and TLS 1.2 AEAD suites we support. */
export type AeadName = 'aes_128_gcm' | 'aes_256_gcm' | 'chacha20_poly1305';
/** Named groups (RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem), by their registry names. */
export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';
/** Signature schemes (RFC 8446 §4.2.3), by their registry names. */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256'
  | 'rsa_pss_pss_sha384'
  | 'rsa_pss_pss_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512'
  | 'ed25519';

/** A running hash, as the TLS transcript needs: feed messages as they pass, read the hash at any point. */
export interface RunningHash {
  update(data: Uint8Array): void;
  /** An independent copy of the current state: cheap, so the transcript can be read mid-handshake. */
  fork(): RunningHash;
  /** Finishes this hash and returns the digest. The object must not be used afterwards (fork first to go on). */
  digest(): Uint8Array;
}

export interface HashAlgorithm {
  readonly name: HashName;
  /** Digest length in bytes (32, 48, 64). */
  readonly outputLength: number;
  /** Block length in bytes (64 for SHA-256, 128 for SHA-384/512). */
  readonly blockLength: number;
  digest(data: Uint8Array): Uint8Array;
  create(): RunningHash;
  /** HMAC (RFC 2104) with this hash. HKDF is built on this (see `hkdf.ts`). */
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** An AEAD key with its schedule expanded once, used for every record of one direction. */
export interface AeadKey {
  /** Encrypts and returns `ciphertext || tag`. `nonce` must be `nonceLength` bytes. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * Encrypts `buffer[offset, offset + length)` in place and writes the tag right after it (`buffer` has room).
   * The record layer stages plaintext inside the record it builds, so a sealed record costs one allocation and no
   * copy back (`seal` would allocate `ciphertext || tag` and the record layer copy it in). `aad` never overlaps.
   */
  sealInPlace(nonce: Uint8Array, buffer: Uint8Array, offset: number, length: number, aad: Uint8Array): void;
  /** Decrypts `ciphertext || tag`; returns `null` when authentication fails (a distinct outcome, never a throw). */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null;
}

export interface AeadAlgorithm {
  readonly name: AeadName;
  readonly keyLength: number;
  /** Always 12 for the TLS AEADs. */
  readonly nonceLength: number;
  /** Always 16 for the TLS AEADs. */
  readonly tagLength: number;
  /** @throws InvalidArgumentError (`BAD_KEY_LENGTH`) when `key` is not `keyLength` bytes. */
  importKey(key: Uint8Array): AeadKey;
}

/** The client side of a key exchange, between sending its share and receiving the server's. */
export interface KeyExchange {
  readonly group: GroupName;
  /** Our key share as it goes on the wire (RFC 8446 §4.2.8). */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret from the server's share.
   * @throws ProtocolError (`INVALID_KEY_SHARE`, illegal_parameter) for a malformed or degenerate share.
   */
  complete(peerPublicKey: Uint8Array): Uint8Array;
}

/** Result of the server side of a key exchange: its share for the ServerHello and the shared secret. */
export interface KeyExchangeResult {
  readonly publicKey: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export interface KeyExchangeGroup {
  readonly name: GroupName;
  /** IANA codepoint (x25519 = 0x001d, secp256r1 = 0x0017, secp384r1 = 0x0018, X25519MLKEM768 = 0x11ec). */
  readonly id: number;
  /** Client side: a fresh key pair, with randomness from the provider's random source. */
  start(): KeyExchange;
  /**
   * Server side: answer the client's share. For ECDH this is a fresh key pair plus the agreement; for the ML-KEM
   * hybrid it is encapsulation, which is why it is not expressed through `start()`.
   * @throws ProtocolError (`INVALID_KEY_SHARE`, illegal_parameter) for a malformed or degenerate share.
   */
  accept(peerPublicKey: Uint8Array): KeyExchangeResult;
}

/** Kinds of asymmetric key the engine handles. `rsa-pss` is an RSASSA-PSS-only key (id-RSASSA-PSS SPKI). */
export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519';
export type CurveName = 'P-256' | 'P-384';

interface KeyFacts {
  readonly type: KeyType;
  /** For `ec` keys. */
  readonly curve?: CurveName;
  /** Modulus size for RSA keys. */
  readonly bits?: number;
}

/** A private key imported by a provider. Opaque: only the provider that made it can use it. */
export interface PrivateKey extends KeyFacts {
  readonly kind: 'private';
  /** The matching public key. */
  readonly publicKey: PublicKey;
}

/** A public key imported by a provider. Opaque: only the provider that made it can use it. */
export interface PublicKey extends KeyFacts {
  readonly kind: 'public';
  /** The key as DER SubjectPublicKeyInfo, to compare keys and for certificates. */
  readonly spki: Uint8Array;
}

export interface SignatureScheme {
  readonly name: SignatureSchemeName;
  /** IANA codepoint, e.g. 0x0403 for ecdsa_secp256r1_sha256. */
  readonly id: number;
  /** Whether `key` can make or check signatures with this scheme (type, curve, RSA vs RSA-PSS). */
  supportsKey(key: PrivateKey | PublicKey): boolean;
  /**
   * Signs `message` (the scheme hashes it). ECDSA signatures are DER, as TLS carries them.
   * @throws InvalidArgumentError (`KEY_MISMATCH`) if `supportsKey(key)` is false.
   */
  sign(key: PrivateKey, message: Uint8Array): Uint8Array;
  /** Checks a signature over `message`. Malformed signatures and wrong keys give `false`, never a throw. */
  verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
}

/** A source of random bytes. Providers default to a CSPRNG; tests inject a deterministic one. */
export type RandomSource = (length: number) => Uint8Array;

export interface CryptoProvider {
  /** `'node'` or `'portable'`, or a custom provider's name. */
  readonly name: string;
  randomBytes: RandomSource;
  readonly hashes: Readonly<Partial<Record<HashName, HashAlgorithm>>>;
  readonly aeads: Readonly<Partial<Record<AeadName, AeadAlgorithm>>>;
  readonly groups: Readonly<Partial<Record<GroupName, KeyExchangeGroup>>>;
  readonly signatures: Readonly<Partial<Record<SignatureSchemeName, SignatureScheme>>>;
  /**
   * Imports a private key: PEM (`PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY`) or DER (PKCS#8, SEC1, PKCS#1).
   * @throws InvalidArgumentError (`BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`) naming the argument.
   */
  importPrivateKey(key: string | Uint8Array): PrivateKey;
  /**
   * Imports a public key: PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`) or DER (SPKI, PKCS#1).
   * @throws InvalidArgumentError (`BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`) naming the argument.
   */
  importPublicKey(key: string | Uint8Array): PublicKey;
}

/** Options every built-in provider factory takes. */
export interface ProviderOptions {
  /** Replace the CSPRNG, e.g. with a seeded generator for reproducible traces. Never in production. */
  random?: RandomSource;
}
