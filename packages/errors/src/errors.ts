import { alertName } from './alerts.js';
import { alertForReason, reasonForReceivedAlert, type Reason } from './reasons.js';
import { alertForVerifyCode, verifyCodeMessage, type X509VerifyCode } from './verify-codes.js';

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

// Symbol.for gives every copy of this package the same symbol: an error made by one copy is recognised by another.
const MARKER = Symbol.for('tlsbio.error');

function alertInfo(description: number, direction: 'sent' | 'received'): AlertInfo {
  return Object.freeze({
    description,
    name: alertName(description),
    sent: direction === 'sent',
    received: direction === 'received',
  });
}

/**
 * Base class of every error tlsbio raises.
 *
 * `code` is stable per kind (`ERR_TLS_PROTOCOL`), `reason` names the precise cause in OpenSSL's style
 * (`WRONG_VERSION_NUMBER`). Use {@link isTLSError} or the static `isInstance` of each class rather than
 * `instanceof` when two copies of this package may be installed: `instanceof` only knows its own copy.
 *
 * @example
 * try {
 *   conn.doHandshake();
 * } catch (error) {
 *   if (WantReadError.isInstance(error)) feedMoreBytes();
 *   else if (isTLSError(error)) console.error(error.code, error.reason, error.alert?.name);
 *   else throw error;
 * }
 */
export class TLSError extends Error {
  /**
   * The `code` of every instance of this class, the identity `isInstance` compares across copies of the package.
   * `undefined` on `TLSError` itself, whose instances may carry any code.
   */
  static readonly code: string | undefined = undefined;

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

  /**
   * True when `value` is an error of this class, including one made by another installed copy of this package
   * (where `instanceof` fails). `TLSError.isInstance` accepts every tlsbio error; `ProtocolError.isInstance` only
   * those with the code `ERR_TLS_PROTOCOL`, and so on.
   */
  static isInstance<T extends TLSError>(
    this: { readonly prototype: T; readonly code: string | undefined },
    value: unknown,
  ): value is T {
    return isTLSError(value) && (this.code === undefined || value.code === this.code);
  }
}

/**
 * True for any tlsbio error, including one created by another installed copy of `@tlsbio/errors` (it looks for a
 * `Symbol.for('tlsbio.error')` marker, not at the prototype chain).
 */
export function isTLSError(value: unknown): value is TLSError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** The operation needs more bytes in the incoming BIO: feed it and call again. Flow control, not a failure. */
export class WantReadError extends TLSError {
  static override readonly code = 'ERR_TLS_WANT_READ';

  constructor(message = 'The operation did not complete (read)') {
    super(WantReadError.code, 'WANT_READ', message);
  }
}

/** The bounded outgoing BIO is full: drain it to the network and call again. Flow control, not a failure. */
export class WantWriteError extends TLSError {
  static override readonly code = 'ERR_TLS_WANT_WRITE';

  constructor(message = 'The operation did not complete (write)') {
    super(WantWriteError.code, 'WANT_WRITE', message);
  }
}

/** A certificate callback returned a pending Promise: call again once it has settled. Flow control, not a failure. */
export class WantX509LookupError extends TLSError {
  static override readonly code = 'ERR_TLS_WANT_X509_LOOKUP';

  constructor(message = 'The operation did not complete (X509 lookup)') {
    super(WantX509LookupError.code, 'WANT_X509_LOOKUP', message);
  }
}

/** The peer closed the TLS connection cleanly with close_notify. No more data will arrive. */
export class ZeroReturnError extends TLSError {
  static override readonly code = 'ERR_TLS_ZERO_RETURN';

  constructor(message = 'TLS/SSL connection has been closed (EOF)') {
    super(ZeroReturnError.code, 'ZERO_RETURN', message, { alert: alertInfo(0, 'received') });
  }
}

/** The transport ended without close_notify: the stream may have been truncated by an attacker or a crash. */
export class EOFError extends TLSError {
  static override readonly code = 'ERR_TLS_EOF';

  constructor(message = 'EOF occurred in violation of protocol', options: { cause?: unknown } = {}) {
    super(EOFError.code, 'UNEXPECTED_EOF_WHILE_READING', message, options);
  }
}

/** The transport underneath failed; `cause` holds its error (for example a socket's `ECONNRESET`). */
export class SysCallError extends TLSError {
  static override readonly code = 'ERR_TLS_SYSCALL';

  constructor(message: string, options: { cause?: unknown; reason?: Reason } = {}) {
    super(SysCallError.code, options.reason ?? 'SYSCALL_ERROR', message, { cause: options.cause });
  }
}

/** The caller passed something unusable: a key of the wrong size, a malformed PEM, an unsupported algorithm. */
export class InvalidArgumentError extends TLSError {
  static override readonly code = 'ERR_TLS_INVALID_ARGUMENT';

  /** The name of the offending argument, e.g. `'key'`, `'nonce'`. */
  readonly argument: string;

  constructor(argument: string, reason: Reason, message: string, options: { cause?: unknown } = {}) {
    super(InvalidArgumentError.code, reason, `${argument}: ${message}`, options);
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
 * The alert is the one {@link alertForReason} gives for `reason`, unless `options.alert` names another.
 *
 * @example
 * // RFC 8446 §4.1.3: a cipher suite the client did not offer
 * throw new ProtocolError('WRONG_CIPHER_RETURNED', 'server chose a cipher suite we did not offer');
 * // error.alert: { description: 47, name: 'illegal_parameter', sent: true, received: false }
 */
export class ProtocolError extends TLSError {
  static override readonly code = 'ERR_TLS_PROTOCOL';

  /** `'remote'` when the peer broke the protocol, `'local'` when we could not go on. */
  readonly fault: Fault;

  constructor(reason: Reason, message: string, options: ProtocolErrorOptions = {}) {
    super(ProtocolError.code, reason, message, {
      cause: options.cause,
      alert: alertInfo(options.alert ?? alertForReason(reason), 'sent'),
    });
    this.fault = options.fault ?? 'remote';
  }
}

/**
 * The peer sent us an error alert. `reason` is OpenSSL's name for it (`TLSV1_ALERT_UNKNOWN_CA`), `alert` the value,
 * carried even when it is not in the registry (named `unknown(N)`, reason `SSL_ALERT_NUMBER_N`).
 *
 * @example
 * new AlertError(48).message; // 'peer sent fatal alert: unknown_ca'
 */
export class AlertError extends TLSError {
  static override readonly code = 'ERR_TLS_ALERT';

  constructor(description: number, message?: string) {
    const info = alertInfo(description, 'received');
    super(AlertError.code, reasonForReceivedAlert(description), message ?? `peer sent fatal alert: ${info.name}`, {
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
 * (`X509_V_ERR_*`), `depth` the position in the chain (0 is the leaf). The alert sent is the one OpenSSL sends for
 * the code ({@link alertForVerifyCode}) unless `options.alert` names another.
 *
 * @example
 * const error = new CertVerificationError(X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED, 0);
 * error.message; // 'certificate verify failed: certificate has expired (depth 0)'
 * error.alert?.name; // 'certificate_expired'
 */
export class CertVerificationError extends TLSError {
  static override readonly code = 'ERR_TLS_CERT_VERIFICATION';

  /** OpenSSL's verify code, e.g. 10 (`X509_V_ERR_CERT_HAS_EXPIRED`); see {@link X509VerifyCode}. */
  readonly verifyCode: number;
  /** OpenSSL's wording of the code, e.g. `'certificate has expired'`. */
  readonly verifyMessage: string;
  /** The failing certificate's position in the chain: 0 is the peer's own certificate. */
  readonly depth: number;

  constructor(verifyCode: number, depth: number, options: CertVerificationErrorOptions = {}) {
    const verifyMessage = verifyCodeMessage(verifyCode);
    super(
      CertVerificationError.code,
      'CERTIFICATE_VERIFY_FAILED',
      `certificate verify failed: ${verifyMessage} (depth ${depth})`,
      { cause: options.cause, alert: alertInfo(options.alert ?? alertForVerifyCode(verifyCode), 'sent') },
    );
    this.verifyCode = verifyCode;
    this.verifyMessage = verifyMessage;
    this.depth = depth;
  }
}
