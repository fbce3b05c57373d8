import { randomFillSync } from 'node:crypto';
import type { RandomSource } from '../provider.js';

/** The operating system's CSPRNG through OpenSSL, filling a fresh array (never a pooled `Buffer`). */
export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  randomFillSync(out);
  return out;
};
