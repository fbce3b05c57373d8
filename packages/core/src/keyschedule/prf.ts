/**
 * The TLS 1.2 PRF and what is derived from it (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4): the master secret
 * (always the extended one, hashed over the session), the key block, and Finished's verify_data.
 *
 * The PRF of a suite is P_<hash> of the suite's hash (SHA-256, or SHA-384 for the *_SHA384 suites, RFC 5289 §3).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import type { HashAlgorithm } from '../crypto/provider.js';

const encoder = new TextEncoder();

/** TLS 1.2 PRF labels (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627 §4), in one place. */
export const Tls12Label = {
  masterSecret: 'master secret',
  extendedMasterSecret: 'extended master secret',
  keyExpansion: 'key expansion',
  clientFinished: 'client finished',
  serverFinished: 'server finished',
} as const;

/** Length of the master secret (RFC 5246 §8.1) and of Finished's verify_data (RFC 5246 §7.4.9). */
export const MASTER_SECRET_LENGTH = 48;
export const VERIFY_DATA_LENGTH = 12;

/**
 * PRF(secret, label, seed) = P_hash(secret, label || seed), truncated to `length` bytes (RFC 5246 §5):
 * A(0) = label || seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || label || seed) || …
 *
 * @example
 * prf12(provider.hashes.sha256!, secret, 'test label', seed, 100);
 */
export function prf12(hash: HashAlgorithm, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelBytes = encoder.encode(label);
  const labelSeed = new Uint8Array(labelBytes.length + seed.length);
  labelSeed.set(labelBytes, 0);
  labelSeed.set(seed, labelBytes.length);
  const out = new Uint8Array(length);
  const hashLength = hash.outputLength;
  // A(i) || label || seed, reused for every block: A(i) is written over its front.
  const input = new Uint8Array(hashLength + labelSeed.length);
  input.set(labelSeed, hashLength);
  let a = hash.hmac(secret, labelSeed);
  for (let offset = 0; offset < length; offset += hashLength) {
    input.set(a, 0);
    const block = hash.hmac(secret, input);
    out.set(block.subarray(0, Math.min(hashLength, length - offset)), offset);
    a = hash.hmac(secret, a);
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * The extended master secret (RFC 7627 §4): PRF(pre_master_secret, "extended master secret", session_hash), where
 * session_hash is the transcript hash through ClientKeyExchange.
 */
export function extendedMasterSecret(hash: HashAlgorithm, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf12(hash, preMasterSecret, Tls12Label.extendedMasterSecret, sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * The classic master secret (RFC 5246 §8.1): PRF(pre_master_secret, "master secret", client_random + server_random).
 * Only used when a context explicitly allows peers without extended_master_secret.
 */
export function legacyMasterSecret(
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  return prf12(hash, preMasterSecret, Tls12Label.masterSecret, concat(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/** The write keys and IVs of both directions (RFC 5246 §6.3; AEAD suites have no MAC keys). */
export interface KeyBlock12 {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/**
 * The key block (RFC 5246 §6.3): PRF(master_secret, "key expansion", server_random + client_random), cut into
 * client key, server key, client IV, server IV. `ivLength` is 4 for AES-GCM (the salt, RFC 5288 §3) and 12 for
 * ChaCha20-Poly1305 (RFC 7905 §2).
 */
export function keyBlock12(
  hash: HashAlgorithm,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength: number,
): KeyBlock12 {
  const block = prf12(hash, masterSecret, Tls12Label.keyExpansion, concat(serverRandom, clientRandom), 2 * (keyLength + ivLength));
  let offset = 0;
  const take = (n: number) => block.slice(offset, (offset += n));
  return { clientWriteKey: take(keyLength), serverWriteKey: take(keyLength), clientWriteIv: take(ivLength), serverWriteIv: take(ivLength) };
}

/**
 * Finished's verify_data (RFC 5246 §7.4.9): PRF(master_secret, finished_label, Hash(handshake_messages))[0..11].
 */
export function finishedVerifyData12(hash: HashAlgorithm, masterSecret: Uint8Array, sender: 'client' | 'server', transcriptHash: Uint8Array): Uint8Array {
  const label = sender === 'client' ? Tls12Label.clientFinished : Tls12Label.serverFinished;
  return prf12(hash, masterSecret, label, transcriptHash, VERIFY_DATA_LENGTH);
}

/**
 * Labels an exporter may not start with in TLS 1.2: the PRF's own (RFC 5705 §4), refused as OpenSSL refuses them
 * (`SSL_R_TLS_ILLEGAL_EXPORTER_LABEL`), so that exported material can never equal a Finished or a key block.
 */
const RESERVED_EXPORTER_LABELS = [
  Tls12Label.clientFinished,
  Tls12Label.serverFinished,
  Tls12Label.masterSecret,
  Tls12Label.extendedMasterSecret,
  Tls12Label.keyExpansion,
];

/**
 * RFC 5705 §4 keying material exporter for TLS 1.2:
 * PRF(master_secret, label, client_random + server_random [+ uint16 context length + context])[0..length-1].
 * An absent `context` and an empty one differ here (the length prefix is only there with a context), unlike TLS 1.3.
 * The caller makes sure the master secret is the extended one (RFC 7627 §5.4).
 *
 * @throws InvalidArgumentError `TLS_ILLEGAL_EXPORTER_LABEL` for a label starting with one of the PRF's own;
 *   `INVALID_ARGUMENT` when `context` is longer than 65535 bytes or `length` is not an integer from 0 to 65535.
 * @example
 * exportKeyingMaterial12(sha256, masterSecret, clientRandom, serverRandom, 'EXPORTER-my-protocol', undefined, 32);
 */
export function exportKeyingMaterial12(
  hash: HashAlgorithm,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  if (RESERVED_EXPORTER_LABELS.some((reserved) => label.startsWith(reserved))) {
    throw new InvalidArgumentError('label', 'TLS_ILLEGAL_EXPORTER_LABEL', `"${label}" starts with a label the TLS 1.2 PRF uses itself`);
  }
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
    throw new InvalidArgumentError('length', 'INVALID_ARGUMENT', `must be an integer from 0 to 65535, got ${length}`);
  }
  const randoms = concat(clientRandom, serverRandom);
  if (context === undefined) return prf12(hash, masterSecret, label, randoms, length);
  if (context.length > 0xffff) throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be at most 65535 bytes in TLS 1.2');
  const seed = new Uint8Array(randoms.length + 2 + context.length);
  seed.set(randoms, 0);
  seed[randoms.length] = context.length >> 8;
  seed[randoms.length + 1] = context.length & 0xff;
  seed.set(context, randoms.length + 2);
  return prf12(hash, masterSecret, label, seed, length);
}
