import type { CryptoProvider, ProviderOptions } from '../provider.js';

// PLACEHOLDER — being written.
export function createPortableProvider(_options: ProviderOptions = {}): CryptoProvider {
  throw new Error('not yet');
}
export const portableProvider = undefined as unknown as CryptoProvider;
