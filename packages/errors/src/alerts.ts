/**
 * TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2 and later registrations).
 *
 * An open set, as the IANA registry is: a value outside this table is still a valid `number`, carried and named
 * `unknown(N)` rather than crashed on.
 */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed_RESERVED: 21,
  record_overflow: 22,
  decompression_failure_RESERVED: 30,
  handshake_failure: 40,
  no_certificate_RESERVED: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction_RESERVED: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_unobtainable_RESERVED: 111,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  bad_certificate_hash_value_RESERVED: 114,
  unknown_psk_identity: 115,
  certificate_required: 116,
  general_error: 117,
  no_application_protocol: 120,
  ech_required: 121,
} as const;

export type AlertDescriptionName = keyof typeof AlertDescription;
/** A known alert value, or any other byte: unknown values are carried, not rejected. */
export type AlertDescription = (typeof AlertDescription)[AlertDescriptionName] | (number & {});

const namesByValue = new Map<number, AlertDescriptionName>(
  (Object.entries(AlertDescription) as [AlertDescriptionName, number][]).map(([name, value]) => [value, name]),
);

/** The registry name of an alert description, or `unknown(N)` for a value not in the registry. */
export function alertName(description: number): string {
  return namesByValue.get(description) ?? `unknown(${description})`;
}

/** Alert levels (RFC 5246 §7.2). TLS 1.3 treats every alert but close_notify and user_canceled as fatal. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel] | (number & {});
