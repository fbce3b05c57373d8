// Error constructors shared by the message codecs. Internal: not exported from msgs/index.ts.
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';

/**
 * The peer sent bytes that do not parse: a length out of its range, a truncated field, trailing bytes
 * (RFC 8446 §6.2, decode_error).
 */
export function decodeError(message: string): ProtocolError {
  return new ProtocolError('DECODE_ERROR', message, { fault: 'remote' });
}

/** The peer sent a field that parses but holds a value that is not allowed (RFC 8446 §6.2, illegal_parameter). */
export function illegalParameter(message: string): ProtocolError {
  return new ProtocolError('ILLEGAL_PARAMETER', message, { fault: 'remote' });
}

/** The peer sent more of something than our configured limit allows (a memory guard). */
export function excessiveSize(message: string): ProtocolError {
  return new ProtocolError('EXCESSIVE_MESSAGE_SIZE', message, { fault: 'remote' });
}

/** Our own caller asked an encoder for something the protocol cannot carry. */
export function invalidArgument(argument: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(argument, 'INVALID_ARGUMENT', message);
}

/** Throws `INVALID_ARGUMENT` unless `value` is a `Uint8Array` of exactly `length` bytes. */
export function checkLength(value: Uint8Array, length: number, argument: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
    throw invalidArgument(argument, `must be a Uint8Array of ${length} bytes, got ${got}`);
  }
}

/** Throws `INVALID_ARGUMENT` unless `value` is a `Uint8Array` of at least `min` bytes. */
export function checkMinLength(value: Uint8Array, min: number, argument: string): void {
  if (!(value instanceof Uint8Array) || value.length < min) {
    const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
    throw invalidArgument(argument, `must be a Uint8Array of at least ${min} byte(s), got ${got}`);
  }
}

/** Throws `INVALID_ARGUMENT` when a list the protocol requires to be non-empty is empty. */
export function checkNonEmpty(list: readonly unknown[], argument: string): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidArgument(argument, 'must be a non-empty array');
  }
}

/** Byte-wise equality of two arrays (public values only: not constant time). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
