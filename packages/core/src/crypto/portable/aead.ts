/**
 * AES-128-GCM, AES-256-GCM (NIST SP 800-38D) and ChaCha20-Poly1305 (RFC 8439) from @noble/ciphers.
 *
 * Copies per 16 KiB record: noble's seal writes `ciphertext || tag` into the one buffer it allocates, which we return
 * as is; open allocates only the plaintext. ChaCha20-Poly1305 works inside that output buffer and copies nothing else.
 * noble's GCM reads its input through 32-bit words and so copies an input that does not start on a 4-byte boundary
 * (a record body at offset 5 of a record buffer does not): one copy we cannot avoid without another GCM.
 * noble has no reusable key schedule for GCM, so each record expands the key again (a few microseconds, small against
 * 16 KiB of GHASH and AES).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { AeadAlgorithm, AeadKey, AeadName } from '../provider.js';

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

interface NobleAead {
  (key: Uint8Array, nonce: Uint8Array, aad?: Uint8Array): {
    encrypt(plaintext: Uint8Array): Uint8Array;
    decrypt(sealed: Uint8Array): Uint8Array;
  };
}

// noble signals a tag mismatch with a plain Error ('aes-gcm: invalid tag', 'invalid tag'); everything else it could
// throw is ruled out by our own checks before the call, so anything not matching this is a bug and is re-thrown.
function isTagMismatch(error: unknown): boolean {
  return error instanceof Error && error.message.endsWith('invalid tag');
}

function checkNonce(nonce: Uint8Array): void {
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_LENGTH) {
    throw new InvalidArgumentError('nonce', 'BAD_NONCE_LENGTH', `must be ${NONCE_LENGTH} bytes`);
  }
}

function nobleAead(name: AeadName, keyLength: number, cipher: NobleAead): AeadAlgorithm {
  return Object.freeze({
    name,
    keyLength,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    importKey(key: Uint8Array): AeadKey {
      if (!(key instanceof Uint8Array) || key.length !== keyLength) {
        throw new InvalidArgumentError('key', 'BAD_KEY_LENGTH', `${name} needs a ${keyLength}-byte key`);
      }
      // noble borrows the key by reference: keep our own copy so the caller may reuse its buffer. (Not `slice()`,
      // which on a Node Buffer returns a view.)
      const secret = new Uint8Array(key);
      return Object.freeze({
        seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
          checkNonce(nonce);
          return cipher(secret, nonce, aad).encrypt(plaintext);
        },
        sealInPlace(nonce: Uint8Array, buffer: Uint8Array, offset: number, length: number, aad: Uint8Array): void {
          checkNonce(nonce);
          // noble encrypts into a fresh array; reading the view before writing over it keeps this correct.
          buffer.set(cipher(secret, nonce, aad).encrypt(buffer.subarray(offset, offset + length)), offset);
        },
        open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
          checkNonce(nonce);
          // Shorter than a tag cannot authenticate: the same outcome as a wrong tag.
          if (sealed.length < TAG_LENGTH) return null;
          try {
            return cipher(secret, nonce, aad).decrypt(sealed);
          } catch (error) {
            if (isTagMismatch(error)) return null;
            throw error;
          }
        },
      });
    },
  });
}

/**
 * AES-128-GCM: 16-byte key, 12-byte nonce, 16-byte tag. For all three AEADs: `importKey` throws InvalidArgumentError
 * (`BAD_KEY_LENGTH`) for a key of the wrong size; `seal` and `open` throw InvalidArgumentError (`BAD_NONCE_LENGTH`)
 * for a nonce that is not 12 bytes; `open` returns `null` when authentication fails.
 */
export const portableAes128Gcm: AeadAlgorithm = nobleAead('aes_128_gcm', 16, gcm);
/** AES-256-GCM: 32-byte key, 12-byte nonce, 16-byte tag. */
export const portableAes256Gcm: AeadAlgorithm = nobleAead('aes_256_gcm', 32, gcm);
/** ChaCha20-Poly1305 (RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag. */
export const portableChaCha20Poly1305: AeadAlgorithm = nobleAead('chacha20_poly1305', 32, chacha20poly1305);
