import { randomFillSync } from 'node:crypto';
import { startupSnapshot } from 'node:v8';
import type { RandomSource } from '../../crypto/provider.js';

/**
 * The operating system's CSPRNG through OpenSSL, filling a fresh array (never a pooled `Buffer`). The node provider
 * draws ephemeral key-share secrets from it (P-256/P-384 scalars, ML-KEM seeds): see {@link pooledRandom} for why.
 */
export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  randomFillSync(out);
  return out;
};

/** One refill of the pool: ~36 resumed TLS 1.3 handshake pairs' worth (112 bytes each). */
const POOL_LENGTH = 4096;
/** Larger requests gain nothing from the pool and would drain it: they go to the system source. */
const POOLED_MAX = 64;
let pool: Uint8Array | undefined;
let position = POOL_LENGTH;

/**
 * The node provider's `randomBytes`: the same CSPRNG, read 4 KiB at a time.
 *
 * Why: each `randomFillSync` call costs ~2.1 µs here whatever its size (a native job per call), against ~0.08 µs
 * for a 32-byte slice of the pool (process.cpuUsage over 200,000 calls, load ~3); a resumed TLS 1.3 handshake pair
 * draws 5 values (client and server random, legacy session id, the ticket's AEAD nonce and age_add).
 *
 * Why it is safe: the bytes are the CSPRNG's own, each handed out once, copied into a fresh array and zeroed in the
 * pool at once, so the pool never holds a value in use, only bytes not yet drawn. What a pool adds is that up to
 * 4 KiB of *future* output sits in memory: someone who reads this process's memory now learns values drawn later.
 * That does not matter for public values (randoms, session ids, nonces, age_add) nor for the per-context ticket key
 * (read from memory it is exposed for its whole life anyway), but it would for an ephemeral key-share secret, whose
 * point is that it does not exist before its handshake and is gone after (forward secrecy): those come from
 * {@link systemRandom}. A copy of the process's memory would repeat the pool: Node has no fork() of a live
 * process, workers are separate isolates with their own pool, and a startup snapshot (`node --build-snapshot`) drops
 * the pool when it is deserialised.
 */
export const pooledRandom: RandomSource = (length) => {
  if (length > POOLED_MAX) return systemRandom(length);
  if (pool === undefined || position + length > POOL_LENGTH) {
    pool ??= new Uint8Array(POOL_LENGTH);
    randomFillSync(pool);
    position = 0;
  }
  const end = position + length;
  const out = pool.slice(position, end);
  pool.fill(0, position, end);
  position = end;
  return out;
};

if (startupSnapshot?.isBuildingSnapshot()) {
  startupSnapshot.addDeserializeCallback(() => {
    pool?.fill(0);
    position = POOL_LENGTH;
  });
}
