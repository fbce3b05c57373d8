/**
 * The record layer (RFC 8446 §5; RFC 5246 §6.2 with RFC 5288 and RFC 7905 for TLS 1.2 AEAD suites): bytes to
 * records (`RecordDeframer`), protection per direction (`*Sealer` / `*Opener`), handshake message reassembly
 * (`HandshakeReassembler`) and the alert codec.
 *
 * Error reasons raised here, all `ProtocolError` with fault `'remote'` unless said otherwise:
 * - `WRONG_VERSION_NUMBER` (protocol_version): a header not starting 0x03 (not TLS); TLS 1.2 record of another version.
 * - `UNEXPECTED_RECORD` (unexpected_message): an unknown outer content type; a non-application_data TLS 1.3
 *   protected record; unprotected application_data.
 * - `RECORD_OVERFLOW` (record_overflow): a header over the deframer's limit; plaintext over 2^14 (TLS 1.3: inner
 *   plaintext over 2^14 + 1).
 * - `BAD_RECORD_MAC` (bad_record_mac): AEAD failure or a body too short for nonce and tag.
 * - `BAD_RECORD_TYPE` (unexpected_message): TLS 1.3 inner plaintext of only zeros, or an unknown inner type.
 * - `UNEXPECTED_CCS_MESSAGE` (unexpected_message): a protected change_cipher_spec.
 * - `UNEXPECTED_MESSAGE` (unexpected_message): an empty handshake or alert fragment.
 * - `EXCESSIVE_MESSAGE_SIZE` (illegal_parameter): a handshake header over the reassembler's limit.
 * - `INVALID_ALERT` (decode_error), `UNKNOWN_ALERT_TYPE` (illegal_parameter): malformed alerts.
 * - `INTERNAL_ERROR` with fault `'local'`: a key's sequence numbers are exhausted (2^53 - 1 records, or AES-GCM's
 *   2^24.5 for TLS 1.3 application data).
 * Misuse by the engine (oversized fragments, bad IV length, ...) is `InvalidArgumentError` (`INVALID_ARGUMENT`).
 */
export { AlertLevel } from '@tlsbio/errors';
export {
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  MAX_SEQUENCE,
  RECORD_HEADER_LENGTH,
  type OpenedRecord,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from './common.js';
export { RecordDeframer, type RecordDeframerOptions } from './deframer.js';
export { PlaintextOpener, PlaintextSealer, type PlaintextSealerOptions } from './plaintext.js';
export {
  DEFAULT_GCM_RECORD_LIMIT,
  GCM_HARD_RECORD_LIMIT,
  Tls13Opener,
  Tls13Sealer,
  type Tls13SealerOptions,
} from './tls13.js';
export { Tls12AeadOpener, Tls12AeadSealer } from './tls12.js';
export {
  DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
  HandshakeReassembler,
  type HandshakeMessage,
  type HandshakeReassemblerOptions,
} from './handshake.js';
export { MAX_RECORDS_PER_BATCH, sealFragments, sealRecords, type SealedRecords } from './fragments.js';
export { decodeAlert, encodeAlert } from './alert.js';
