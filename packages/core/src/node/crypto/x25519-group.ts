/**
 * The x25519 group (0x001d, RFC 8446 §4.2.7) over {@link x25519KeyPair}.
 */
import type { KeyExchange, KeyExchangeGroup, KeyExchangeResult, RandomSource } from '../../crypto/provider.js';
import { X25519_LENGTH, x25519Agree, x25519GeneratedKeyPair, x25519KeyPair } from './x25519.js';

/**
 * x25519 key exchange drawing each private key from `random` (32 bytes per key share), or, without one, from
 * OpenSSL's own generator (the faster path; an injected source exists to reproduce key shares, e.g. RFC 8448's).
 * `complete`/`accept` throw ProtocolError (`INVALID_KEY_SHARE`) for a share that is not 32 bytes or that gives an
 * all-zero secret.
 */
export function x25519Group(random: RandomSource | undefined): KeyExchangeGroup {
  const start = (): KeyExchange => {
    const { privateKey, publicKey } = random === undefined ? x25519GeneratedKeyPair() : x25519KeyPair(random(X25519_LENGTH));
    return { group: 'x25519', publicKey, complete: (peer) => x25519Agree('x25519', privateKey, peer) };
  };
  return Object.freeze({
    name: 'x25519',
    id: 0x001d,
    start,
    accept(peerPublicKey: Uint8Array): KeyExchangeResult {
      const ours = start();
      return { publicKey: ours.publicKey, sharedSecret: ours.complete(peerPublicKey) };
    },
  });
}
