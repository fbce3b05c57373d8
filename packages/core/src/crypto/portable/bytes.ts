/** Byte helpers of the portable provider: forge's binary strings, and the few comparisons we need. */

// String.fromCharCode takes its bytes as arguments: chunks keep the argument count far below engine limits.
const CHUNK = 0x2000;

/** Bytes to a forge "binary string" (one char code 0-255 per byte). */
export function toBinaryString(bytes: Uint8Array): string {
  let out = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    out += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK));
  }
  return out;
}

/** A forge binary string back to bytes. */
export function fromBinaryString(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Whether every byte is zero, without an early exit (the input is a secret). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

/** Byte equality for public values. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `a || b` in one fresh buffer. */
export function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
