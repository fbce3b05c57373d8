/**
 * HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1), the two functions every TLS 1.3 secret comes from.
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { hkdfExpand } from '../crypto/hkdf.js';
import type { HashAlgorithm } from '../crypto/provider.js';
import { LABEL_PREFIX } from './labels.js';

/** `"tls13 "` as bytes, copied into every HkdfLabel. */
const PREFIX = Uint8Array.from(LABEL_PREFIX, (c) => c.charCodeAt(0));
/** `opaque label<7..255>` holds the prefix and the label, so the label itself has at most 249 bytes (§7.1). */
const MAX_LABEL_BYTES = 255 - PREFIX.length;
/** `opaque context<0..255>` (§7.1). */
const MAX_CONTEXT_BYTES = 255;
const utf8 = new TextEncoder();

/**
 * Encodes the HkdfLabel structure of RFC 8446 §7.1 in one allocation:
 * `uint16 length; opaque label<7..255> = "tls13 " + label; opaque context<0..255>`.
 *
 * The labels of the key schedule are ASCII and are copied byte by byte; any other string (an exporter label chosen by
 * an application) is encoded as UTF-8. An empty label is accepted, as OpenSSL accepts it for exporters, although the
 * structure's floor of 7 bytes then does not hold; every label of the key schedule itself is non-empty.
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `length` is not an integer from 0 to 65535, the label is
 *   longer than 249 bytes, or `context` is longer than 255 bytes.
 * @example
 * hkdfLabel('key', new Uint8Array(0), 16); // 00 10 09 74 6c 73 31 33 20 6b 65 79 00
 */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
    throw new InvalidArgumentError('length', 'INVALID_ARGUMENT', `must be an integer from 0 to 65535, got ${length}`);
  }
  // Fast path: ASCII labels are written straight into the output; anything else goes through UTF-8.
  let encoded: Uint8Array | undefined;
  for (let i = 0; i < label.length; i++) {
    if (label.charCodeAt(i) > 0x7f) {
      encoded = utf8.encode(label);
      break;
    }
  }
  const labelLength = encoded === undefined ? label.length : encoded.length;
  if (labelLength > MAX_LABEL_BYTES) {
    const message = `must be at most ${MAX_LABEL_BYTES} bytes, got ${labelLength}`;
    throw new InvalidArgumentError('label', 'INVALID_ARGUMENT', message);
  }
  if (context.length > MAX_CONTEXT_BYTES) {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', `must be at most 255 bytes, got ${context.length}`);
  }
  const labelStart = 3 + PREFIX.length;
  const contextStart = labelStart + labelLength + 1;
  const out = new Uint8Array(contextStart + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = PREFIX.length + labelLength;
  out.set(PREFIX, 3);
  if (encoded === undefined) {
    for (let i = 0; i < labelLength; i++) out[labelStart + i] = label.charCodeAt(i);
  } else {
    out.set(encoded, labelStart);
  }
  out[contextStart - 1] = context.length;
  out.set(context, contextStart);
  return out;
}

/**
 * HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) (RFC 8446 §7.1).
 * `label` is given without the `"tls13 "` prefix (use the constants in `labels.ts`).
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for a length, label or context out of range (see
 *   {@link hkdfLabel}), or a length above 255 * Hash.length (RFC 5869 §2.3).
 * @example
 * const key = hkdfExpandLabel(provider.hashes.sha256!, secret, Label.key, new Uint8Array(0), 16);
 */
export function hkdfExpandLabel(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hash, secret, hkdfLabel(label, context, length), length);
}

/**
 * Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
 * (RFC 8446 §7.1). Takes the transcript hash itself, which the caller reads from its {@link Transcript}; for
 * `Messages = ""` pass `hash.digest(new Uint8Array(0))`.
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `transcriptHash` is longer than 255 bytes.
 * @example
 * const derived = deriveSecret(sha256, earlySecret, Label.derived, sha256.digest(new Uint8Array(0)));
 */
export function deriveSecret(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLength);
}
