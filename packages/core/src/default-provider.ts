/**
 * The provider a context uses when none is given. The portable provider works everywhere; the `node` entry point
 * registers node:crypto's provider when it loads, so Node users get native speed without naming a provider.
 */
import type { CryptoProvider } from './crypto/provider.js';
import { portableProvider } from './crypto/portable/index.js';

let registered: CryptoProvider | undefined;

/** Makes `provider` the default of every context created afterwards. @internal (called by the node entry point) */
export function registerDefaultProvider(provider: CryptoProvider): void {
  registered = provider;
}

/** The registered provider, or the portable one. */
export function currentDefaultProvider(): CryptoProvider {
  return registered ?? portableProvider;
}
