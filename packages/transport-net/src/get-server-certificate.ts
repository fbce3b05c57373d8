import { InvalidArgumentError } from '@tlsbio/errors';
import { connect } from './connect.js';

/** Options of {@link getServerCertificate}. */
export interface GetServerCertificateOptions {
  /** The SNI name to send (and, when verifying, to check). Defaults to `host`; `null` sends none. */
  readonly servername?: string | null;
  /**
   * Trust anchors (PEM text or DER). Given, the server's chain and name are verified against them, as Python's
   * `get_server_certificate(addr, ca_certs=…)` verifies against its CA file; absent, nothing is verified unless
   * `verify` asks for Node's bundled roots.
   */
  readonly ca?: string | Uint8Array;
  /** Verify the chain and the name: default `true` with `ca`, `false` without (then any certificate is returned). */
  readonly verify?: boolean;
  /** Return the whole chain the server sent (leaf first, as it sent it) instead of the leaf alone. */
  readonly chain?: boolean;
  /** Fails with `SysCallError` (cause `ETIMEDOUT`) when TCP connect + handshake take longer. */
  readonly timeoutMs?: number;
}

/**
 * Connects, completes a TLS handshake and returns the server's certificate as PEM — Python's
 * `ssl.get_server_certificate()`. With `chain`, the PEM holds every certificate the server sent, leaf first. Without
 * verification (the default when no `ca` is given) the certificate is returned as sent: inspect it, do not trust it.
 * The connection is dropped once the certificate is in hand.
 *
 * @example
 * const pem = await getServerCertificate('example.com', 443);
 * const chain = await getServerCertificate('db.internal', 5433, { ca: caPem, chain: true });
 * @throws {InvalidArgumentError} for a bad host or port.
 * @throws {SysCallError} when TCP fails or the timeout expires.
 * @throws {CertVerificationError|ProtocolError|AlertError|EOFError} when the handshake (or, with verification, the
 *   certificate) fails.
 */
export async function getServerCertificate(host: string, port: number, options: GetServerCertificateOptions = {}): Promise<string> {
  if (options.verify === false && options.ca !== undefined) {
    throw new InvalidArgumentError('ca', 'INVALID_ARGUMENT', 'is only used to verify: drop it or drop verify: false');
  }
  const verify = options.verify ?? options.ca !== undefined;
  const stream = await connect({
    host,
    port,
    rejectUnauthorized: verify,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  try {
    const connection = stream.connection;
    const certificates = options.chain === true ? (connection.getPeerCertChain() ?? []) : [connection.getPeerCertificate({ binary: true })].filter((der) => der !== null);
    return certificates.map(derToPem).join('');
  } finally {
    // The certificate is all we came for: drop the connection (cancelling the readable closes the socket).
    await stream.readable.cancel().catch(() => {});
  }
}

/** One DER certificate as a PEM block, 64 base64 characters a line (RFC 7468 §2). */
function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}
