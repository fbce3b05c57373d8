/** TLS contexts from core's test PKI for the pair tests; the data and stream helpers are the ones every suite shares. */
import { TLSContext } from '@tlsbio/core';
import { pki } from '../../../test/support/helpers.js';

export { concat, drain, pattern, pki, sha256, writeAll } from '../../../test/support/helpers.js';

export function serverContext(): TLSContext {
  const context = new TLSContext('server');
  context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  return context;
}

export function clientContext(): TLSContext {
  const context = new TLSContext('client');
  context.loadVerifyLocations({ cadata: pki('ca.pem') });
  return context;
}
