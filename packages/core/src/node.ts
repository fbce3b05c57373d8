// The public surface of @tlsbio/core under the `node` export condition: node:crypto by default.
import { nodeProvider } from './crypto/node/index.js';
import { registerDefaultProvider } from './default-provider.js';
import { nodeTrustSource } from './node-trust.js';
import { registerTrustSource } from './trust-source.js';

registerDefaultProvider(nodeProvider);
registerTrustSource(nodeTrustSource);

export * from './api.js';
export { createNodeProvider, nodeProvider } from './crypto/node/index.js';
export { nodeProvider as defaultProvider } from './crypto/node/index.js';
