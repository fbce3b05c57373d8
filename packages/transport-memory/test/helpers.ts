/** TLS contexts from core's test PKI, and small byte helpers, for the pair tests. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLSContext, type SecureStream } from '@tlsbio/core';

const pkiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'core', 'test', 'fixtures', 'pki');
/** A file of core's test PKI, as text. */
export const pki = (name: string) => readFileSync(join(pkiDir, name), 'utf8');

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

/** Reads the readable to its end; returns what arrived and how it ended (`null`: cleanly). */
export async function drain(readable: ReadableStream<Uint8Array>): Promise<{ data: Uint8Array; error: unknown }> {
  const chunks: Uint8Array[] = [];
  const reader = readable.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { data: concat(chunks), error: null };
      chunks.push(value);
    }
  } catch (error) {
    return { data: concat(chunks), error };
  }
}

export async function writeAll(stream: SecureStream, data: Uint8Array, chunkSize: number, close = true): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < data.length; offset += chunkSize) await writer.write(data.subarray(offset, offset + chunkSize));
  if (close) await writer.close();
  writer.releaseLock();
}
