import { alertName } from './alerts.js';
import { alertForReason, reasonForReceivedAlert, type Reason } from './reasons.js';
import { alertForVerifyCode, verifyCodeMessage } from './verify-codes.js';

/** Where a failure came from: our own side (misuse, configuration, a bug) or the peer's misbehaviour. */
export type Fault = 'local' | 'remote';

/** The alert involved in an error: the one we sent, or the one the peer sent us. */
export interface AlertInfo {
  /** The alert description value (RFC 8446 §6); unknown values are carried. */
  readonly description: number;
  /** Its registry name, e.g. `'handshake_failure'`, or `unknown(N)`. */
  readonly name: string;
  /** True when we sent this alert to the peer. */
  readonly sent: boolean;
  /** True when the peer sent this alert to us. */
  readonly received: boolean;
}

export interface TLSErrorOptions {
  /** The underlying error (a socket error, an exception thrown by a user callback). */
  cause?: unknown;
  /** The alert involved, if any. */
  alert?: AlertInfo;
}

const MARKER = Symbol.for('tlsbio.error');

function alertInfo(description: number, direction: 'sent' | 'received'): AlertInfo {
  return { description, name: alertName(description), sent: direction === 'sent', received: direction === 'received' };
}

/**
 * Base class of every error tlsbio raises.
 *
 * `code` is stable per kind (`ERR_TLS_PROTOCOL`), `reason` names the precise cause in OpenSSL's style
 * (`WRONG_VERSION_NUMBER`). Use {@link isTLSError} rather than `instanceof` when two copies of this package may be
 * installed.
 */
export class TLSError extends Error {
  /** Stable machine-readable code of this kind of error. */
  readonly code: string;
  /** OpenSSL-style reason, e.g. `DECODE_ERROR`, `CERTIFICATE_VERIFY_FAILED`. */
  readonly reason: Reason;
  /** The alert we sent or received, if one was involved. */
  readonly alert: AlertInfo | undefined;

  constructor(code: string, reason: Reason, message: string, options: TLSErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.alert = options.alert;
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any tlsbio error, including one from another installed copy of this package. */
  static isInstance(value: unknown): value is TLSError {
    return isTLSError(value);
  }
}

/** True for any tlsbio error, including one created by another installed copy of `@tlsbio/errors`. */
export function isTLSError(value: unknown): value is TLSError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** The operation needs more bytes in the incoming BIO: feed it and call again. Flow control, not a failure. */
export class WantReadError extends TLSError {
  constructor(message = 'The operation did not complete (read)') {
    super('ERR_TLS_WANT_READ', 'WANT_READ', message);
  }
}

/** The bounded outgoing BIO is full: drain it to the network and call again. Flow control, not a failure. */
export class WantWriteError extends TLSError {
  constructor(message = 'The operation did not complete (write)') {
    super('ERR_TLS_WANT_WRITE', 'WANT_WRITE', message);
  }
}

/** A certificate callback returned a pending Promise: call again once it has settled. Flow control, not a failure. */
export class WantX509LookupError extends TLSError {
  constructor(message = 'The operation did not complete (X509 lookup)') {
    super('ERR_TLS_WANT_X509_LOOKUP', 'WANT_X509_LOOKUP', message);
  }
}

/** The peer closed the TLS connection cleanly with close_notify. No more data will arrive. */
export class ZeroReturnError extends TLSError {
  constructor(message = 'TLS/SSL connection has been closed (EOF)') {
    super('ERR_TLS_ZERO_RETURN', 'ZERO_RETURN', message, { alert: alertInfo(0, 'received') });
  }
}

/** The transport ended without close_notify: the stream may have been truncated by an attacker or a crash. */
export class EOFError extends TLSError {
  constructor(message = 'EOF occurred in violation of protocol', options: { cause?: unknown } = {}) {
    super('ERR_TLS_EOF', 'UNEXPECTED_EOF_WHILE_READING', message, options);
  }
}

/** The transport underneath failed; `cause` holds its error (for example a socket's `ECONNRESET`). */
export class SysCallError extends TLSError {
  constructor(message: string, options: { cause?: unknown; reason?: Reason } = {}) {
    super('ERR_TLS_SYSCALL', options.reason ?? 'SYSCALL_ERROR', message, { cause: options.cause });
  }
}

/** The caller passed something unusable: a key of the wrong size, a malformed PEM, an unsupported algorithm. */
export class InvalidArgumentError extends TLSError {
  /** The name of the offending argument, e.g. `'key'`, `'nonce'`. */
  readonly argument: string;

  constructor(argument: string, reason: Reason, message: string, options: { cause?: unknown } = {}) {
    super('ERR_TLS_INVALID_ARGUMENT', reason, `${argument}: ${message}`, options);
    this.argument = argument;
  }
}

export interface ProtocolErrorOptions {
  cause?: unknown;
  /** Who broke the rules; `'remote'` (the peer) unless said otherwise. */
  fault?: Fault;
  /** The alert to send, when it is not the one {@link alertForReason} gives for the reason. */
  alert?: number;
}

/**
 * We detected a violation (or could not go on) and sent, or are about to send, a fatal alert.
 * `fault` says whether the peer misbehaved (`'remote'`) or we did (`'local'`: configuration, a callback, a bug).
 */
export class ProtocolError extends TLSError {
  readonly fault: Fault;

  constructor(reason: Reason, message: string, options: ProtocolErrorOptions = {}) {
    super('ERR_TLS_PROTOCOL', reason, message, {
      cause: options.cause,
      alert: alertInfo(options.alert ?? alertForReason(reason), 'sent'),
    });
    this.fault = options.fault ?? 'remote';
  }
}

/** The peer sent us a fatal alert. `reason` is OpenSSL's name for it, e.g. `TLSV1_ALERT_UNKNOWN_CA`. */
export class AlertError extends TLSError {
  constructor(description: number, message?: string) {
    const info = alertInfo(description, 'received');
    super('ERR_TLS_ALERT', reasonForReceivedAlert(description), message ?? `peer sent fatal alert: ${info.name}`, {
      alert: info,
    });
  }
}

export interface CertVerificationErrorOptions {
  cause?: unknown;
  /** The alert to send; by default the one that matches the verify code. */
  alert?: number;
}

/**
 * The peer's certificate chain failed verification. `verifyCode` and `verifyMessage` are OpenSSL's
 * (`X509_V_ERR_*`), `depth` the position in the chain (0 is the leaf).
 */
export class CertVerificationError extends TLSError {
  readonly verifyCode: number;
  readonly verifyMessage: string;
  readonly depth: number;

  constructor(verifyCode: number, depth: number, options: CertVerificationErrorOptions = {}) {
    const verifyMessage = verifyCodeMessage(verifyCode);
    super(
      'ERR_TLS_CERT_VERIFICATION',
      'CERTIFICATE_VERIFY_FAILED',
      `certificate verify failed: ${verifyMessage} (depth ${depth})`,
      { cause: options.cause, alert: alertInfo(options.alert ?? alertForVerifyCode(verifyCode), 'sent') },
    );
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
    this.depth = depth;
  }
}
