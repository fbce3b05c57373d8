/**
 * A client and a server joined in memory (h11's ConnectionPair): most protocol tests drive one of these, once per
 * crypto provider, over @tlsbio/transport-memory's pair with seeded fragmentation.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WantReadError, isTLSError, type TLSError } from '@tlsbio/errors';
import { ConnectionPair as WirePair, type ConnectionPairOptions } from '@tlsbio/transport-memory';
import type { TLSConnection } from '../../src/connection.js';
import { TLSContext, type TLSContextOptions } from '../../src/context.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';

const pkiDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pki');

/** A file of the test PKI (test/fixtures/pki), as text. */
export function pki(name: string): string {
  return readFileSync(join(pkiDir, name), 'utf8');
}

export type CertKind = 'ecdsa' | 'rsa' | 'ed25519' | 'p384';

/** A server context serving the fixture certificate of `kind` (leaf + intermediate for ECDSA). */
export function serverContext(provider: CryptoProvider, options: TLSContextOptions = {}, kinds: readonly CertKind[] = ['ecdsa']): TLSContext {
  const context = new TLSContext('server', { provider, ...options });
  for (const kind of kinds) {
    const chain = kind === 'ecdsa' ? pki('server-ecdsa-chain.pem') : pki(`server-${kind}.pem`);
    context.loadCertChain(chain, pki(`server-${kind}.key`));
  }
  return context;
}

/** A client context trusting the fixture root. */
export function clientContext(provider: CryptoProvider, options: TLSContextOptions = {}): TLSContext {
  const context = new TLSContext('client', { provider, ...options });
  context.loadVerifyLocations({ cadata: pki('ca.pem') });
  return context;
}

/** What each side sends is cut at seeded random points into pieces of 1 to this many bytes (see ConnectionPair). */
const PAIR_FRAGMENT = 300;
/** `PAIR_SEED=n` replays a run's cut points (each pair of a test file takes the next seed, in creation order). */
let nextSeed = Number(process.env.PAIR_SEED ?? 1);

/**
 * The protocol tests' pair: `@tlsbio/transport-memory`'s `ConnectionPair`, imported from its source (core cannot
 * depend on a transport package; see vitest.config.ts and the transport-memory README). Unless a test asks
 * otherwise, each side's bytes are cut into seeded random pieces of 1 to 300 bytes, and `handshake()` and `send()`
 * hand them over one at a time with the engines running in between: every protocol test also checks that records
 * and handshake messages arriving in parts change nothing. `transfer()` moves everything whole.
 */
export class ConnectionPair extends WirePair {
  constructor(clientCtx: TLSContext, serverCtx: TLSContext, options: ConnectionPairOptions = {}) {
    super(clientCtx, serverCtx, { fragment: PAIR_FRAGMENT, seed: nextSeed++, ...options });
  }
}

/** `read()`, or `null` when no data is available yet. */
export function readOrNull(connection: TLSConnection, n?: number): Uint8Array | null {
  try {
    return connection.read(n);
  } catch (error) {
    if (WantReadError.isInstance(error)) return null;
    throw error;
  }
}

/** The error `run` throws (failing the test when it throws none, or a non-TLS error). */
export function caught(run: () => unknown): TLSError {
  try {
    run();
  } catch (error) {
    if (!isTLSError(error)) throw error;
    return error;
  }
  throw new Error('expected an error');
}
