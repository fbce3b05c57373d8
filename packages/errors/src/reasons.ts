import { AlertDescription } from './alerts.js';

/**
 * Every reason tlsbio raises, each with the alert we send for it. One table, so that the alert for a failure is
 * decided in one place (the total function {@link alertForReason}).
 *
 * Reasons are OpenSSL-style names. Flow-control and transport reasons map to `internal_error` only for totality:
 * they are never sent as alerts.
 */
export const REASON_ALERTS = {
  // flow control and transport (no alert is ever sent for these)
  WANT_READ: AlertDescription.internal_error,
  WANT_WRITE: AlertDescription.internal_error,
  WANT_X509_LOOKUP: AlertDescription.internal_error,
  ZERO_RETURN: AlertDescription.close_notify,
  UNEXPECTED_EOF_WHILE_READING: AlertDescription.internal_error,
  SYSCALL_ERROR: AlertDescription.internal_error,
  // caller errors
  INVALID_ARGUMENT: AlertDescription.internal_error,
  BAD_KEY_LENGTH: AlertDescription.internal_error,
  BAD_NONCE_LENGTH: AlertDescription.internal_error,
  BAD_TAG_LENGTH: AlertDescription.internal_error,
  BAD_PEM: AlertDescription.internal_error,
  BAD_DER: AlertDescription.internal_error,
  UNSUPPORTED_KEY_TYPE: AlertDescription.internal_error,
  UNSUPPORTED_ALGORITHM: AlertDescription.internal_error,
  KEY_MISMATCH: AlertDescription.internal_error,
  // wire format
  DECODE_ERROR: AlertDescription.decode_error,
  RECORD_OVERFLOW: AlertDescription.record_overflow,
  BAD_RECORD_MAC: AlertDescription.bad_record_mac,
  UNEXPECTED_MESSAGE: AlertDescription.unexpected_message,
  ILLEGAL_PARAMETER: AlertDescription.illegal_parameter,
  INVALID_KEY_SHARE: AlertDescription.illegal_parameter,
  // crypto
  DECRYPT_ERROR: AlertDescription.decrypt_error,
  BAD_SIGNATURE: AlertDescription.decrypt_error,
  // local failures
  INTERNAL_ERROR: AlertDescription.internal_error,
  CALLBACK_FAILED: AlertDescription.internal_error,
  // certificates
  CERTIFICATE_VERIFY_FAILED: AlertDescription.bad_certificate,
} as const satisfies Record<string, number>;

export type KnownReason = keyof typeof REASON_ALERTS;
/** A known reason, or another string (for reasons raised by a newer version or by the peer). */
export type Reason = KnownReason | (string & {});

/** The alert we send for a reason. Total: an unknown reason maps to `internal_error`. */
export function alertForReason(reason: Reason): number {
  return (REASON_ALERTS as Record<string, number>)[reason] ?? AlertDescription.internal_error;
}

/** OpenSSL's reason name for an alert received from the peer, e.g. `TLSV1_ALERT_UNKNOWN_CA`. */
export function reasonForReceivedAlert(description: number): string {
  return RECEIVED_ALERT_REASONS[description] ?? `TLSV1_ALERT_UNKNOWN_${description}`;
}

const RECEIVED_ALERT_REASONS: Record<number, string> = {
  [AlertDescription.close_notify]: 'ZERO_RETURN',
  [AlertDescription.unexpected_message]: 'SSLV3_ALERT_UNEXPECTED_MESSAGE',
  [AlertDescription.bad_record_mac]: 'SSLV3_ALERT_BAD_RECORD_MAC',
  [AlertDescription.handshake_failure]: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
  [AlertDescription.bad_certificate]: 'SSLV3_ALERT_BAD_CERTIFICATE',
  [AlertDescription.unknown_ca]: 'TLSV1_ALERT_UNKNOWN_CA',
  [AlertDescription.decode_error]: 'TLSV1_ALERT_DECODE_ERROR',
  [AlertDescription.internal_error]: 'TLSV1_ALERT_INTERNAL_ERROR',
};
