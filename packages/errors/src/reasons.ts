import { AlertDescription } from './alerts.js';

/**
 * OpenSSL's reason for each alert the peer can send us (the reason of an {@link AlertError}), each with that alert.
 * OpenSSL numbers them 1000 + the alert value; `general_error` and `ech_required` postdate OpenSSL 3.0 and are
 * named in the same style (`TLSV1_ALERT_ECH_REQUIRED` is BoringSSL's). close_notify is not here: it is the end of the
 * stream, `ZERO_RETURN`, not an error.
 */
export const RECEIVED_ALERT_REASONS = {
  SSLV3_ALERT_UNEXPECTED_MESSAGE: AlertDescription.unexpected_message,
  SSLV3_ALERT_BAD_RECORD_MAC: AlertDescription.bad_record_mac,
  TLSV1_ALERT_DECRYPTION_FAILED: AlertDescription.decryption_failed_RESERVED,
  TLSV1_ALERT_RECORD_OVERFLOW: AlertDescription.record_overflow,
  SSLV3_ALERT_DECOMPRESSION_FAILURE: AlertDescription.decompression_failure,
  SSLV3_ALERT_HANDSHAKE_FAILURE: AlertDescription.handshake_failure,
  SSLV3_ALERT_NO_CERTIFICATE: AlertDescription.no_certificate_RESERVED,
  SSLV3_ALERT_BAD_CERTIFICATE: AlertDescription.bad_certificate,
  SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: AlertDescription.unsupported_certificate,
  SSLV3_ALERT_CERTIFICATE_REVOKED: AlertDescription.certificate_revoked,
  SSLV3_ALERT_CERTIFICATE_EXPIRED: AlertDescription.certificate_expired,
  SSLV3_ALERT_CERTIFICATE_UNKNOWN: AlertDescription.certificate_unknown,
  SSLV3_ALERT_ILLEGAL_PARAMETER: AlertDescription.illegal_parameter,
  TLSV1_ALERT_UNKNOWN_CA: AlertDescription.unknown_ca,
  TLSV1_ALERT_ACCESS_DENIED: AlertDescription.access_denied,
  TLSV1_ALERT_DECODE_ERROR: AlertDescription.decode_error,
  TLSV1_ALERT_DECRYPT_ERROR: AlertDescription.decrypt_error,
  TLSV1_ALERT_EXPORT_RESTRICTION: AlertDescription.export_restriction_RESERVED,
  TLSV1_ALERT_PROTOCOL_VERSION: AlertDescription.protocol_version,
  TLSV1_ALERT_INSUFFICIENT_SECURITY: AlertDescription.insufficient_security,
  TLSV1_ALERT_INTERNAL_ERROR: AlertDescription.internal_error,
  TLSV1_ALERT_INAPPROPRIATE_FALLBACK: AlertDescription.inappropriate_fallback,
  TLSV1_ALERT_USER_CANCELLED: AlertDescription.user_canceled,
  TLSV1_ALERT_NO_RENEGOTIATION: AlertDescription.no_renegotiation,
  TLSV13_ALERT_MISSING_EXTENSION: AlertDescription.missing_extension,
  TLSV1_UNSUPPORTED_EXTENSION: AlertDescription.unsupported_extension,
  TLSV1_CERTIFICATE_UNOBTAINABLE: AlertDescription.certificate_unobtainable_RESERVED,
  TLSV1_UNRECOGNIZED_NAME: AlertDescription.unrecognized_name,
  TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE: AlertDescription.bad_certificate_status_response,
  TLSV1_BAD_CERTIFICATE_HASH_VALUE: AlertDescription.bad_certificate_hash_value_RESERVED,
  TLSV1_ALERT_UNKNOWN_PSK_IDENTITY: AlertDescription.unknown_psk_identity,
  TLSV13_ALERT_CERTIFICATE_REQUIRED: AlertDescription.certificate_required,
  TLSV13_ALERT_GENERAL_ERROR: AlertDescription.general_error,
  TLSV1_ALERT_NO_APPLICATION_PROTOCOL: AlertDescription.no_application_protocol,
  TLSV1_ALERT_ECH_REQUIRED: AlertDescription.ech_required,
} as const satisfies Record<string, number>;

/**
 * Every reason tlsbio raises, each with the alert we send for it: one table, so that the alert for a failure is
 * decided in one place (the total function {@link alertForReason}). Names are OpenSSL's `SSL_R_*` reasons where
 * OpenSSL has one (ERRORS.md says which are ours); alerts follow RFC 8446 §6.2 and the section cited per group.
 *
 * Flow-control, transport and caller reasons map to `internal_error` only for totality: no alert is ever sent for
 * them. A received alert's reason maps to that alert: we send nothing back, the peer has already closed.
 */
export const REASON_ALERTS = {
  // flow control and transport (no alert is ever sent for these)
  WANT_READ: AlertDescription.internal_error,
  WANT_WRITE: AlertDescription.internal_error,
  WANT_X509_LOOKUP: AlertDescription.internal_error,
  ZERO_RETURN: AlertDescription.close_notify,
  UNEXPECTED_EOF_WHILE_READING: AlertDescription.internal_error,
  SYSCALL_ERROR: AlertDescription.internal_error,
  // caller errors (InvalidArgumentError; no alert is sent)
  INVALID_ARGUMENT: AlertDescription.internal_error,
  BAD_KEY_LENGTH: AlertDescription.internal_error,
  BAD_NONCE_LENGTH: AlertDescription.internal_error,
  BAD_TAG_LENGTH: AlertDescription.internal_error,
  BAD_PEM: AlertDescription.internal_error,
  BAD_DER: AlertDescription.internal_error,
  UNSUPPORTED_KEY_TYPE: AlertDescription.internal_error,
  UNSUPPORTED_ALGORITHM: AlertDescription.internal_error,
  KEY_MISMATCH: AlertDescription.internal_error,
  WRITE_AFTER_EOF: AlertDescription.internal_error,
  LENGTH_OVERFLOW: AlertDescription.internal_error,
  PROTOCOL_IS_SHUTDOWN: AlertDescription.internal_error,
  STILL_IN_INIT: AlertDescription.internal_error,
  TLS_ILLEGAL_EXPORTER_LABEL: AlertDescription.internal_error,
  EXPORTER_NEEDS_EXTMS: AlertDescription.internal_error,
  NO_EARLY_EXPORTER: AlertDescription.internal_error,
  CHANNEL_BINDING_NOT_SUPPORTED: AlertDescription.internal_error,
  ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT: AlertDescription.internal_error,
  SESSION_SERVER_NAME_MISMATCH: AlertDescription.internal_error,
  BAD_SESSION: AlertDescription.internal_error,
  // local failures: configuration, callbacks, bugs (ProtocolError with fault 'local')
  INTERNAL_ERROR: AlertDescription.internal_error,
  CALLBACK_FAILED: AlertDescription.internal_error,
  NO_CIPHERS_AVAILABLE: AlertDescription.internal_error,
  NO_PROTOCOLS_AVAILABLE: AlertDescription.internal_error,
  // record layer (RFC 8446 §5, RFC 5246 §6)
  WRONG_VERSION_NUMBER: AlertDescription.protocol_version,
  UNEXPECTED_RECORD: AlertDescription.unexpected_message,
  BAD_RECORD_TYPE: AlertDescription.unexpected_message,
  RECORD_OVERFLOW: AlertDescription.record_overflow,
  PACKET_LENGTH_TOO_LONG: AlertDescription.record_overflow,
  ENCRYPTED_LENGTH_TOO_LONG: AlertDescription.record_overflow,
  DATA_LENGTH_TOO_LONG: AlertDescription.record_overflow,
  BAD_RECORD_MAC: AlertDescription.bad_record_mac,
  DECRYPTION_FAILED_OR_BAD_RECORD_MAC: AlertDescription.bad_record_mac,
  TOO_MANY_EMPTY_RECORDS: AlertDescription.unexpected_message,
  NOT_ON_RECORD_BOUNDARY: AlertDescription.unexpected_message,
  UNEXPECTED_CCS_MESSAGE: AlertDescription.unexpected_message,
  BAD_CHANGE_CIPHER_SPEC: AlertDescription.unexpected_message,
  CCS_RECEIVED_EARLY: AlertDescription.unexpected_message,
  // alert protocol (RFC 8446 §6, RFC 5246 §7.2)
  INVALID_ALERT: AlertDescription.decode_error,
  UNKNOWN_ALERT_TYPE: AlertDescription.illegal_parameter,
  TOO_MANY_WARN_ALERTS: AlertDescription.unexpected_message,
  // handshake messages (RFC 8446 §4, §6)
  UNEXPECTED_MESSAGE: AlertDescription.unexpected_message,
  DECODE_ERROR: AlertDescription.decode_error,
  BAD_HANDSHAKE_LENGTH: AlertDescription.decode_error,
  LENGTH_MISMATCH: AlertDescription.decode_error,
  BAD_LENGTH: AlertDescription.decode_error,
  EXTRA_DATA_IN_MESSAGE: AlertDescription.decode_error,
  BAD_DIGEST_LENGTH: AlertDescription.decode_error,
  EXCESSIVE_MESSAGE_SIZE: AlertDescription.illegal_parameter,
  ILLEGAL_PARAMETER: AlertDescription.illegal_parameter,
  INVALID_COMPRESSION_ALGORITHM: AlertDescription.illegal_parameter,
  BAD_KEY_UPDATE: AlertDescription.illegal_parameter,
  TOO_MANY_KEY_UPDATES: AlertDescription.unexpected_message,
  TOO_MUCH_EARLY_DATA: AlertDescription.unexpected_message,
  NO_RENEGOTIATION: AlertDescription.no_renegotiation,
  // extensions (RFC 8446 §4.2, §9.2; RFC 6066; RFC 7301)
  MISSING_EXTENSION: AlertDescription.missing_extension,
  MISSING_SIGALGS_EXTENSION: AlertDescription.missing_extension,
  MISSING_PSK_KEX_MODES_EXTENSION: AlertDescription.missing_extension,
  UNSUPPORTED_EXTENSION: AlertDescription.unsupported_extension,
  UNSOLICITED_EXTENSION: AlertDescription.unsupported_extension,
  BAD_EXTENSION: AlertDescription.illegal_parameter,
  UNRECOGNIZED_NAME: AlertDescription.unrecognized_name,
  NO_APPLICATION_PROTOCOL: AlertDescription.no_application_protocol,
  // version negotiation (RFC 8446 §4.1.3, §4.2.1; RFC 7507)
  UNSUPPORTED_PROTOCOL: AlertDescription.protocol_version,
  VERSION_TOO_LOW: AlertDescription.protocol_version,
  VERSION_TOO_HIGH: AlertDescription.protocol_version,
  WRONG_SSL_VERSION: AlertDescription.protocol_version,
  INAPPROPRIATE_FALLBACK: AlertDescription.inappropriate_fallback,
  TLS13_DOWNGRADE: AlertDescription.illegal_parameter,
  // negotiated parameters (RFC 8446 §4.1.1, §4.1.3, §4.2.3, §4.2.8; RFC 5746; RFC 7627)
  NO_SHARED_CIPHER: AlertDescription.handshake_failure,
  WRONG_CIPHER_RETURNED: AlertDescription.illegal_parameter,
  NO_SHARED_GROUPS: AlertDescription.handshake_failure,
  NO_SUITABLE_KEY_SHARE: AlertDescription.handshake_failure,
  BAD_KEY_SHARE: AlertDescription.illegal_parameter,
  INVALID_KEY_SHARE: AlertDescription.illegal_parameter,
  NO_SHARED_SIGNATURE_ALGORITHMS: AlertDescription.handshake_failure,
  NO_SUITABLE_SIGNATURE_ALGORITHM: AlertDescription.handshake_failure,
  WRONG_SIGNATURE_TYPE: AlertDescription.illegal_parameter,
  INSUFFICIENT_SECURITY: AlertDescription.insufficient_security,
  RENEGOTIATION_MISMATCH: AlertDescription.handshake_failure,
  UNSAFE_LEGACY_RENEGOTIATION_DISABLED: AlertDescription.handshake_failure,
  EXTENDED_MASTER_SECRET_REQUIRED: AlertDescription.handshake_failure,
  INCONSISTENT_EXTMS: AlertDescription.handshake_failure,
  // authentication: signatures, Finished, PSK binders (RFC 8446 §4.2.11, §4.4.3, §4.4.4)
  DECRYPT_ERROR: AlertDescription.decrypt_error,
  BAD_SIGNATURE: AlertDescription.decrypt_error,
  DIGEST_CHECK_FAILED: AlertDescription.decrypt_error,
  BINDER_DOES_NOT_VERIFY: AlertDescription.decrypt_error,
  PSK_IDENTITY_NOT_FOUND: AlertDescription.unknown_psk_identity,
  // certificates (RFC 8446 §4.4.2; CertVerificationError picks its alert from the verify code instead)
  CERTIFICATE_VERIFY_FAILED: AlertDescription.bad_certificate,
  BAD_CERTIFICATE: AlertDescription.bad_certificate,
  UNKNOWN_CERTIFICATE_TYPE: AlertDescription.unsupported_certificate,
  CERT_LENGTH_MISMATCH: AlertDescription.decode_error,
  NO_CERTIFICATES_RETURNED: AlertDescription.decode_error,
  PEER_DID_NOT_RETURN_A_CERTIFICATE: AlertDescription.certificate_required,
  // alerts received from the peer (AlertError)
  ...RECEIVED_ALERT_REASONS,
} as const satisfies Record<string, number>;

export type KnownReason = keyof typeof REASON_ALERTS;
/** A known reason, or another string (for reasons raised by a newer version or by the peer). */
export type Reason = KnownReason | (string & {});

/**
 * The alert we send for a reason. Total: a reason this version does not know maps to `internal_error`.
 *
 * @example
 * alertForReason('NO_SHARED_CIPHER'); // 40, handshake_failure
 * alertForReason('SOMETHING_NEW'); // 80, internal_error
 */
export function alertForReason(reason: Reason): number {
  // own keys only: a reason such as 'toString' must not find Object.prototype
  return Object.hasOwn(REASON_ALERTS, reason)
    ? (REASON_ALERTS as Record<string, number>)[reason]!
    : AlertDescription.internal_error;
}

const receivedReasonsByAlert = new Map<number, string>(
  Object.entries(RECEIVED_ALERT_REASONS).map(([reason, description]) => [description, reason]),
);

/**
 * OpenSSL's reason name for an alert received from the peer, e.g. `TLSV1_ALERT_UNKNOWN_CA`; `ZERO_RETURN` for
 * close_notify, and `SSL_ALERT_NUMBER_N` for a value outside the registry (OpenSSL reports those as
 * "SSL alert number N").
 *
 * @example
 * reasonForReceivedAlert(AlertDescription.unknown_ca); // 'TLSV1_ALERT_UNKNOWN_CA'
 */
export function reasonForReceivedAlert(description: number): string {
  if (description === AlertDescription.close_notify) return 'ZERO_RETURN';
  return receivedReasonsByAlert.get(description) ?? `SSL_ALERT_NUMBER_${description}`;
}
