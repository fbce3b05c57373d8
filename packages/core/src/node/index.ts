// The public surface of @tlsbio/core under the `node` export condition: node:crypto by default.
// Everything in core that needs a Node built-in lives in this folder (src/node/); test/node-builtins.test.ts
// keeps the rest of src/ free of them, so the portable entry bundles for browsers.
import { nodeProvider } from './crypto/index.js';
import { registerDefaultProvider } from '../default-provider.js';
import { nodeTrustSource } from './trust.js';
import { registerTrustSource } from '../trust-source.js';

registerDefaultProvider(nodeProvider);
registerTrustSource(nodeTrustSource);

export * from '../api.js';
export { createNodeProvider, nodeProvider } from './crypto/index.js';
export { nodeProvider as defaultProvider } from './crypto/index.js';
