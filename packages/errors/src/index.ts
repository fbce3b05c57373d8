export { AlertDescription, AlertLevel, alertName, type AlertDescriptionName } from './alerts.js';
export { TLSVersion, tlsVersionName, type TLSVersionName } from './versions.js';
export { X509VerifyCode, verifyCodeMessage, alertForVerifyCode, type X509VerifyCodeName } from './verify-codes.js';
export { REASON_ALERTS, alertForReason, reasonForReceivedAlert, type Reason, type KnownReason } from './reasons.js';
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
