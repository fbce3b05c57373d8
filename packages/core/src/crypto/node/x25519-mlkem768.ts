/**
 * The hybrid X25519MLKEM768 group (0x11ec, draft-ietf-tls-ecdhe-mlkem §3): ML-KEM-768 (FIPS 203) from
 * @noble/post-quantum, since Node 20's node:crypto has none, combined with native X25519.
 *
 * Wire layout, ML-KEM first in every field (draft-ietf-tls-ecdhe-mlkem §3.1):
 * - client share: ML-KEM-768 encapsulation key (1184) || X25519 public key (32)
 * - server share: ML-KEM-768 ciphertext (1088) || X25519 public key (32)
 * - shared secret: ML-KEM shared secret (32) || X25519 shared secret (32)
 *
 * Random draws, in order (so an injected source gives reproducible shares): `start` takes the 64-byte ML-KEM key
 * generation seed (d || z), then 32 bytes of X25519 key; `accept` takes the 32-byte encapsulation message m, then
 * 32 bytes of X25519 key.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { KeyExchange, KeyExchangeGroup, KeyExchangeResult, RandomSource } from '../provider.js';
import { concatBytes } from './bytes.js';
import { invalidKeyShare } from './share-error.js';
import { X25519_LENGTH, x25519Agree, x25519KeyPair } from './x25519.js';

const GROUP = 'X25519MLKEM768';
const ENCAPSULATION_KEY_LENGTH = 1184; // FIPS 203 Table 3
const CIPHERTEXT_LENGTH = 1088;
const KEYGEN_SEED_LENGTH = 64;
const MESSAGE_LENGTH = 32;

/**
 * X25519MLKEM768 key exchange drawing from `random`.
 * `complete` throws ProtocolError (`INVALID_KEY_SHARE`) unless the server share is exactly 1120 bytes with a valid
 * X25519 half; `accept` does unless the client share is exactly 1216 bytes, its encapsulation key passes the FIPS 203
 * §7.2 modulus check and its X25519 half is valid.
 */
export function x25519MlKem768Group(random: RandomSource): KeyExchangeGroup {
  return Object.freeze({
    name: GROUP,
    id: 0x11ec,
    start(): KeyExchange {
      const kem = ml_kem768.keygen(random(KEYGEN_SEED_LENGTH));
      const dh = x25519KeyPair(random(X25519_LENGTH));
      return {
        group: GROUP,
        publicKey: concatBytes(kem.publicKey, dh.publicKey),
        complete(peer: Uint8Array): Uint8Array {
          if (peer.length !== CIPHERTEXT_LENGTH + X25519_LENGTH) {
            throw invalidKeyShare(GROUP, `server share must be ${CIPHERTEXT_LENGTH + X25519_LENGTH} bytes, got ${peer.length}`);
          }
          // X25519 first: it is the half that can reject the share. ML-KEM decapsulation never fails on a
          // well-sized ciphertext (implicit rejection, FIPS 203 §6.3), it yields an unrelated secret instead.
          const dhSecret = x25519Agree(GROUP, dh.privateKey, peer.subarray(CIPHERTEXT_LENGTH));
          const kemSecret = ml_kem768.decapsulate(peer.subarray(0, CIPHERTEXT_LENGTH), kem.secretKey);
          return concatBytes(kemSecret, dhSecret);
        },
      };
    },
    accept(peer: Uint8Array): KeyExchangeResult {
      if (peer.length !== ENCAPSULATION_KEY_LENGTH + X25519_LENGTH) {
        throw invalidKeyShare(GROUP, `client share must be ${ENCAPSULATION_KEY_LENGTH + X25519_LENGTH} bytes, got ${peer.length}`);
      }
      const encapsulationKey = peer.subarray(0, ENCAPSULATION_KEY_LENGTH);
      let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        // noble performs the FIPS 203 §7.2 encapsulation key check (ByteEncode12(ByteDecode12(ek)) == ek).
        encapsulated = ml_kem768.encapsulate(encapsulationKey, random(MESSAGE_LENGTH));
      } catch (cause) {
        throw invalidKeyShare(GROUP, 'ML-KEM-768 encapsulation key fails the modulus check', cause);
      }
      const dh = x25519KeyPair(random(X25519_LENGTH));
      const dhSecret = x25519Agree(GROUP, dh.privateKey, peer.subarray(ENCAPSULATION_KEY_LENGTH));
      return {
        publicKey: concatBytes(encapsulated.cipherText, dh.publicKey),
        sharedSecret: concatBytes(encapsulated.sharedSecret, dhSecret),
      };
    },
  });
}
