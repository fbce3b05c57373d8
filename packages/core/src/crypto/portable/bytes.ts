/** forge's "binary strings" to and from bytes: the portable provider's seam with node-forge. */

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
