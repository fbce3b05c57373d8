import { AlertLevel, InvalidArgumentError } from '@tlsbio/errors';
import { remoteError } from './common.js';

/**
 * Encodes an alert message: `AlertLevel level; AlertDescription description;` (RFC 8446 §6, RFC 5246 §7.2).
 * The result is the 2-byte fragment of one alert record (alerts are never coalesced or fragmented, RFC 8446 §5.1).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `level` or `description` is not a byte.
 * @example
 * sealer.seal(ContentType.alert, encodeAlert(AlertLevel.fatal, AlertDescription.handshake_failure));
 */
export function encodeAlert(level: number, description: number): Uint8Array {
  checkByte(level, 'level');
  checkByte(description, 'description');
  return new Uint8Array([level, description]);
}

/**
 * Decodes the fragment of an alert record. Unknown descriptions are carried (the registry is an open set); an
 * unknown level is refused.
 *
 * @throws {ProtocolError} `INVALID_ALERT` (decode_error) when the fragment is not exactly 2 bytes: RFC 8446 §5.1
 *   forbids fragmenting or coalescing alerts.
 * @throws {ProtocolError} `UNKNOWN_ALERT_TYPE` (illegal_parameter) when the level is neither warning(1) nor
 *   fatal(2) (RFC 5246 §7.2).
 * @example
 * const { level, description } = decodeAlert(fragment);
 */
export function decodeAlert(fragment: Uint8Array): { level: number; description: number } {
  // RFC 8446 §5.1: "Alert messages MUST NOT be fragmented across records, and multiple alert messages MUST NOT be
  // coalesced into a single TLSPlaintext record": an alert record holds exactly one 2-byte alert.
  if (fragment.length !== 2) {
    throw remoteError('INVALID_ALERT', `alert record of ${fragment.length} bytes (an alert is 2 bytes)`);
  }
  const level = fragment[0]!;
  const description = fragment[1]!;
  // RFC 5246 §7.2: AlertLevel is warning(1) or fatal(2). RFC 8446 §6 ignores the level's meaning, not its range.
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) {
    throw remoteError('UNKNOWN_ALERT_TYPE', `alert level ${level} is neither warning(1) nor fatal(2)`);
  }
  return { level, description };
}

function checkByte(value: number, argument: string): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0xff)) {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', `must be an integer in 0..255, got ${value}`);
  }
}
