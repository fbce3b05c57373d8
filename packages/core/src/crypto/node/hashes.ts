/**
 * SHA-2 hashes and HMAC over node:crypto.
 */
import { createHash, createHmac, type Hash } from 'node:crypto';
import type { HashAlgorithm, HashName, RunningHash } from '../provider.js';
import { asBytes } from './bytes.js';

/** A transcript hash over a native `Hash`; `fork()` is OpenSSL's context copy, so reading mid-stream is cheap. */
class NodeRunningHash implements RunningHash {
  readonly #hash: Hash;

  constructor(hash: Hash) {
    this.#hash = hash;
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  fork(): RunningHash {
    return new NodeRunningHash(this.#hash.copy());
  }

  digest(): Uint8Array {
    return asBytes(this.#hash.digest());
  }
}

function nodeHash(name: HashName, outputLength: number, blockLength: number): HashAlgorithm {
  return Object.freeze({
    name,
    outputLength,
    blockLength,
    digest: (data: Uint8Array) => asBytes(createHash(name).update(data).digest()),
    create: (): RunningHash => new NodeRunningHash(createHash(name)),
    hmac: (key: Uint8Array, data: Uint8Array) => asBytes(createHmac(name, key).update(data).digest()),
  });
}

/** SHA-256 (FIPS 180-4) with HMAC. */
export const sha256: HashAlgorithm = nodeHash('sha256', 32, 64);
/** SHA-384 (FIPS 180-4) with HMAC. */
export const sha384: HashAlgorithm = nodeHash('sha384', 48, 128);
/** SHA-512 (FIPS 180-4) with HMAC; TLS uses it only inside rsa_pss_*_sha512 and rsa_pkcs1_sha512. */
export const sha512: HashAlgorithm = nodeHash('sha512', 64, 128);
