/**
 * The hybrid X25519MLKEM768 group (0x11ec, draft-ietf-tls-ecdhe-mlkem §3), shared by every provider: ML-KEM-768
 * (FIPS 203) from @noble/post-quantum — Node 20's node:crypto has none — composed with the provider's own x25519
 * group, so each provider contributes only its X25519.
 *
 * Wire layout, ML-KEM first in every field (draft-ietf-tls-ecdhe-mlkem §3.1):
 * - client share: ML-KEM-768 encapsulation key (1184) || X25519 public key (32)
 * - server share: ML-KEM-768 ciphertext (1088) || X25519 public key (32)
 * - shared secret: ML-KEM shared secret (32) || X25519 shared secret (32)
 *
 * Random draws, in order (so an injected source gives reproducible shares): `start` takes the 64-byte ML-KEM key
 * generation seed (d || z), then the x25519 group draws its 32 bytes; `accept` takes the 32-byte encapsulation
 * message m, then the x25519 group draws its 32 bytes.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { isTLSError } from '@tlsbio/errors';
import { concatBytes } from './bytes.js';
import type { KeyExchange, KeyExchangeGroup, KeyExchangeResult, RandomSource } from './provider.js';
import { invalidKeyShare } from './share-error.js';

const GROUP = 'X25519MLKEM768';
const ENCAPSULATION_KEY_LENGTH = 1184; // FIPS 203 Table 3
const CIPHERTEXT_LENGTH = 1088;
const X25519_LENGTH = 32;
const KEYGEN_SEED_LENGTH = 64;
const MESSAGE_LENGTH = 32;

/** Runs the X25519 half, reporting its share errors under the hybrid group's name. */
function x25519Half<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isTLSError(error) && error.reason === 'INVALID_KEY_SHARE') throw invalidKeyShare(GROUP, `X25519 half: ${error.message}`, error);
    throw error;
  }
}

/**
 * X25519MLKEM768 over a provider's `x25519` group, drawing ML-KEM randomness from `random`.
 * `complete` throws ProtocolError (`INVALID_KEY_SHARE`) unless the server share is exactly 1120 bytes with a valid
 * X25519 half; `accept` does unless the client share is exactly 1216 bytes, its encapsulation key passes the FIPS 203
 * §7.2 modulus check and its X25519 half is valid.
 */
export function x25519MlKem768Group(x25519: KeyExchangeGroup, random: RandomSource): KeyExchangeGroup {
  return Object.freeze({
    name: GROUP,
    id: 0x11ec,
    start(): KeyExchange {
      const kem = ml_kem768.keygen(random(KEYGEN_SEED_LENGTH));
      const dh = x25519.start();
      return Object.freeze({
        group: GROUP,
        publicKey: concatBytes(kem.publicKey, dh.publicKey),
        complete(peer: Uint8Array): Uint8Array {
          if (peer.length !== CIPHERTEXT_LENGTH + X25519_LENGTH) {
            throw invalidKeyShare(GROUP, `server share must be ${CIPHERTEXT_LENGTH + X25519_LENGTH} bytes, got ${peer.length}`);
          }
          // X25519 first: it is the half that can reject the share. ML-KEM decapsulation never fails on a
          // well-sized ciphertext (implicit rejection, FIPS 203 §6.3): a forged one yields an unrelated secret and
          // the handshake fails at Finished.
          const dhSecret = x25519Half(() => dh.complete(peer.subarray(CIPHERTEXT_LENGTH)));
          return concatBytes(ml_kem768.decapsulate(peer.subarray(0, CIPHERTEXT_LENGTH), kem.secretKey), dhSecret);
        },
      });
    },
    accept(peer: Uint8Array): KeyExchangeResult {
      if (peer.length !== ENCAPSULATION_KEY_LENGTH + X25519_LENGTH) {
        throw invalidKeyShare(GROUP, `client share must be ${ENCAPSULATION_KEY_LENGTH + X25519_LENGTH} bytes, got ${peer.length}`);
      }
      let kem: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        // noble performs the FIPS 203 §7.2 encapsulation key check (ByteEncode12(ByteDecode12(ek)) == ek).
        kem = ml_kem768.encapsulate(peer.subarray(0, ENCAPSULATION_KEY_LENGTH), random(MESSAGE_LENGTH));
      } catch (cause) {
        throw invalidKeyShare(GROUP, 'ML-KEM-768 encapsulation key fails the modulus check', cause);
      }
      const dh = x25519Half(() => x25519.accept(peer.subarray(ENCAPSULATION_KEY_LENGTH)));
      return {
        publicKey: concatBytes(kem.cipherText, dh.publicKey),
        sharedSecret: concatBytes(kem.sharedSecret, dh.sharedSecret),
      };
    },
  });
}
