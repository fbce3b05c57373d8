import { describe, expect, it } from 'vitest';
import {
  AlertDescription,
  AlertError,
  CertVerificationError,
  EOFError,
  InvalidArgumentError,
  ProtocolError,
  SysCallError,
  TLSError,
  WantReadError,
  WantWriteError,
  WantX509LookupError,
  X509VerifyCode,
  ZeroReturnError,
  isTLSError,
} from '../src/index.js';

/** One instance of every class, made the way the engine makes them, with what each must carry. */
const cases = [
  { make: () => new WantReadError(), cls: WantReadError, code: 'ERR_TLS_WANT_READ', reason: 'WANT_READ' },
  { make: () => new WantWriteError(), cls: WantWriteError, code: 'ERR_TLS_WANT_WRITE', reason: 'WANT_WRITE' },
  {
    make: () => new WantX509LookupError(),
    cls: WantX509LookupError,
    code: 'ERR_TLS_WANT_X509_LOOKUP',
    reason: 'WANT_X509_LOOKUP',
  },
  { make: () => new ZeroReturnError(), cls: ZeroReturnError, code: 'ERR_TLS_ZERO_RETURN', reason: 'ZERO_RETURN' },
  { make: () => new EOFError(), cls: EOFError, code: 'ERR_TLS_EOF', reason: 'UNEXPECTED_EOF_WHILE_READING' },
  {
    make: () => new SysCallError('socket closed'),
    cls: SysCallError,
    code: 'ERR_TLS_SYSCALL',
    reason: 'SYSCALL_ERROR',
  },
  {
    make: () => new InvalidArgumentError('key', 'BAD_KEY_LENGTH', 'must be 16 or 32 bytes'),
    cls: InvalidArgumentError,
    code: 'ERR_TLS_INVALID_ARGUMENT',
    reason: 'BAD_KEY_LENGTH',
  },
  {
    make: () => new ProtocolError('DECODE_ERROR', 'truncated ClientHello'),
    cls: ProtocolError,
    code: 'ERR_TLS_PROTOCOL',
    reason: 'DECODE_ERROR',
  },
  { make: () => new AlertError(48), cls: AlertError, code: 'ERR_TLS_ALERT', reason: 'TLSV1_ALERT_UNKNOWN_CA' },
  {
    make: () => new CertVerificationError(10, 0),
    cls: CertVerificationError,
    code: 'ERR_TLS_CERT_VERIFICATION',
    reason: 'CERTIFICATE_VERIFY_FAILED',
  },
] as const;

describe('every error class', () => {
  it.each(cases)('$code: code, reason, name, instanceof chain, marker', ({ make, cls, code, reason }) => {
    const error = make();
    expect(error.code).toBe(code);
    expect(cls.code).toBe(code);
    expect(error.reason).toBe(reason);
    expect(error.name).toBe(cls.name);
    expect(String(error)).toBe(`${cls.name}: ${error.message}`);
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(TLSError);
    expect(error).toBeInstanceOf(Error);
    expect(isTLSError(error)).toBe(true);
    expect(TLSError.isInstance(error)).toBe(true);
    expect(cls.isInstance(error)).toBe(true);
    expect(typeof error.stack).toBe('string');
    // the marker is the only symbol, and hidden from enumeration (logs, spreads, JSON)
    expect(Object.getOwnPropertySymbols(error)).toEqual([Symbol.for('tlsbio.error')]);
    expect(Object.getOwnPropertyDescriptor(error, Symbol.for('tlsbio.error'))?.enumerable).toBe(false);
  });

  it('each class has its own code, and isInstance tells the classes apart', () => {
    expect(new Set(cases.map((c) => c.code)).size).toBe(cases.length);
    for (const { make, cls } of cases) {
      const error = make();
      for (const other of cases) {
        expect(other.cls.isInstance(error)).toBe(other.cls === cls);
      }
    }
  });

  it('rejects non-errors and look-alikes without the marker', () => {
    for (const value of [undefined, null, 0, 'ERR_TLS_PROTOCOL', new Error('x'), { code: 'ERR_TLS_PROTOCOL' }]) {
      expect(isTLSError(value)).toBe(false);
      expect(TLSError.isInstance(value)).toBe(false);
      expect(ProtocolError.isInstance(value)).toBe(false);
    }
  });

  it('carries cause only when given one', () => {
    const socketError = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const withCause = new SysCallError('read failed', { cause: socketError });
    expect(withCause.cause).toBe(socketError);
    expect('cause' in new SysCallError('read failed')).toBe(false);
    expect(new EOFError(undefined, { cause: socketError }).cause).toBe(socketError);
    expect(new InvalidArgumentError('pem', 'BAD_PEM', 'no armour', { cause: socketError }).cause).toBe(socketError);
    const thrownByCallback = new TypeError('callback blew up');
    const protocol = new ProtocolError('CALLBACK_FAILED', 'SNI callback threw', {
      cause: thrownByCallback,
      fault: 'local',
    });
    expect(protocol.cause).toBe(thrownByCallback);
    expect(new CertVerificationError(2, 1, { cause: thrownByCallback }).cause).toBe(thrownByCallback);
  });
});

describe('alerts carried by errors', () => {
  it('flow control, EOF, syscall and argument errors carry no alert', () => {
    for (const error of [
      new WantReadError(),
      new WantWriteError(),
      new WantX509LookupError(),
      new EOFError(),
      new SysCallError('x'),
      new InvalidArgumentError('nonce', 'BAD_NONCE_LENGTH', 'must be 12 bytes'),
    ]) {
      expect(error.alert).toBeUndefined();
    }
  });

  it('ZeroReturnError records a received close_notify', () => {
    expect(new ZeroReturnError().alert).toEqual({ description: 0, name: 'close_notify', sent: false, received: true });
  });

  it('ProtocolError sends the alert of its reason, or the one given', () => {
    const error = new ProtocolError('WRONG_CIPHER_RETURNED', 'server chose a suite we did not offer');
    expect(error.alert).toEqual({ description: 47, name: 'illegal_parameter', sent: true, received: false });
    expect(error.fault).toBe('remote');
    const tls12 = new ProtocolError('PEER_DID_NOT_RETURN_A_CERTIFICATE', 'no client certificate', {
      alert: AlertDescription.handshake_failure,
    });
    expect(tls12.alert?.name).toBe('handshake_failure');
    expect(new ProtocolError('NO_CIPHERS_AVAILABLE', 'empty suite list', { fault: 'local' }).fault).toBe('local');
    // a reason this version does not know still sends something: internal_error
    expect(new ProtocolError('SOME_FUTURE_REASON', 'x').alert?.name).toBe('internal_error');
  });

  it('the alert info is read-only', () => {
    const error = new ProtocolError('DECODE_ERROR', 'x');
    expect(Object.isFrozen(error.alert)).toBe(true);
  });

  it('AlertError carries known and unknown alerts, named', () => {
    const known = new AlertError(AlertDescription.certificate_required);
    expect(known.alert).toEqual({ description: 116, name: 'certificate_required', sent: false, received: true });
    expect(known.reason).toBe('TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(known.message).toBe('peer sent fatal alert: certificate_required');

    const unknown = new AlertError(201);
    expect(unknown.alert).toEqual({ description: 201, name: 'unknown(201)', sent: false, received: true });
    expect(unknown.reason).toBe('SSL_ALERT_NUMBER_201');
    expect(unknown.message).toBe('peer sent fatal alert: unknown(201)');

    expect(new AlertError(40, 'handshake refused').message).toBe('handshake refused');
  });

  it('CertVerificationError words the code as OpenSSL and sends its alert', () => {
    const expired = new CertVerificationError(X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED, 0);
    expect(expired.verifyCode).toBe(10);
    expect(expired.verifyMessage).toBe('certificate has expired');
    expect(expired.depth).toBe(0);
    expect(expired.message).toBe('certificate verify failed: certificate has expired (depth 0)');
    expect(expired.alert).toEqual({ description: 45, name: 'certificate_expired', sent: true, received: false });

    const untrusted = new CertVerificationError(X509VerifyCode.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2);
    expect(untrusted.depth).toBe(2);
    expect(untrusted.alert?.name).toBe('unknown_ca');

    const overridden = new CertVerificationError(X509VerifyCode.X509_V_ERR_HOSTNAME_MISMATCH, 0, {
      alert: AlertDescription.access_denied,
    });
    expect(overridden.alert?.name).toBe('access_denied');

    const unknownCode = new CertVerificationError(4242, 0);
    expect(unknownCode.verifyMessage).toBe('unknown certificate verification error');
    expect(unknownCode.alert?.name).toBe('certificate_unknown');
  });

  it('InvalidArgumentError names its argument', () => {
    const error = new InvalidArgumentError('nonce', 'BAD_NONCE_LENGTH', 'must be 12 bytes, got 8');
    expect(error.argument).toBe('nonce');
    expect(error.message).toBe('nonce: must be 12 bytes, got 8');
  });

  it('SysCallError takes a more precise reason', () => {
    expect(new SysCallError('reset', { reason: 'ECONNRESET' }).reason).toBe('ECONNRESET');
  });
});

describe('subclassing', () => {
  it('a user subclass keeps its own name and is still its parent for isInstance', () => {
    class HandshakeTimeoutError extends ProtocolError {}
    const error = new HandshakeTimeoutError('INTERNAL_ERROR', 'timed out', { fault: 'local' });
    expect(error.name).toBe('HandshakeTimeoutError');
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect(AlertError.isInstance(error)).toBe(false);
  });

  it('TLSError can be used directly with another code', () => {
    const error = new TLSError('ERR_APP_POLICY', 'POLICY', 'refused by policy');
    expect(TLSError.isInstance(error)).toBe(true);
    expect(ProtocolError.isInstance(error)).toBe(false);
    expect(error.alert).toBeUndefined();
  });
});
