/**
 * AEAD record protection over node:crypto: AES-128-GCM, AES-256-GCM (NIST SP 800-38D) and ChaCha20-Poly1305
 * (RFC 8439).
 *
 * The record layer calls `seal`/`open` once per record, so each call does the least it can: the key lives in a
 * `KeyObject` made once, on the key's first use, `seal` writes ciphertext and tag into one array of exactly the
 * output size, and `open` returns the plaintext buffer OpenSSL produced without copying it.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type CipherGCMTypes,
  type CipherChaCha20Poly1305Types,
  type KeyObject,
} from 'node:crypto';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { AeadAlgorithm, AeadKey, AeadName } from '../../crypto/provider.js';
import { asBytes } from './bytes.js';

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

type OpenSslCipher = CipherGCMTypes | CipherChaCha20Poly1305Types;

function checkNonce(nonce: Uint8Array): void {
  // A length compare per record: cheap enough to keep, and a wrong nonce length would otherwise be a silent GCM
  // mode change (OpenSSL accepts any IV length for GCM) rather than an error.
  if (nonce.length !== NONCE_LENGTH) {
    throw new InvalidArgumentError('nonce', 'BAD_NONCE_LENGTH', `must be ${NONCE_LENGTH} bytes, got ${nonce.length}`);
  }
}

/**
 * One AEAD key. Until its first use the key is kept as its bytes in a string (one char a byte: 32 or 48 bytes of
 * heap), and the node:crypto `KeyObject` (a JS object, its handle's wrapper and a native key: ~100 bytes of heap
 * and more outside it) is made then, once: a connection has four traffic keys, and an established connection that
 * has carried no data yet has used at most one of them (a server's write key, for its NewSessionTickets).
 */
class NodeAeadKey implements AeadKey {
  readonly #cipher: OpenSslCipher;
  #key: KeyObject | string;

  constructor(cipher: OpenSslCipher, key: Uint8Array) {
    this.#cipher = cipher;
    this.#key = String.fromCharCode(...key);
  }

  /**
   * Encrypts `plaintext` and returns `ciphertext || tag` (`plaintext.length + 16` bytes).
   * @throws InvalidArgumentError (`BAD_NONCE_LENGTH`) when `nonce` is not 12 bytes.
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    checkNonce(nonce);
    let key = this.#key;
    if (typeof key === 'string') this.#key = key = keyObject(key);
    const cipher = createCipheriv(this.#cipher as CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    const out = new Uint8Array(plaintext.length + TAG_LENGTH);
    // Both modes are stream modes: update() returns exactly plaintext.length bytes and final() returns none.
    out.set(cipher.update(plaintext), 0);
    cipher.final();
    out.set(cipher.getAuthTag(), plaintext.length);
    return out;
  }

  /**
   * Encrypts `buffer[offset, offset + length)` in place, tag after it.
   * @throws InvalidArgumentError (`BAD_NONCE_LENGTH`) when `nonce` is not 12 bytes.
   */
  sealInPlace(nonce: Uint8Array, buffer: Uint8Array, offset: number, length: number, aad: Uint8Array): void {
    checkNonce(nonce);
    let key = this.#key;
    if (typeof key === 'string') this.#key = key = keyObject(key);
    const cipher = createCipheriv(this.#cipher as CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad);
    buffer.set(cipher.update(buffer.subarray(offset, offset + length)), offset);
    cipher.final();
    buffer.set(cipher.getAuthTag(), offset + length);
  }

  /**
   * Decrypts and authenticates `ciphertext || tag`.
   * @returns the plaintext, or `null` when the tag does not verify (or `sealed` is shorter than a tag).
   * @throws InvalidArgumentError (`BAD_NONCE_LENGTH`) when `nonce` is not 12 bytes.
   */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
    checkNonce(nonce);
    if (sealed.length < TAG_LENGTH) return null;
    const split = sealed.length - TAG_LENGTH;
    let key = this.#key;
    if (typeof key === 'string') this.#key = key = keyObject(key);
    const decipher = createDecipheriv(this.#cipher as CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(sealed.subarray(split));
    decipher.setAAD(aad);
    const plaintext = decipher.update(sealed.subarray(0, split));
    try {
      // final() checks the tag; its only failure with a well-formed tag length is an authentication failure.
      decipher.final();
    } catch {
      plaintext.fill(0); // never leave unauthenticated plaintext lying around
      return null;
    }
    return asBytes(plaintext);
  }
}

/** The `KeyObject` of a key kept as a string of its bytes (see NodeAeadKey). */
function keyObject(bytes: string): KeyObject {
  // A short Buffer.from() is a slice of Node's shared allocation pool, reused by later Buffers: wipe the key's copy
  // once node:crypto has taken its own.
  const key = Buffer.from(bytes, 'latin1');
  try {
    return createSecretKey(key);
  } finally {
    key.fill(0);
  }
}

function nodeAead(name: AeadName, cipher: OpenSslCipher, keyLength: number): AeadAlgorithm {
  return Object.freeze({
    name,
    keyLength,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    importKey(key: Uint8Array): AeadKey {
      if (!(key instanceof Uint8Array) || key.length !== keyLength) {
        const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
        throw new InvalidArgumentError('key', 'BAD_KEY_LENGTH', `${name} needs a ${keyLength}-byte key, got ${got}`);
      }
      return new NodeAeadKey(cipher, key);
    },
  });
}

/**
 * AES-128-GCM. `seal`/`open` take a 12-byte nonce and return/accept `ciphertext || 16-byte tag`.
 * `importKey` throws InvalidArgumentError (`BAD_KEY_LENGTH`) unless the key is 16 bytes.
 */
export const aes128Gcm: AeadAlgorithm = nodeAead('aes_128_gcm', 'aes-128-gcm', 16);
/** AES-256-GCM; as {@link aes128Gcm} with a 32-byte key. */
export const aes256Gcm: AeadAlgorithm = nodeAead('aes_256_gcm', 'aes-256-gcm', 32);
/** ChaCha20-Poly1305 (RFC 8439); as {@link aes128Gcm} with a 32-byte key. */
export const chacha20Poly1305: AeadAlgorithm = nodeAead('chacha20_poly1305', 'chacha20-poly1305', 32);
