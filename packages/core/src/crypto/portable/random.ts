/**
 * The portable provider's random source: the platform CSPRNG (`crypto.getRandomValues`, present in browsers, Deno,
 * Workers and Node 20) through noble, or a source the application injects for reproducible tests.
 */
import { randomBytes as webRandomBytes } from '@noble/hashes/utils.js';

// WebCrypto refuses more than 65,536 bytes per getRandomValues call (WebCrypto §10.1.1).
const QUOTA = 65536;

/**
 * `length` bytes from the platform CSPRNG, in several calls when more than WebCrypto's per-call quota is asked for.
 * @throws Error (from noble) when the platform has no `crypto.getRandomValues`.
 */
export function platformRandomBytes(length: number): Uint8Array {
  if (length <= QUOTA) return webRandomBytes(length);
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += QUOTA) {
    out.set(webRandomBytes(Math.min(QUOTA, length - offset)), offset);
  }
  return out;
}
