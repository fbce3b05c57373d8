import type { CryptoProvider, ProviderOptions } from '../provider.js';

// PLACEHOLDER — being written.
export function createNodeProvider(_options: ProviderOptions = {}): CryptoProvider {
  throw new Error('not yet');
}
export const nodeProvider = undefined as unknown as CryptoProvider;
