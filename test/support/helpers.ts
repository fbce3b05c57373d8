/**
 * Test helpers shared by the packages' suites (transport-memory, transport-net, transport-ws, the demo): core's test
 * PKI on disk, deterministic data, and whole-stream reads and writes. A plain file, not a package, imported by
 * relative path from tests only, so no package gains a dependency. It imports no @tlsbio package on purpose: each
 * suite builds its TLS contexts from its own copy of core.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/core/test/fixtures/pki: the test CA, ECDSA/RSA/Ed25519 chains and keys (see its generate.sh). */
export const pkiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'core', 'test', 'fixtures', 'pki');

/** A file of core's test PKI, as text. */
export function pki(name: string): string {
  return readFileSync(join(pkiDir, name), 'utf8');
}

/** `length` bytes of a seeded linear congruential sequence: the same data on both ends without sending it twice. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** SHA-256 in hex: compares megabytes in one readable assertion. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Everything the readable gives until it ends (rejects as the readable errors). */
export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return concat(chunks);
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

/** Writes `data` in pieces of `chunkSize`, then (unless `close` is false) closes the writable: close_notify. */
export async function writeAll(
  stream: { readonly writable: WritableStream<Uint8Array> },
  data: Uint8Array,
  chunkSize = 64 * 1024,
  close = true,
): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < data.length; offset += chunkSize) await writer.write(data.subarray(offset, offset + chunkSize));
  if (close) await writer.close();
  writer.releaseLock();
}

/** The error `promise` rejects with (throws when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
