/**
 * What the TLS 1.3 engine derives from a single secret: record keys (RFC 8446 §7.3), Finished and binder MACs
 * (§4.4.4, §4.2.11.2), key updates (§7.2), ticket PSKs (§4.6.1), exporters (§7.5), and the content a
 * CertificateVerify signs (§4.4.3).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import type { HashAlgorithm } from '../crypto/provider.js';
import { deriveSecret, hkdfExpandLabel } from './hkdf-label.js';
import { Label } from './labels.js';

const EMPTY = new Uint8Array(0);
/** Every TLS 1.3 AEAD uses a 12-byte nonce, so every write IV is 12 bytes (RFC 8446 §5.3, §7.3). */
const IV_LENGTH = 12;

/** The write key and IV of one direction (RFC 8446 §7.3). */
export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

/**
 * [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length) and
 * [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length) with iv_length 12 (RFC 8446 §7.3).
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `keyLength` is out of range.
 * @example
 * const { key, iv } = trafficKeys(sha256, aead.keyLength, serverHandshakeTrafficSecret);
 */
export function trafficKeys(hash: HashAlgorithm, keyLength: number, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(hash, secret, Label.key, EMPTY, keyLength),
    iv: hkdfExpandLabel(hash, secret, Label.iv, EMPTY, IV_LENGTH),
  };
}

/**
 * finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4), where BaseKey is a
 * handshake traffic secret, or a binder_key for PSK binders (§4.2.11.2).
 */
export function finishedKey(hash: HashAlgorithm, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, baseKey, Label.finished, EMPTY, hash.outputLength);
}

/**
 * verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*))
 * (RFC 8446 §4.4.4). The same computation gives a PSK binder from a binder_key and the hash of the truncated
 * ClientHello (§4.2.11.2).
 *
 * Compare the result with the peer's value in constant time.
 * @example
 * const verifyData = finishedVerifyData(sha256, serverHandshakeTrafficSecret, transcript.current());
 */
export function finishedVerifyData(
  hash: HashAlgorithm,
  trafficSecret: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  const key = finishedKey(hash, trafficSecret);
  const verifyData = hash.hmac(key, transcriptHash);
  key.fill(0);
  return verifyData;
}

/**
 * application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 * (RFC 8446 §7.2), after a KeyUpdate.
 */
export function nextTrafficSecret(hash: HashAlgorithm, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, Label.trafficUpdate, EMPTY, hash.outputLength);
}

/**
 * The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)
 * (RFC 8446 §4.6.1).
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `ticketNonce` is longer than 255 bytes (it is a
 *   `ticket_nonce<0..255>`).
 */
export function resumptionPsk(
  hash: HashAlgorithm,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(hash, resumptionMasterSecret, Label.resumption, ticketNonce, hash.outputLength);
}

/**
 * TLS-Exporter(label, context_value, key_length) =
 *   HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)
 * (RFC 8446 §7.5), with Secret the exporter_master_secret (or early_exporter_master_secret for 0-RTT exporters).
 * In TLS 1.3 an absent context and an empty one give the same output, so both are an empty `context`.
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `label` is not a string of at most 249 bytes, `context` is
 *   not a Uint8Array, or `length` is not an integer from 0 to min(65535, 255 * Hash.length).
 * @example
 * const context = new Uint8Array(0);
 * const keyingMaterial = exportKeyingMaterial13(sha256, exporterMasterSecret, 'EXPORTER-my-protocol', context, 32);
 */
export function exportKeyingMaterial13(
  hash: HashAlgorithm,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  // Public entry point: these come from the application, so check their types here.
  if (typeof label !== 'string') throw new InvalidArgumentError('label', 'INVALID_ARGUMENT', 'must be a string');
  if (!(context instanceof Uint8Array)) {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a Uint8Array');
  }
  const secret = deriveSecret(hash, exporterMasterSecret, label, hash.digest(EMPTY));
  try {
    return hkdfExpandLabel(hash, secret, Label.exporter, hash.digest(context), length);
  } finally {
    secret.fill(0);
  }
}

const SPACES = 64;
const SERVER_CONTEXT = 'TLS 1.3, server CertificateVerify';
const CLIENT_CONTEXT = 'TLS 1.3, client CertificateVerify';

/** 64 spaces, the context string and the 0x00 separator, built once per signer (RFC 8446 §4.4.3). */
function signedContentPrefix(context: string): Uint8Array {
  const prefix = new Uint8Array(SPACES + context.length + 1).fill(0x20, 0, SPACES);
  for (let i = 0; i < context.length; i++) prefix[SPACES + i] = context.charCodeAt(i);
  prefix[SPACES + context.length] = 0;
  return prefix;
}
const SERVER_PREFIX = signedContentPrefix(SERVER_CONTEXT);
const CLIENT_PREFIX = signedContentPrefix(CLIENT_CONTEXT);

/**
 * The content a CertificateVerify signs (RFC 8446 §4.4.3): 64 bytes of 0x20, the context string
 * ("TLS 1.3, server CertificateVerify" or "TLS 1.3, client CertificateVerify"), a 0x00 byte, then
 * Transcript-Hash(Handshake Context, Certificate).
 * @example
 * scheme.verify(peerKey, certificateVerifyInput('server', transcript.current()), signature);
 */
export function certificateVerifyInput(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const prefix = signer === 'server' ? SERVER_PREFIX : CLIENT_PREFIX;
  const out = new Uint8Array(prefix.length + transcriptHash.length);
  out.set(prefix, 0);
  out.set(transcriptHash, prefix.length);
  return out;
}
