/**
 * Byte helpers for the node:crypto provider: the seam between Node's `Buffer` and the `Uint8Array` the engine sees.
 */

/**
 * A plain `Uint8Array` over the same memory as a `Buffer`, without copying.
 *
 * Node returns `Buffer`s, whose `slice()` shares memory where `Uint8Array.prototype.slice` copies: handing the engine
 * a true `Uint8Array` keeps that difference from ever surprising it.
 */
export function asBytes(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Base64url without padding, as JWK members are written (RFC 7518 §2). */
export function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** A `Buffer` view of `bytes` (no copy), for node:crypto signatures typed to take only `Buffer`. */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The bytes of a base64url JWK member. */
export function fromBase64Url(text: string): Uint8Array {
  return asBytes(Buffer.from(text, 'base64url'));
}
