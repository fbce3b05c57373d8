/**
 * Standard base64 (RFC 4648 §4) without `Buffer` or `atob`, so it runs the same in every environment.
 *
 * Decoding is strict: only the base64 alphabet, padding required and only at the end, and the padding bits of the
 * last group must be zero (RFC 4648 §3.5), so each byte string has exactly one accepted text. ASCII whitespace is
 * skipped anywhere, since PEM wraps lines.
 */
import { InvalidArgumentError, type Reason } from '@tlsbio/errors';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const INVALID = -1;
const PADDING = -2;
const WHITESPACE = -3;
// Character code -> sextet value, or one of the markers above; built once.
const DECODE_TABLE = (() => {
  const table = new Int8Array(128).fill(INVALID);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  table[0x3d] = PADDING; // '='
  for (const code of [0x20, 0x09, 0x0a, 0x0d]) table[code] = WHITESPACE;
  return table;
})();

/** Encodes bytes as padded standard base64, without line breaks. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const group = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET[group >> 18]! + ALPHABET[(group >> 12) & 63]!;
    out += ALPHABET[(group >> 6) & 63]! + ALPHABET[group & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const group = (bytes[i] as number) << 16;
    out += ALPHABET[group >> 18]! + ALPHABET[(group >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const group = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += ALPHABET[group >> 18]! + ALPHABET[(group >> 12) & 63]! + ALPHABET[(group >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Decodes padded standard base64, skipping ASCII whitespace.
 * @throws InvalidArgumentError (`reason`, `INVALID_ARGUMENT` by default) naming `argument`, for a character
 *   outside the alphabet, missing or misplaced padding, or non-zero padding bits.
 */
export function base64Decode(text: string, argument = 'base64', reason: Reason = 'INVALID_ARGUMENT'): Uint8Array {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(argument, reason, `invalid base64: ${message}`);
  };
  // At most 3 bytes per 4 characters; the exact size is known only after skipping whitespace.
  const out = new Uint8Array(Math.floor(text.length / 4) * 3 + 3);
  let written = 0;
  let group = 0; // sextets accumulated in the current 4-character group
  let count = 0; // characters in the current group
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (DECODE_TABLE[code] as number) : INVALID;
    if (value === WHITESPACE) continue;
    if (value === INVALID) fail(`unexpected character ${JSON.stringify(text[i])} at position ${i}`);
    if (value === PADDING) {
      // '=' may only fill the last one or two places of the final group.
      if (count < 2) fail(`misplaced padding at position ${i}`);
      padding++;
      count++;
    } else {
      if (padding > 0) fail(`data after padding at position ${i}`);
      group = (group << 6) | value;
      count++;
    }
    if (count === 4) {
      if (padding === 0) {
        out[written++] = group >> 16;
        out[written++] = (group >> 8) & 0xff;
        out[written++] = group & 0xff;
        group = 0;
        count = 0;
      } else {
        // Final group: two sextets carry one byte, three carry two; the rest must be zero bits.
        if (padding === 2) {
          if (group & 0x0f) fail('non-zero padding bits');
          out[written++] = group >> 4;
        } else {
          if (group & 0x03) fail('non-zero padding bits');
          out[written++] = group >> 10;
          out[written++] = (group >> 2) & 0xff;
        }
        count = 0;
        group = 0;
        // Only whitespace may follow: a later data character fails as "data after padding", a later '=' as
        // misplaced padding (count is back to 0).
        padding = 3;
      }
    }
  }
  if (count !== 0) fail('length is not a multiple of 4 (missing padding?)');
  return out.slice(0, written);
}
