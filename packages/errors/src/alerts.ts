/**
 * TLS alert descriptions: every value of RFC 8446 §6 and RFC 5246 §7.2, and the rest of the IANA "TLS Alerts"
 * registry, under their registry names (a value TLS 1.3 retired keeps its `_RESERVED` suffix there).
 *
 * An open set, as the registry is: a value outside this table is still a valid `number`, carried and named
 * `unknown(N)` rather than crashed on.
 *
 * @example
 * alertName(AlertDescription.unknown_ca); // 'unknown_ca'
 * alertName(200); // 'unknown(200)'
 */
export const AlertDescription = {
  close_notify: 0, // RFC 8446, RFC 5246
  unexpected_message: 10, // RFC 8446, RFC 5246
  bad_record_mac: 20, // RFC 8446, RFC 5246
  decryption_failed_RESERVED: 21, // RFC 5246 (reserved: CBC padding oracle)
  record_overflow: 22, // RFC 8446, RFC 5246
  decompression_failure: 30, // RFC 5246 (not in TLS 1.3, which has no compression)
  handshake_failure: 40, // RFC 8446, RFC 5246
  no_certificate_RESERVED: 41, // RFC 5246 (SSL 3.0 only)
  bad_certificate: 42, // RFC 8446, RFC 5246
  unsupported_certificate: 43, // RFC 8446, RFC 5246
  certificate_revoked: 44, // RFC 8446, RFC 5246
  certificate_expired: 45, // RFC 8446, RFC 5246
  certificate_unknown: 46, // RFC 8446, RFC 5246
  illegal_parameter: 47, // RFC 8446, RFC 5246
  unknown_ca: 48, // RFC 8446, RFC 5246
  access_denied: 49, // RFC 8446, RFC 5246
  decode_error: 50, // RFC 8446, RFC 5246
  decrypt_error: 51, // RFC 8446, RFC 5246
  export_restriction_RESERVED: 60, // RFC 5246 (reserved)
  protocol_version: 70, // RFC 8446, RFC 5246
  insufficient_security: 71, // RFC 8446, RFC 5246
  internal_error: 80, // RFC 8446, RFC 5246
  inappropriate_fallback: 86, // RFC 8446, RFC 7507
  user_canceled: 90, // RFC 8446, RFC 5246
  no_renegotiation: 100, // RFC 5246 (TLS 1.3 has no renegotiation)
  missing_extension: 109, // RFC 8446
  unsupported_extension: 110, // RFC 8446, RFC 5246
  certificate_unobtainable_RESERVED: 111, // RFC 6066 (reserved by RFC 8446)
  unrecognized_name: 112, // RFC 8446, RFC 6066
  bad_certificate_status_response: 113, // RFC 8446, RFC 6066
  bad_certificate_hash_value_RESERVED: 114, // RFC 6066 (reserved by RFC 8446)
  unknown_psk_identity: 115, // RFC 8446, RFC 4279
  certificate_required: 116, // RFC 8446
  general_error: 117, // IANA (draft-ietf-tls-rfc8446bis)
  no_application_protocol: 120, // RFC 8446, RFC 7301
  ech_required: 121, // IANA (draft-ietf-tls-esni, Encrypted Client Hello)
} as const;

export type AlertDescriptionName = keyof typeof AlertDescription;
/** A known alert value, or any other byte: unknown values are carried, not rejected. */
export type AlertDescription = (typeof AlertDescription)[AlertDescriptionName] | (number & {});

const namesByValue = new Map<number, AlertDescriptionName>(
  (Object.entries(AlertDescription) as [AlertDescriptionName, number][]).map(([name, value]) => [value, name]),
);

/**
 * The registry name of an alert description, or `unknown(N)` for a value not in the registry.
 *
 * @example
 * alertName(40); // 'handshake_failure'
 */
export function alertName(description: number): string {
  return namesByValue.get(description) ?? `unknown(${description})`;
}

/**
 * True for the closure alerts, close_notify and user_canceled (RFC 8446 §6.1). Every other alert, including an
 * unknown one, is an error alert that ends the connection (RFC 8446 §6.2).
 */
export function isClosureAlert(description: number): boolean {
  return description === AlertDescription.close_notify || description === AlertDescription.user_canceled;
}

/** Alert levels (RFC 5246 §7.2). TLS 1.3 ignores the level and treats every error alert as fatal (RFC 8446 §6). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel] | (number & {});
