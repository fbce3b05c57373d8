/** The transport-net tests' server context; the data and stream helpers are the ones every suite shares. */
import { TLSContext } from '@tlsbio/core';
import { pki } from '../../../test/support/helpers.js';

export { concat, pattern, pki, pkiDir, readAll, rejection, sha256, writeAll } from '../../../test/support/helpers.js';

/** A server context with the fixture ECDSA certificate (leaf + intermediate; trusted through ca.pem). */
export function serverContext(options: ConstructorParameters<typeof TLSContext>[1] = {}): TLSContext {
  const context = new TLSContext('server', options);
  context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
  return context;
}
