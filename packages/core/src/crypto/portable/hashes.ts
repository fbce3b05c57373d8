/**
 * SHA-256/384/512 and HMAC from @noble/hashes. The running hash is noble's incremental state: `fork` is its `clone`,
 * a copy of a few words of state and one block of buffered input, so reading the transcript mid-handshake is cheap.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash, Hash } from '@noble/hashes/utils.js';
import type { HashAlgorithm, HashName, RunningHash } from '../provider.js';

class NobleRunningHash implements RunningHash {
  readonly #state: Hash<any>;

  constructor(state: Hash<any>) {
    this.#state = state;
  }

  update(data: Uint8Array): void {
    this.#state.update(data);
  }

  fork(): RunningHash {
    return new NobleRunningHash(this.#state.clone());
  }

  digest(): Uint8Array {
    return this.#state.digest();
  }
}

function nobleHashAlgorithm(name: HashName, hash: CHash): HashAlgorithm {
  return Object.freeze({
    name,
    outputLength: hash.outputLen,
    blockLength: hash.blockLen,
    digest: (data: Uint8Array): Uint8Array => hash(data),
    create: (): RunningHash => new NobleRunningHash(hash.create()),
    hmac: (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(hash, key, data),
  });
}

/** SHA-256 (RFC 6234), with HMAC-SHA-256. */
export const portableSha256: HashAlgorithm = nobleHashAlgorithm('sha256', sha256);
/** SHA-384 (RFC 6234), with HMAC-SHA-384. */
export const portableSha384: HashAlgorithm = nobleHashAlgorithm('sha384', sha384);
/** SHA-512 (RFC 6234), with HMAC-SHA-512: used by rsa_pss_*_sha512 and rsa_pkcs1_sha512. */
export const portableSha512: HashAlgorithm = nobleHashAlgorithm('sha512', sha512);
