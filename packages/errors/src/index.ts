/**
 * @tlsbio/errors: the error classes, alert and version registries and OpenSSL verify codes shared by every tlsbio
 * package. No dependencies and no platform APIs: it runs in Node, browsers and workers alike.
 */
export { AlertDescription, AlertLevel, alertName, isClosureAlert, type AlertDescriptionName } from './alerts.js';
export { TLSVersion, tlsVersionName, type TLSVersionName } from './versions.js';
export {
  X509VerifyCode,
  verifyCodeMessage,
  verifyCodeName,
  alertForVerifyCode,
  type X509VerifyCodeName,
} from './verify-codes.js';
export {
  REASON_ALERTS,
  RECEIVED_ALERT_REASONS,
  alertForReason,
  reasonForReceivedAlert,
  type Reason,
  type KnownReason,
} from './reasons.js';
export {
  TLSError,
  isTLSError,
  WantReadError,
  WantWriteError,
  WantX509LookupError,
  ZeroReturnError,
  EOFError,
  SysCallError,
  InvalidArgumentError,
  ProtocolError,
  AlertError,
  CertVerificationError,
  type Fault,
  type AlertInfo,
  type TLSErrorOptions,
  type ProtocolErrorOptions,
  type CertVerificationErrorOptions,
} from './errors.js';
