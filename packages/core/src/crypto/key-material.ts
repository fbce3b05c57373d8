/**
 * Keys as parsed from PEM/DER, independent of any crypto library. Both providers import through this one parser
 * (`keys.ts`), so the formats accepted and the errors raised are the same whichever provider is in use.
 */
import type { CurveName } from './provider.js';

/** Big-endian unsigned integers without leading zero bytes. */
export interface RsaPublicMaterial {
  readonly n: Uint8Array;
  readonly e: Uint8Array;
}

export interface RsaPrivateMaterial extends RsaPublicMaterial {
  readonly d: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  readonly dp: Uint8Array;
  readonly dq: Uint8Array;
  readonly qi: Uint8Array;
}

export type PublicKeyMaterial =
  /** `rsa-pss` is an id-RSASSA-PSS key: usable only for RSA-PSS signatures (rsa_pss_pss_* schemes). */
  | { readonly type: 'rsa' | 'rsa-pss'; readonly rsa: RsaPublicMaterial; readonly bits: number; readonly spki: Uint8Array }
  /** `point` is the uncompressed SEC1 point (0x04 || X || Y). */
  | { readonly type: 'ec'; readonly curve: CurveName; readonly point: Uint8Array; readonly spki: Uint8Array }
  | { readonly type: 'ed25519'; readonly publicKey: Uint8Array; readonly spki: Uint8Array };

/**
 * The public half is derived by the provider (Ed25519 PKCS#8 does not carry it; SEC1 may not): `point`, when the
 * encoding carries one, is checked against the derived point and a mismatch is `KEY_MISMATCH`.
 */
export type PrivateKeyMaterial =
  | { readonly type: 'rsa' | 'rsa-pss'; readonly rsa: RsaPrivateMaterial; readonly bits: number }
  /** `d` is the private scalar, left-padded to the curve's byte length. */
  | { readonly type: 'ec'; readonly curve: CurveName; readonly d: Uint8Array; readonly point?: Uint8Array }
  /** `seed` is the 32-byte RFC 8032 private key. */
  | { readonly type: 'ed25519'; readonly seed: Uint8Array };
