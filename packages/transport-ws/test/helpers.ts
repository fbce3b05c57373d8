/** The transport-ws tests' contexts; the data and stream helpers are the ones every suite shares. */
import { TLSContext } from '@tlsbio/core';
import { pki } from '../../../test/support/helpers.js';

export { pattern, pki, readAll, sha256, writeAll } from '../../../test/support/helpers.js';

/** A server context with the fixture ECDSA certificate (leaf + intermediate; trusted through ca.pem). */
export function serverContext(): TLSContext {
  const context = new TLSContext('server');
  context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  return context;
}

/** A client context trusting the test root, checking host names. */
export function clientContext(): TLSContext {
  const context = new TLSContext('client', { verifyMode: 'required', checkHostname: true });
  context.loadVerifyLocations({ cadata: pki('ca.pem') });
  return context;
}
