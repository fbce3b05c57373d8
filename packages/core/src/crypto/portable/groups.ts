/**
 * Key exchange groups from @noble/curves and @noble/post-quantum: X25519 (RFC 7748), secp256r1 and secp384r1
 * (SEC 1 ECDH).
 *
 * Every secret is drawn from the provider's random source, in the same order and sizes as the node provider, so a
 * seeded source gives the same key shares from both providers:
 * - x25519: 32 bytes (the private key, clamped by X25519 itself);
 * - secp256r1 / secp384r1: 32 / 48 bytes, drawn again until they form a scalar in [1, n-1];
 * (X25519MLKEM768 is composed over this x25519 group in ../x25519-mlkem768.ts.)
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { GroupName, KeyExchange, KeyExchangeGroup, KeyExchangeResult, RandomSource } from '../provider.js';
import { isAllZero } from '../bytes.js';
import { invalidKeyShare } from '../share-error.js';

const X25519_KEY_LENGTH = 32;
// A sound source yields an invalid P-256 scalar with probability ~2^-32 per draw: many in a row means it is broken.
const MAX_SCALAR_DRAWS = 64;


// --- X25519 -------------------------------------------------------------------------------------------------------

interface KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

function x25519Pair(random: RandomSource): KeyPair {
  const privateKey = random(X25519_KEY_LENGTH);
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/**
 * X25519 agreement with a peer's public value.
 * @throws ProtocolError (`INVALID_KEY_SHARE`) for a wrong length, a low-order point or an all-zero secret.
 */
function x25519Agree(group: GroupName, privateKey: Uint8Array, peer: Uint8Array): Uint8Array {
  if (peer.length !== X25519_KEY_LENGTH) {
    throw invalidKeyShare(group, `X25519 share must be ${X25519_KEY_LENGTH} bytes, got ${peer.length}`);
  }
  let secret: Uint8Array;
  try {
    // noble refuses the low-order points (which would give an all-zero secret) before running the ladder.
    secret = x25519.getSharedSecret(privateKey, peer);
  } catch (error) {
    throw invalidKeyShare(group, 'X25519 share is a low-order point', error);
  }
  // RFC 8446 §7.4.2: an all-zero X25519 shared secret MUST be rejected.
  if (isAllZero(secret)) throw invalidKeyShare(group, 'X25519 shared secret is all zeros');
  return secret;
}

/**
 * X25519 (0x001d). `complete` and `accept` throw ProtocolError (`INVALID_KEY_SHARE`) for a share that is not 32
 * bytes or is a low-order point.
 */
export function portableX25519(random: RandomSource): KeyExchangeGroup {
  const name = 'x25519';
  return Object.freeze({
    name,
    id: 0x001d,
    start(): KeyExchange {
      const pair = x25519Pair(random);
      return Object.freeze({
        group: name,
        publicKey: pair.publicKey,
        complete: (peer: Uint8Array): Uint8Array => x25519Agree(name, pair.privateKey, peer),
      });
    },
    accept(peer: Uint8Array): KeyExchangeResult {
      const pair = x25519Pair(random);
      return { publicKey: pair.publicKey, sharedSecret: x25519Agree(name, pair.privateKey, peer) };
    },
  });
}

// --- NIST curves --------------------------------------------------------------------------------------------------

type NistCurve = typeof p256;

/**
 * A private scalar in [1, n-1] from `random`: curve-length draws, repeated until one is in range.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`, argument `random`) when the source never yields a valid scalar.
 */
function nistPrivateScalar(curve: NistCurve, random: RandomSource): Uint8Array {
  const length = curve.lengths.secretKey!;
  for (let draw = 0; draw < MAX_SCALAR_DRAWS; draw++) {
    const candidate = random(length);
    if (curve.utils.isValidSecretKey(candidate)) return candidate;
  }
  throw new InvalidArgumentError('random', 'INVALID_ARGUMENT', 'never produced a valid elliptic-curve private key');
}

/**
 * ECDH on a NIST curve: the x-coordinate of d * peer (RFC 8446 §7.4.2), after checking the share.
 * @throws ProtocolError (`INVALID_KEY_SHARE`) for a compressed, malformed or off-curve point.
 */
function nistAgree(group: GroupName, curve: NistCurve, privateKey: Uint8Array, peer: Uint8Array): Uint8Array {
  const pointLength = curve.lengths.publicKeyUncompressed!;
  // RFC 8446 §4.2.8.2: only the uncompressed form (0x04 || X || Y) is allowed in TLS 1.3.
  if (peer.length !== pointLength || peer[0] !== 0x04) {
    throw invalidKeyShare(group, `share must be an uncompressed point of ${pointLength} bytes`);
  }
  let shared: Uint8Array;
  try {
    // noble decodes the point and checks it lies on the curve and is not the identity.
    shared = curve.getSharedSecret(privateKey, peer, true);
  } catch (error) {
    throw invalidKeyShare(group, 'share is not a point on the curve', error);
  }
  return shared.slice(1); // the compressed encoding is 0x02/0x03 || X
}

function nistGroup(
  name: 'secp256r1' | 'secp384r1',
  id: number,
  curve: NistCurve,
  random: RandomSource,
): KeyExchangeGroup {
  const pair = (): KeyPair => {
    const privateKey = nistPrivateScalar(curve, random);
    return { privateKey, publicKey: curve.getPublicKey(privateKey, false) };
  };
  return Object.freeze({
    name,
    id,
    start(): KeyExchange {
      const own = pair();
      return Object.freeze({
        group: name,
        publicKey: own.publicKey,
        complete: (peer: Uint8Array): Uint8Array => nistAgree(name, curve, own.privateKey, peer),
      });
    },
    accept(peer: Uint8Array): KeyExchangeResult {
      const own = pair();
      return { publicKey: own.publicKey, sharedSecret: nistAgree(name, curve, own.privateKey, peer) };
    },
  });
}

/**
 * secp256r1 / P-256 (0x0017). `complete` and `accept` throw ProtocolError (`INVALID_KEY_SHARE`) for a share that is
 * not an uncompressed point on the curve; `start` and `accept` throw InvalidArgumentError (argument `random`) when
 * the random source never yields a valid scalar.
 */
export function portableSecp256r1(random: RandomSource): KeyExchangeGroup {
  return nistGroup('secp256r1', 0x0017, p256, random);
}

/** secp384r1 / P-384 (0x0018). Fails as {@link portableSecp256r1} does. */
export function portableSecp384r1(random: RandomSource): KeyExchangeGroup {
  return nistGroup('secp384r1', 0x0018, p384, random);
}
