/**
 * The TLS 1.3 key schedule (RFC 8446 §7) and transcript hash (RFC 8446 §4.4.1).
 *
 * - `labels.ts`: every HKDF label, in one constants object.
 * - `hkdf-label.ts`: HKDF-Expand-Label and Derive-Secret.
 * - `key-schedule.ts`: `KeySchedule13`, the early -> handshake -> master chain.
 * - `secrets.ts`: what is derived from one secret: traffic keys, Finished, key update, ticket PSK, exporter,
 *   CertificateVerify content.
 * - `transcript.ts`: `Transcript`, the running hash with ClientHello buffering and the HelloRetryRequest rule.
 * - `prf.ts`: TLS 1.2's PRF and what comes from it: master secrets, key block, Finished, RFC 5705 exporter.
 */
export { Label, LABEL_PREFIX } from './labels.js';
export { deriveSecret, hkdfExpandLabel, hkdfLabel } from './hkdf-label.js';
export { KeySchedule13, type KeyScheduleStage } from './key-schedule.js';
export {
  certificateVerifyInput,
  exportKeyingMaterial13,
  finishedKey,
  finishedVerifyData,
  nextTrafficSecret,
  resumptionPsk,
  trafficKeys,
  type TrafficKeys,
} from './secrets.js';
export { Transcript } from './transcript.js';
export {
  MASTER_SECRET_LENGTH,
  Tls12Label,
  VERIFY_DATA_LENGTH,
  exportKeyingMaterial12,
  extendedMasterSecret,
  finishedVerifyData12,
  keyBlock12,
  legacyMasterSecret,
  prf12,
  type KeyBlock12,
} from './prf.js';
