/** Shared pieces of the transport-ws tests: the core test PKI, data patterns, stream helpers. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLSContext, type SecureStream } from '@tlsbio/core';

const pkiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'test', 'fixtures', 'pki');

/** A file of core's test PKI, as text. */
export function pki(name: string): string {
  return readFileSync(join(pkiDir, name), 'utf8');
}

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

export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return concat(chunks);
}

/** Writes `data` in pieces, then closes the writable (close_notify). */
export async function writeAll(stream: SecureStream, data: Uint8Array, chunkSize = 64 * 1024): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < data.length; offset += chunkSize) await writer.write(data.subarray(offset, offset + chunkSize));
  await writer.close();
}
