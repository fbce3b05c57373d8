// What a connection negotiated, as the one JSON object per connection (`--json`) and as openssl-style text.
import { X509Certificate } from 'node:crypto';
import type { TLSConnection } from '@tlsbio/core';
import { CertVerificationError, isTLSError } from '@tlsbio/errors';
import { CliError } from './options.js';

/**
 * `verify`: `"ok"` when the peer's chain was verified, `"skipped"` when the peer sent one that we were told not to
 * check (`--insecure`, `--verify-client none|optional` without trust), `"none"` when the peer sent no certificate.
 */
export type VerifyStatus = 'ok' | 'skipped' | 'none';

/** The per-connection JSON object (`--json`). Key order is the order printed. */
export interface ConnectionRecord {
  version: string | null;
  cipher: string | null;
  group: string | null;
  alpn: string | null;
  peer_subject: string | null;
  verify: VerifyStatus;
  resumed: boolean;
  early_data: 'accepted' | 'rejected' | 'not_sent';
  bytes_in: number;
  bytes_out: number;
  hello_retry: boolean;
  /** Server only: the client's SNI name, or null. */
  sni?: string | null;
  /** Server only: the client's address. */
  peer?: string;
}

/** The per-connection JSON object for a failure. */
export interface ErrorRecord {
  error: string;
  code: string;
  reason?: string;
  alert?: string;
  alert_direction?: 'sent' | 'received';
  verify_code?: number;
  verify_message?: string;
  bytes_in?: number;
  bytes_out?: number;
  peer?: string;
}

/** Byte counters of the application data that crossed one connection. */
export interface Counters {
  bytesIn: number;
  bytesOut: number;
}

/** The subject of a DER certificate in one line (`CN=localhost, O=tlsbio`), or null when there is none. */
export function subjectOf(der: Uint8Array | null): string | null {
  if (der === null) return null;
  try {
    // Node prints one attribute per line, most significant first; one line reads better in logs.
    return new X509Certificate(der).subject.split('\n').join(', ');
  } catch {
    return '(unparseable certificate)';
  }
}

/** How far the peer's certificate was checked (see {@link VerifyStatus}). */
export function verifyStatus(connection: TLSConnection): VerifyStatus {
  const dict = connection.getPeerCertificate();
  if (dict === null) return 'none';
  // Python's contract, which the engine follows: an unverified certificate is reported as an empty dictionary.
  return Object.keys(dict).length > 0 ? 'ok' : 'skipped';
}

/** The JSON record of an established connection. */
export function connectionRecord(connection: TLSConnection, counters: Counters, extra: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    version: connection.version(),
    cipher: connection.cipher()?.[0] ?? null,
    group: connection.group(),
    alpn: connection.selectedAlpnProtocol(),
    peer_subject: subjectOf(connection.getPeerCertificate({ binary: true })),
    verify: verifyStatus(connection),
    resumed: connection.sessionReused,
    // 0-RTT arrives with a later milestone: no connection sends or takes early data yet.
    early_data: 'not_sent',
    bytes_in: counters.bytesIn,
    bytes_out: counters.bytesOut,
    hello_retry: connection.helloRetried,
    ...extra,
  };
}

/** The JSON record of a failure: `error` (the message) and `code`, plus the TLS facts the error carries. */
export function errorRecord(error: unknown, extra: Partial<ErrorRecord> = {}): ErrorRecord {
  const record: ErrorRecord = { error: describeError(error), code: errorCode(error) };
  if (isTLSError(error)) {
    record.reason = error.reason;
    if (error.alert !== undefined) {
      record.alert = error.alert.name;
      record.alert_direction = error.alert.sent ? 'sent' : 'received';
    }
    if (CertVerificationError.isInstance(error)) {
      record.verify_code = (error as CertVerificationError).verifyCode;
      record.verify_message = (error as CertVerificationError).verifyMessage;
    }
  }
  return { ...record, ...extra };
}

/**
 * The code printed for a failure: a TLS error's stable code (`ERR_TLS_CERT_VERIFICATION`), a CLI failure's code, a
 * system error's code (`ECONNREFUSED`, found on the error or its cause), else `ERR_UNKNOWN`.
 */
export function errorCode(error: unknown): string {
  if (isTLSError(error)) {
    // A transport failure says more through the system's code than through ERR_TLS_SYSCALL.
    const cause = (error as { cause?: unknown }).cause as { code?: unknown } | undefined;
    if (error.code === 'ERR_TLS_SYSCALL' && typeof cause?.code === 'string') return cause.code;
    return error.code;
  }
  if (error instanceof CliError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return 'ERR_UNKNOWN';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Human-readable lines about an established connection, in the spirit of s_client's summary. */
export function describeConnection(record: ConnectionRecord): string {
  const lines = [
    `Protocol  : ${record.version ?? '(none)'}`,
    `Cipher    : ${record.cipher ?? '(none)'}`,
    `Group     : ${record.group ?? '(none)'}${record.hello_retry ? ' (after HelloRetryRequest)' : ''}`,
    `ALPN      : ${record.alpn ?? '(none)'}`,
  ];
  if (record.sni !== undefined) lines.push(`SNI       : ${record.sni ?? '(none)'}`);
  lines.push(`Peer      : ${record.peer_subject ?? '(no certificate)'}`);
  lines.push(`Verify    : ${record.verify}`);
  return lines.join('\n');
}

/** One line for a failure: `error CODE (reason): message`. */
export function describeFailure(record: ErrorRecord): string {
  const reason = record.reason !== undefined && record.reason !== record.code ? ` ${record.reason}` : '';
  const alert = record.alert !== undefined ? ` [alert ${record.alert} ${record.alert_direction}]` : '';
  return `error ${record.code}${reason}${alert}: ${record.error}`;
}
