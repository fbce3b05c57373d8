/**
 * ECDHE over secp256r1 and secp384r1 (RFC 8446 §4.2.8.2) with node:crypto's `ECDH`, with the private scalar drawn
 * from the provider's random source.
 */
import { createECDH, type ECDH } from 'node:crypto';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { KeyExchange, KeyExchangeGroup, KeyExchangeResult, RandomSource } from '../../crypto/provider.js';
import { asBytes } from './bytes.js';
import { invalidKeyShare } from '../../crypto/share-error.js';

interface Curve {
  readonly name: 'secp256r1' | 'secp384r1';
  readonly id: number;
  /** OpenSSL's name for the curve. */
  readonly openSsl: string;
  /** Field and scalar length in bytes. */
  readonly size: number;
  /** The group order n, big-endian. */
  readonly order: Uint8Array;
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

// Group orders from SEC 2 §2.4.2 and §2.5.1.
const P256: Curve = {
  name: 'secp256r1',
  id: 0x0017,
  openSsl: 'prime256v1',
  size: 32,
  order: hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
};
const P384: Curve = {
  name: 'secp384r1',
  id: 0x0018,
  openSsl: 'secp384r1',
  size: 48,
  order: hex('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
};

/** True when 0 < scalar < order, both big-endian of the same length. Reads every byte (no early exit). */
function isValidScalar(scalar: Uint8Array, order: Uint8Array): boolean {
  let bits = 0;
  let comparison = 0; // sign of scalar - order, set by the first byte where they differ
  for (let i = 0; i < scalar.length; i++) {
    const s = scalar[i] as number;
    const n = order[i] as number;
    bits |= s;
    if (comparison === 0 && s !== n) comparison = s < n ? -1 : 1;
  }
  return bits !== 0 && comparison < 0;
}

// A sound source gives an out-of-range P-256 scalar with probability ~2^-32 per draw (P-384: far less), so many in a
// row means the source is broken (an all-zero test source, say): fail rather than loop forever.
const MAX_SCALAR_DRAWS = 64;

/**
 * A fresh ECDH key from the random source by rejection sampling: a draw outside [1, n-1] is discarded and drawn
 * again, so the scalar is uniform and the draws are the ones the portable provider makes.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`, argument `random`) when the source never yields a valid scalar.
 */
function newKey(curve: Curve, random: RandomSource): ECDH {
  for (let draw = 0; draw < MAX_SCALAR_DRAWS; draw++) {
    const scalar = random(curve.size);
    if (!isValidScalar(scalar, curve.order)) continue;
    const ecdh = createECDH(curve.openSsl);
    ecdh.setPrivateKey(scalar);
    return ecdh;
  }
  throw new InvalidArgumentError('random', 'INVALID_ARGUMENT', `never produced a valid ${curve.name} private key`);
}

function agree(curve: Curve, ecdh: ECDH, peer: Uint8Array): Uint8Array {
  // RFC 8446 §4.2.8.2: the share is an uncompressed point, 0x04 || X || Y.
  const expected = 1 + 2 * curve.size;
  if (peer.length !== expected || peer[0] !== 0x04) {
    throw invalidKeyShare(curve.name, `must be an uncompressed point of ${expected} bytes starting 0x04`);
  }
  try {
    // OpenSSL checks that the point is on the curve (RFC 8446 §4.2.8.2 requires the check); the secret is the
    // X coordinate at full field length (RFC 8446 §7.4.2).
    return asBytes(ecdh.computeSecret(peer));
  } catch (cause) {
    throw invalidKeyShare(curve.name, 'point is not on the curve', cause);
  }
}

function nistGroup(curve: Curve, random: RandomSource): KeyExchangeGroup {
  const start = (): KeyExchange => {
    const ecdh = newKey(curve, random);
    return {
      group: curve.name,
      publicKey: asBytes(ecdh.getPublicKey()),
      complete: (peerPublicKey) => agree(curve, ecdh, peerPublicKey),
    };
  };
  return Object.freeze({
    name: curve.name,
    id: curve.id,
    start,
    accept(peerPublicKey: Uint8Array): KeyExchangeResult {
      const ecdh = newKey(curve, random);
      const sharedSecret = agree(curve, ecdh, peerPublicKey);
      return { publicKey: asBytes(ecdh.getPublicKey()), sharedSecret };
    },
  });
}

/**
 * secp256r1 (0x0017) key exchange drawing 32-byte scalars from `random`. `complete`/`accept` throw ProtocolError
 * (`INVALID_KEY_SHARE`) for a share that is not a 65-byte uncompressed point on the curve; `start`/`accept` throw
 * InvalidArgumentError (`INVALID_ARGUMENT`) if `random` yields 64 out-of-range scalars in a row.
 */
export function secp256r1Group(random: RandomSource): KeyExchangeGroup {
  return nistGroup(P256, random);
}

/** secp384r1 (0x0018), as {@link secp256r1Group} with 97-byte shares. */
export function secp384r1Group(random: RandomSource): KeyExchangeGroup {
  return nistGroup(P384, random);
}
