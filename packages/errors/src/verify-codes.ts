import { AlertDescription } from './alerts.js';

/** X.509 verification result codes, numbered and worded as OpenSSL's `X509_V_ERR_*` (openssl/x509_vfy.h). */
export const X509VerifyCode = {
  X509_V_OK: 0,
  X509_V_ERR_UNSPECIFIED: 1,
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: 2,
  X509_V_ERR_CERT_SIGNATURE_FAILURE: 7,
  X509_V_ERR_CERT_NOT_YET_VALID: 9,
  X509_V_ERR_CERT_HAS_EXPIRED: 10,
  X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: 19,
  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  X509_V_ERR_HOSTNAME_MISMATCH: 62,
} as const;

export type X509VerifyCodeName = keyof typeof X509VerifyCode;

const MESSAGES: Record<number, string> = {
  0: 'ok',
  1: 'unspecified certificate verification error',
  2: 'unable to get issuer certificate',
  7: 'certificate signature failure',
  9: 'certificate is not yet valid',
  10: 'certificate has expired',
  18: 'self-signed certificate',
  19: 'self-signed certificate in certificate chain',
  20: 'unable to get local issuer certificate',
  62: 'hostname mismatch',
};

/** OpenSSL's message for a verify code (`X509_verify_cert_error_string`), or `error number N` for unknown codes. */
export function verifyCodeMessage(code: number): string {
  return MESSAGES[code] ?? `error number ${code}`;
}

/** The alert we send when the peer's chain fails with this code (as OpenSSL's `ssl_verify_alarm_type`). */
export function alertForVerifyCode(code: number): number {
  switch (code) {
    case X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED:
      return AlertDescription.certificate_expired;
    case X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509VerifyCode.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509VerifyCode.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return AlertDescription.unknown_ca;
    default:
      return AlertDescription.bad_certificate;
  }
}
