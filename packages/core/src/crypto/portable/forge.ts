/**
 * The few pieces of node-forge the portable provider uses: RSA private/public operations, PSS and MGF1, and the SHA-2
 * digests they need. Nothing else of forge is used (its TLS, in particular, is TLS 1.0/1.1 with CBC: never touch it).
 *
 * Forge's modules are imported one by one rather than through `node-forge`'s index, which loads all of forge (TLS,
 * PKCS#7, PKCS#12, SSH...): a browser bundle of these modules is about 120 KB minified against about 300 KB.
 * Forge is CommonJS; every module adds itself to one shared `forge` object, which is what the default import gives.
 * Its `require('crypto')` calls sit behind Node checks and its `browser` field maps `crypto` to `false`.
 *
 * The interface below declares only what we call, with forge's own conventions: byte strings are "binary strings"
 * (one char per byte), big integers are forge's jsbn `BigInteger`.
 */
// @ts-expect-error node-forge ships no types for its modules; the shape we use is declared by `Forge` below.
import forgeRoot from 'node-forge/lib/forge.js';
import 'node-forge/lib/rsa.js';
import 'node-forge/lib/pss.js';
import 'node-forge/lib/mgf1.js';
import 'node-forge/lib/sha256.js';
import 'node-forge/lib/sha512.js';

export interface ForgeBigInteger {
  bitLength(): number;
  toString(radix: number): string;
}

export interface ForgeMessageDigest {
  readonly algorithm: string;
  readonly digestLength: number;
  update(message: string): ForgeMessageDigest;
  digest(): { getBytes(): string };
}

/** A PSS encoder/verifier made by `pss.create`; `verify` throws for inconsistent encodings. */
export interface ForgePssScheme {
  verify(messageHash: string, encodedMessage: string, modulusBits: number): boolean;
}

export interface ForgeRsaPublicKey {
  readonly n: ForgeBigInteger;
  readonly e: ForgeBigInteger;
}

export interface ForgeRsaPrivateKey extends ForgeRsaPublicKey {
  /** Signs: PKCS#1 v1.5 when `scheme` is omitted, else the scheme's encoding (PSS). Returns the k-byte signature. */
  sign(digest: ForgeMessageDigest, scheme?: ForgePssScheme): string;
}

interface Forge {
  jsbn: { BigInteger: new (hex: string, radix: 16) => ForgeBigInteger };
  pki: {
    rsa: {
      setPublicKey(n: ForgeBigInteger, e: ForgeBigInteger): ForgeRsaPublicKey;
      setPrivateKey(
        n: ForgeBigInteger,
        e: ForgeBigInteger,
        d: ForgeBigInteger,
        p: ForgeBigInteger,
        q: ForgeBigInteger,
        dP: ForgeBigInteger,
        dQ: ForgeBigInteger,
        qInv: ForgeBigInteger,
      ): ForgeRsaPrivateKey;
      /**
       * The raw RSA operation. With `pub = true, ml = false`: `signature^e mod n` as k bytes, after checking that
       * the signature is k bytes and less than n (it throws otherwise).
       */
      decrypt(data: string, key: ForgeRsaPublicKey, pub: true, ml: false): string;
    };
  };
  pss: {
    create(options: {
      md: ForgeMessageDigest;
      mgf: unknown;
      saltLength: number;
      prng?: { getBytesSync(count: number): string };
    }): ForgePssScheme;
  };
  mgf: { mgf1: { create(md: ForgeMessageDigest): unknown } };
  md: Record<'sha256' | 'sha384' | 'sha512', { create(): ForgeMessageDigest }>;
}

/** The shared forge object, with RSA, PSS, MGF1 and SHA-256/384/512 loaded. */
export const forge = forgeRoot as Forge;
