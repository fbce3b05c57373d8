/**
 * A client and a server joined in memory (h11's ConnectionPair): most protocol tests drive one of these, once per
 * crypto provider.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WantReadError, WantWriteError, isTLSError, type TLSError } from '@tlsbio/errors';
import { MemoryBIO } from '../../src/bio/memory-bio.js';
import type { TLSConnection } from '../../src/connection.js';
import { TLSContext, type TLSContextOptions } from '../../src/context.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import type { TLSSession } from '../../src/session/session.js';

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

export class ConnectionPair {
  readonly clientIn = new MemoryBIO();
  readonly clientOut: MemoryBIO;
  readonly serverIn = new MemoryBIO();
  readonly serverOut: MemoryBIO;
  readonly client: TLSConnection;
  readonly server: TLSConnection;
  /** Bytes moved from client to server and back. */
  clientToServer = 0;
  serverToClient = 0;

  constructor(
    clientCtx: TLSContext,
    serverCtx: TLSContext,
    options: { serverHostname?: string; clientOutLimit?: number; serverOutLimit?: number; session?: TLSSession } = {},
  ) {
    this.clientOut = new MemoryBIO(options.clientOutLimit === undefined ? {} : { limit: options.clientOutLimit });
    this.serverOut = new MemoryBIO(options.serverOutLimit === undefined ? {} : { limit: options.serverOutLimit });
    const hostname = options.serverHostname ?? 'localhost';
    this.client = clientCtx.wrapBio(this.clientIn, this.clientOut, options.session === undefined ? { serverHostname: hostname } : { serverHostname: hostname, session: options.session });
    this.server = serverCtx.wrapBio(this.serverIn, this.serverOut);
  }

  /** Moves every pending byte across, both ways. Returns how many moved. */
  transfer(): number {
    const up = this.clientOut.read();
    if (up.length > 0) this.serverIn.write(up);
    const down = this.serverOut.read();
    if (down.length > 0) this.clientIn.write(down);
    this.clientToServer += up.length;
    this.serverToClient += down.length;
    return up.length + down.length;
  }

  /**
   * Runs both handshakes to completion. The first error that is not flow control is thrown, after the bytes
   * (alerts) have moved across, so the other side's view can be checked.
   */
  handshake(): void {
    let clientDone = false;
    let serverDone = false;
    for (let round = 0; round < 20 && !(clientDone && serverDone); round++) {
      try {
        clientDone = clientDone || step(() => this.client.doHandshake());
        this.transfer();
        serverDone = serverDone || step(() => this.server.doHandshake());
      } finally {
        this.transfer();
      }
    }
    if (!(clientDone && serverDone)) throw new Error('handshake did not finish in 20 rounds');
  }

  /** Writes `data` on one side and reads it all on the other. */
  send(from: 'client' | 'server', data: Uint8Array): Uint8Array {
    const [writer, reader] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    writer.write(data);
    const chunks: Uint8Array[] = [];
    let received = 0;
    while (received < data.length) {
      this.transfer();
      const chunk = readOrNull(reader);
      if (chunk === null) {
        if (this.transfer() === 0) break;
        continue;
      }
      chunks.push(chunk);
      received += chunk.length;
    }
    const out = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Runs a step; `true` when it completed, `false` when it needs the peer. */
function step(run: () => void): boolean {
  try {
    run();
    return true;
  } catch (error) {
    if (WantReadError.isInstance(error) || WantWriteError.isInstance(error)) return false;
    throw error;
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
