// The crypto providers the demo and the benchmark compare: node:crypto first (the default under Node), then portable.
import { type CryptoProvider, nodeProvider, portableProvider } from '@tlsbio/core';

/**
 * Both built-in providers.
 * @throws Error when @tlsbio/core was built without one of them (a broken build, not a user mistake).
 */
export function builtInProviders(): readonly CryptoProvider[] {
  const providers = [nodeProvider, portableProvider];
  if (providers.some((provider) => provider === undefined || provider === null)) {
    throw new Error('@tlsbio/core does not export both nodeProvider and portableProvider: rebuild it (pnpm build)');
  }
  return providers;
}
