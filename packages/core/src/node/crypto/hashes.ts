/**
 * SHA-2 hashes and HMAC over node:crypto.
 *
 * Every digest is read as a latin1 string (`'binary'`, Node's alias of latin1 that @types/node accepts) and copied
 * into a `Uint8Array` here, never as a `Buffer`: node:crypto makes each `Buffer` result with its own native backing
 * store, ~0.5 µs a call, more than SHA-256 of a short input itself, and work for the garbage collector later.
 * `crypto.hash(…, 'binary')` costs ~0.26 µs and the copy ~0.1 µs, against ~0.8 µs with `'buffer'` and ~1.5 µs for
 * `createHash().update().digest()` (process.cpuUsage over 300,000 one-shot digests of 114 bytes, Node 20.20, load ~3).
 *
 * The string is a copy of the digest that cannot be wiped; so is every small `Uint8Array` the engine allocates, which
 * V8 keeps inside its heap and the scavenger moves (and so copies). Wiping secrets here is best effort, as it is
 * everywhere in JavaScript.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, type Hash } from 'node:crypto';
import type { HashAlgorithm, HashName, RunningHash } from '../../crypto/provider.js';

/** The bytes of a latin1 string (one byte per character), written at `offset` into `out`. */
function latin1Into(text: string, out: Uint8Array, offset: number): Uint8Array {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return out;
}

function latin1Bytes(text: string): Uint8Array {
  return latin1Into(text, new Uint8Array(text.length), 0);
}

/**
 * A one-shot digest as a latin1 string. `crypto.hash` (Node >= 20.12) makes no `Hash` object; older Node 20 releases
 * lack it, hence the lookup through the namespace and the fallback.
 */
const oneShot: (name: HashName, data: Uint8Array) => string =
  typeof nodeCrypto.hash === 'function'
    ? (name, data) => nodeCrypto.hash(name, data, 'binary')
    : (name, data) => createHash(name).update(data).digest('binary');

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
    return latin1Bytes(this.#hash.digest('binary'));
  }
}

/** Inputs up to this size are padded in one shared buffer; longer ones (rare: TLS 1.2 PRF seeds) get their own. */
const SCRATCH_LENGTH = 1024;
const scratch = new Uint8Array(SCRATCH_LENGTH);

/**
 * HMAC (RFC 2104) as two one-shot digests, H((K ^ opad) || H((K ^ ipad) || m)).
 *
 * A resumed TLS 1.3 handshake makes ~53 short HMACs per client+server pair (key schedule, traffic keys, binders,
 * Finished). `createHmac` builds an OpenSSL HMAC context, a native wrapper object and a `Buffer` for each: ~2.0 µs a
 * call here. Two latin1 one-shot digests over a shared scratch buffer cost ~0.8 µs (same measurement as above, 32-byte
 * key, 50-byte message). The key pads are wiped from the scratch buffer before returning; the engine is synchronous,
 * so nothing else uses the buffer meanwhile.
 */
function oneShotHmac(name: HashName, blockLength: number): (key: Uint8Array, data: Uint8Array) => Uint8Array {
  return (key, data) => {
    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one is padded with zeros.
    const k = key.length > blockLength ? latin1Bytes(oneShot(name, key)) : key;
    const innerLength = blockLength + data.length;
    const buffer = innerLength <= SCRATCH_LENGTH ? scratch : new Uint8Array(innerLength);
    for (let i = 0; i < k.length; i++) buffer[i] = k[i]! ^ 0x36;
    buffer.fill(0x36, k.length, blockLength);
    buffer.set(data, blockLength);
    const inner = oneShot(name, buffer.subarray(0, innerLength));
    for (let i = 0; i < k.length; i++) buffer[i] = k[i]! ^ 0x5c;
    buffer.fill(0x5c, k.length, blockLength);
    latin1Into(inner, buffer, blockLength);
    const mac = latin1Bytes(oneShot(name, buffer.subarray(0, blockLength + inner.length)));
    buffer.fill(0, 0, Math.max(innerLength, blockLength + inner.length));
    if (k !== key) k.fill(0);
    return mac;
  };
}

function nodeHash(name: HashName, outputLength: number, blockLength: number): HashAlgorithm {
  return Object.freeze({
    name,
    outputLength,
    blockLength,
    digest: (data: Uint8Array) => latin1Bytes(oneShot(name, data)),
    create: (): RunningHash => new NodeRunningHash(createHash(name)),
    hmac: oneShotHmac(name, blockLength),
  });
}

/** SHA-256 (FIPS 180-4) with HMAC. */
export const sha256: HashAlgorithm = nodeHash('sha256', 32, 64);
/** SHA-384 (FIPS 180-4) with HMAC. */
export const sha384: HashAlgorithm = nodeHash('sha384', 48, 128);
/** SHA-512 (FIPS 180-4) with HMAC; TLS uses it only inside rsa_pss_*_sha512 and rsa_pkcs1_sha512. */
export const sha512: HashAlgorithm = nodeHash('sha512', 64, 128);
