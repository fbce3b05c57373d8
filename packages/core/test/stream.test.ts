/**
 * The async driver `secure()`: a client and a server stream over an in-test transport pair, once per crypto
 * provider. The pair's pipes have an optional high-water mark (a write resolves only once the pipe holds no more than
 * it), and they refuse a second read while one is pending, so every test also checks that the driver never has two
 * transport reads in flight.
 */
import { createHash } from 'node:crypto';
import {
  AlertError,
  CertVerificationError,
  EOFError,
  InvalidArgumentError,
  ProtocolError,
  SysCallError,
  X509VerifyCode,
} from '@tlsbio/errors';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pattern } from '../../../test/support/helpers.js';
import { decodePem } from '../src/asn1/pem.js';
import { TLSContext } from '../src/context.js';
import { secure, type SecureStream } from '../src/stream.js';
import type { Transport } from '../src/transport.js';
import { clientContext, pki, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

/** One direction of the pair: a byte queue with a high-water mark and a single reader. */
class Pipe {
  readonly #chunks: Uint8Array[] = [];
  readonly #blockedWriters: Array<() => void> = [];
  #reader: ((chunk: Uint8Array | null) => void) | undefined;
  /** Bytes queued and not yet read. */
  buffered = 0;
  /** Bytes ever written. */
  written = 0;
  /** Most bytes ever queued at once. */
  peak = 0;
  ended = false;
  /** Set when a second read arrived while one was pending (the driver must never do that). */
  concurrentRead = false;

  constructor(readonly highWaterMark = Infinity) {}

  push(bytes: Uint8Array): Promise<void> {
    if (this.ended) return Promise.reject(new Error('write after end'));
    if (bytes.length === 0) return Promise.resolve();
    const copy = bytes.slice();
    this.written += copy.length;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader(copy);
      return Promise.resolve();
    }
    this.#chunks.push(copy);
    this.buffered += copy.length;
    this.peak = Math.max(this.peak, this.buffered);
    if (this.buffered <= this.highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.#blockedWriters.push(resolve));
  }

  pull(): Promise<Uint8Array | null> {
    if (this.#reader !== undefined) {
      this.concurrentRead = true;
      return Promise.reject(new Error('a second read while one is pending'));
    }
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.buffered -= chunk.length;
      while (this.buffered <= this.highWaterMark && this.#blockedWriters.length > 0) this.#blockedWriters.shift()!();
      return Promise.resolve(chunk);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.#reader = resolve));
  }

  end(): void {
    this.ended = true;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.(null);
  }
}

interface PipePair {
  readonly client: Transport;
  readonly server: Transport;
  /** client -> server */
  readonly up: Pipe;
  /** server -> client */
  readonly down: Pipe;
}

function pipeTransport(incoming: Pipe, outgoing: Pipe, side: string): Transport & { closes: number } {
  return {
    closes: 0,
    read: () => incoming.pull(),
    write: (bytes) => outgoing.push(bytes),
    async close() {
      this.closes++;
      outgoing.end();
    },
    info: () => ({ kind: 'memory', side }),
  };
}

function pipePair(highWaterMark = Infinity): PipePair {
  const up = new Pipe(highWaterMark);
  const down = new Pipe(highWaterMark);
  return { client: pipeTransport(down, up, 'client'), server: pipeTransport(up, down, 'server'), up, down };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const text = (value: string) => new TextEncoder().encode(value);

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Writes `data` in `chunkSize` pieces, then closes the writable (close_notify). */
async function writeAll(stream: SecureStream, data: Uint8Array, chunkSize = 64 * 1024): Promise<void> {
  const writer = stream.writable.getWriter();
  for (let offset = 0; offset < data.length; offset += chunkSize) await writer.write(data.subarray(offset, offset + chunkSize));
  await writer.close();
}

/** The settled error of `promise` (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Lets every pending promise job and I/O callback run (a settling point, not a timing assertion). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe.each(providers)('secure() over an in-memory transport, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const client = (pair: PipePair, context = clientContext(provider), options = {}) =>
    secure(pair.client, context, { serverHostname: 'localhost', ...options });
  const server = (pair: PipePair, context = serverContext(provider), options = {}) => secure(pair.server, context, options);

  it('completes the handshake, reports its facts on both sides and echoes data', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    const [clientInfo, serverInfo] = await Promise.all([c.opened, s.opened]);
    expect(clientInfo.version).toBe('TLSv1.3');
    expect(serverInfo.version).toBe('TLSv1.3');
    expect(clientInfo.cipher).toMatch(/^TLS_/);
    expect(clientInfo.cipher).toBe(serverInfo.cipher);
    expect(clientInfo.group).toBe(serverInfo.group);
    expect(clientInfo.serverName).toBe('localhost');
    expect(clientInfo.peerCertificate).toEqual(decodePem(pki('server-ecdsa.pem'))[0]!.der);
    expect(serverInfo.peerCertificate).toBeNull();
    expect(clientInfo.transport).toEqual({ kind: 'memory', side: 'client' });
    expect(c.connection.serverSide).toBe(false);
    expect(s.connection.serverSide).toBe(true);

    const echo = s.readable.pipeTo(s.writable); // echoes until the client's close_notify, then sends its own
    const request = text('hello over TLS');
    const [, reply] = await Promise.all([writeAll(c, request), readAll(c.readable)]);
    expect(reply).toEqual(request);
    await echo;
    await Promise.all([c.closed, s.closed]);
    expect(pair.up.ended && pair.down.ended).toBe(true);
    expect(pair.up.concurrentRead || pair.down.concurrentRead).toBe(false);
  });

  it('moves 1 MiB each way at once, byte for byte, through bounded pipes', async () => {
    const pair = pipePair(64 * 1024);
    const c = client(pair);
    const s = server(pair);
    const up = pattern(1 << 20, 7);
    const down = pattern(1 << 20, 9);
    const [, , received, sent] = await Promise.all([writeAll(c, up, 50_000), writeAll(s, down, 70_000), readAll(s.readable), readAll(c.readable)]);
    expect(received.length).toBe(up.length);
    expect(sha256(received)).toBe(sha256(up));
    expect(sent.length).toBe(down.length);
    expect(sha256(sent)).toBe(sha256(down));
    await Promise.all([c.closed, s.closed]);
    expect(pair.up.concurrentRead || pair.down.concurrentRead).toBe(false);
  });

  it('works with the smallest BIO limits (received chunks fed in parts)', async () => {
    const pair = pipePair();
    const c = client(pair, clientContext(provider), { incomingLimit: 100, outgoingLimit: 16_645 });
    const s = server(pair, serverContext(provider), { incomingLimit: 1, outgoingLimit: 16_645 });
    const data = pattern(100_000, 3);
    const echo = s.readable.pipeTo(s.writable);
    const [, reply] = await Promise.all([writeAll(c, data, 40_000), readAll(c.readable)]);
    expect(sha256(reply)).toBe(sha256(data));
    await echo;
    await Promise.all([c.closed, s.closed]);
  });

  it('half-closes: the client closes its side and still receives everything the server sends after that', async () => {
    const pair = pipePair(32 * 1024);
    const c = client(pair);
    const s = server(pair);
    const events: string[] = [];
    const clientReading = readAll(c.readable).then((data) => {
      events.push('client read end');
      return data;
    });
    await writeAll(c, text('request'));
    events.push('client closed its side');
    // The client's side is closed, the transport is not: the server reads the request to its end…
    expect(pair.up.ended).toBe(false);
    expect(new TextDecoder().decode(await readAll(s.readable))).toBe('request');
    // …and only then answers, at length, over the half-closed connection.
    const response = pattern(300_000, 5);
    await writeAll(s, response, 30_000);
    const received = await clientReading;
    expect(sha256(received)).toBe(sha256(response));
    await Promise.all([c.closed, s.closed]);
    expect(events).toEqual(['client closed its side', 'client read end']);
    expect(pair.up.ended && pair.down.ended).toBe(true);
  });

  it('close() closes both directions gracefully, dropping data nobody reads', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    const echo = s.readable.pipeTo(s.writable);
    const writer = c.writable.getWriter();
    await writer.write(text('ping'));
    writer.releaseLock();
    await c.close();
    await echo;
    await Promise.all([c.closed, s.closed]);
    expect(pair.up.ended && pair.down.ended).toBe(true);
  });

  it('calls onError once with the error closed rejects with, and never after a clean close', async () => {
    const failing = pipePair();
    const untrusting = new TLSContext('client', { provider });
    untrusting.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const calls: Array<[unknown, SecureStream]> = [];
    const onError = (error: unknown, stream: SecureStream) => calls.push([error, stream]);
    const c = client(failing, untrusting, { onError });
    const s = server(failing, undefined, { onError });
    const [clientError, serverError] = await Promise.all([rejection(c.closed), rejection(s.closed)]);
    expect(CertVerificationError.isInstance(clientError)).toBe(true);
    expect(AlertError.isInstance(serverError)).toBe(true);
    expect(calls).toHaveLength(2);
    expect(calls).toContainEqual([clientError, c]);
    expect(calls).toContainEqual([serverError, s]);

    const clean = pipePair();
    const cleanCalls: unknown[] = [];
    const c2 = client(clean, undefined, { onError: (error: unknown) => cleanCalls.push(error) });
    const s2 = server(clean, undefined, { onError: (error: unknown) => cleanCalls.push(error) });
    const echo = s2.readable.pipeTo(s2.writable);
    await c2.close();
    await echo;
    await Promise.all([c2.closed, s2.closed]);
    expect(cleanCalls).toEqual([]);
    expect(() => client(pipePair(), undefined, { onError: 'no' })).toThrow(InvalidArgumentError);
  });

  it('makes opened and closed on demand: before, during and after the handshake they settle alike', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    const early = c.opened; // asked while the handshake runs
    const info = await early;
    await s.opened;
    // Asked after completion: a settled promise with the facts as of now (a fresh copy of the certificate).
    const late = await c.opened;
    expect(late.cipher).toBe(info.cipher);
    expect(late.peerCertificate).toEqual(info.peerCertificate);
    expect(late.peerCertificate).not.toBe(info.peerCertificate);
    const echo = s.readable.pipeTo(s.writable);
    await c.close();
    await echo;
    await expect(c.closed).resolves.toBeUndefined();
    await expect(s.closed).resolves.toBeUndefined();

    // A failure: asked only after it happened, both still reject with it (and nobody is reported an unhandled one).
    const failing = pipePair();
    const untrusting = new TLSContext('client', { provider });
    untrusting.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const fc = client(failing, untrusting);
    const fs = server(failing);
    await rejection(fs.closed); // the client's alert arrived: the client failed before
    const error = await rejection(fc.opened);
    expect(CertVerificationError.isInstance(error)).toBe(true);
    expect(await rejection(fc.closed)).toBe(error);
    expect(await rejection(fc.opened)).toBe(error);
  });

  it('turns a stream that ends without close_notify into EOFError on the readable, never a clean end', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    const writer = s.writable.getWriter();
    await writer.write(text('partial'));
    await writer.abort(); // abandons the connection: the transport is closed with no close_notify
    await s.closed; // abandoning is not a failure
    const reader = c.readable.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('partial');
    const error = await rejection(reader.read());
    expect(EOFError.isInstance(error)).toBe(true);
    expect(await rejection(c.closed)).toBe(error);
    expect(await rejection(c.writable.getWriter().write(text('x')))).toBe(error);
  });

  it('reports a transport that ends in the middle of a record as EOFError', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    // A raw half record on the wire, then the end of the stream.
    await pair.server.write(new Uint8Array([23, 3, 3, 0, 100, 1, 2, 3]));
    await pair.server.close();
    const error = await rejection(readAll(c.readable));
    expect(EOFError.isInstance(error)).toBe(true);
    expect(await rejection(c.closed)).toBe(error);
  });

  it('rejects opened on both sides when the client does not trust the server: the alert reaches the server', async () => {
    const pair = pipePair();
    const untrusting = new TLSContext('client', { provider });
    untrusting.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const c = client(pair, untrusting);
    const s = server(pair);
    const clientError = await rejection(c.opened);
    expect(CertVerificationError.isInstance(clientError)).toBe(true);
    expect((clientError as CertVerificationError).verifyCode).toBe(X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    const serverError = await rejection(s.opened);
    expect(AlertError.isInstance(serverError)).toBe(true);
    expect((serverError as AlertError).alert).toMatchObject({ description: (clientError as CertVerificationError).alert!.description, received: true });
    // The same error everywhere, on each side.
    expect(await rejection(c.closed)).toBe(clientError);
    expect(await rejection(s.closed)).toBe(serverError);
    expect(await rejection(c.readable.getReader().read())).toBe(clientError);
    expect(await rejection(s.writable.getWriter().write(text('x')))).toBe(serverError);
    expect(pair.up.ended && pair.down.ended).toBe(true);
  });

  it('sends the alert for a record that fails authentication, and the peer sees it', async () => {
    const pair = pipePair();
    // Flip a bit in every client -> server record after the handshake.
    let tamper = false;
    const tampering: Transport = {
      ...pair.client,
      write: (bytes) => {
        if (!tamper) return pair.client.write(bytes);
        const copy = bytes.slice();
        copy[copy.length - 1]! ^= 1;
        return pair.client.write(copy);
      },
    };
    const c = secure(tampering, clientContext(provider), { serverHostname: 'localhost' });
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    tamper = true;
    const serverReading = rejection(readAll(s.readable));
    const clientReading = rejection(readAll(c.readable));
    const writer = c.writable.getWriter();
    await writer.write(text('tampered'));
    const serverError = await serverReading;
    expect(ProtocolError.isInstance(serverError)).toBe(true);
    expect((serverError as ProtocolError).alert).toMatchObject({ name: 'bad_record_mac', sent: true });
    const clientError = await clientReading;
    expect(AlertError.isInstance(clientError)).toBe(true);
    expect((clientError as AlertError).alert).toMatchObject({ name: 'bad_record_mac', received: true });
    expect(await rejection(s.closed)).toBe(serverError);
    expect(await rejection(c.closed)).toBe(clientError);
  });

  it('delivers every record of one transport read before reporting a bad record that follows them', async () => {
    const pair = pipePair();
    const held: Uint8Array[] = [];
    let hold = false;
    const holding: Transport = { ...pair.server, write: (bytes) => (hold ? (held.push(bytes.slice()), Promise.resolve()) : pair.server.write(bytes)) };
    const c = client(pair);
    const s = secure(holding, serverContext(provider));
    await Promise.all([c.opened, s.opened]);
    hold = true;
    const writer = s.writable.getWriter();
    for (const word of ['one', 'two', 'three']) await writer.write(text(word));
    // The three records and a replay of the last (wrong sequence number: bad_record_mac) arrive in one read.
    const replay = held[held.length - 1]!;
    const chunk = new Uint8Array([...held.flatMap((bytes) => [...bytes]), ...replay]);
    await pair.server.write(chunk);
    const reader = c.readable.getReader();
    const words: string[] = [];
    for (let i = 0; i < 3; i++) words.push(new TextDecoder().decode((await reader.read()).value));
    expect(words).toEqual(['one', 'two', 'three']);
    const error = await rejection(reader.read());
    expect(ProtocolError.isInstance(error) && error.alert?.name).toBe('bad_record_mac');
    expect(await rejection(c.closed)).toBe(error);
  });

  it('sends the KeyUpdate answer a read produced, without waiting for the application to write', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    const serverReader = s.readable.getReader();
    // RFC 8446 §4.6.3: ask the server to update its keys too. The request goes out with the next write, in the same
    // transport write as the data, so the server meets both in one read().
    c.connection.keyUpdate({ requestPeer: true });
    const writer = c.writable.getWriter();
    await writer.write(text('after update'));
    const before = pair.down.written;
    expect(new TextDecoder().decode((await serverReader.read()).value)).toBe('after update');
    await settle();
    // The server wrote nothing, yet its update (answering the request) is on the wire.
    expect(pair.down.written).toBeGreaterThan(before);
    const clientReader = c.readable.getReader();
    const clientRead = clientReader.read();
    const serverWriter = s.writable.getWriter();
    await serverWriter.write(text('under new keys'));
    expect(new TextDecoder().decode((await clientRead).value)).toBe('under new keys');
    await Promise.all([writer.close(), serverWriter.close()]);
    expect((await serverReader.read()).done).toBe(true);
    expect((await clientReader.read()).done).toBe(true);
    await Promise.all([c.closed, s.closed]);
  });

  it('stops resolving writes when the peer does not read: buffered bytes stay bounded', async () => {
    const highWaterMark = 64 * 1024;
    const pair = pipePair(highWaterMark);
    const c = client(pair);
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    const chunk = 16 * 1024;
    const total = 1 << 20;
    const data = pattern(total, 11);
    const writer = c.writable.getWriter();
    let resolvedBytes = 0;
    const writes: Promise<void>[] = [];
    for (let offset = 0; offset < total; offset += chunk) {
      writes.push(writer.write(data.subarray(offset, offset + chunk)).then(() => void (resolvedBytes += chunk)));
    }
    const closing = writer.close();
    await settle(50);
    // Nothing reads on the server: only what the pipe holds was accepted; the pipe holds no more than its mark plus
    // the record that crossed it; the server read nothing past the handshake.
    expect(resolvedBytes).toBeGreaterThan(0);
    expect(resolvedBytes).toBeLessThanOrEqual(highWaterMark);
    expect(pair.up.buffered).toBeLessThanOrEqual(highWaterMark + 16_645);
    const stalledAt = resolvedBytes;
    await settle(50);
    expect(resolvedBytes).toBe(stalledAt);

    // The server starts reading: everything arrives intact and every write resolves.
    const received = await readAll(s.readable);
    await Promise.all(writes);
    await closing;
    expect(resolvedBytes).toBe(total);
    expect(sha256(received)).toBe(sha256(data));
    expect(pair.up.peak).toBeLessThanOrEqual(highWaterMark + 16_645);
    // The client never read: its readable takes the server's close_notify now, and both ends close.
    await Promise.all([s.close(), readAll(c.readable)]);
    await Promise.all([c.closed, s.closed]);
  });

  it('reads the transport only while a consumer waits', async () => {
    const pair = pipePair();
    let reads = 0;
    const counting: Transport = { ...pair.server, read: () => (reads++, pair.server.read()) };
    const c = client(pair);
    const s = secure(counting, serverContext(provider));
    await Promise.all([c.opened, s.opened]);
    const afterHandshake = reads;
    const writer = c.writable.getWriter();
    await writer.write(text('one'));
    await writer.write(text('two'));
    await settle();
    expect(reads).toBe(afterHandshake); // the data waits in the transport
    const reader = s.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('one');
    expect(reads).toBeGreaterThan(afterHandshake);
  });

  it('turns a failing transport write into SysCallError with the cause, everywhere', async () => {
    const pair = pipePair();
    const boom = new Error('connection reset');
    let broken = false;
    const failing: Transport = { ...pair.client, write: (bytes) => (broken ? Promise.reject(boom) : pair.client.write(bytes)) };
    const c = secure(failing, clientContext(provider), { serverHostname: 'localhost' });
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    broken = true;
    const error = await rejection(c.writable.getWriter().write(text('lost')));
    expect(SysCallError.isInstance(error)).toBe(true);
    expect((error as SysCallError).cause).toBe(boom);
    expect(await rejection(c.closed)).toBe(error);
    expect(await rejection(c.readable.getReader().read())).toBe(error);
  });

  it('turns a failing transport read during the handshake into SysCallError rejecting opened', async () => {
    const pair = pipePair();
    const boom = new Error('network down');
    const failing: Transport = { ...pair.client, read: () => Promise.reject(boom) };
    const c = secure(failing, clientContext(provider), { serverHostname: 'localhost' });
    const error = await rejection(c.opened);
    expect(SysCallError.isInstance(error)).toBe(true);
    expect((error as SysCallError).cause).toBe(boom);
    expect(await rejection(c.closed)).toBe(error);
  });

  it('cancelling the readable abandons the connection: the transport closes and the writable errors', async () => {
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    const reason = new Error('not interested');
    await c.readable.cancel(reason);
    await c.closed;
    expect(pair.up.ended).toBe(true);
    expect(await rejection(c.writable.getWriter().write(text('x')))).toBe(reason);
    // The server sees a truncation, not a clean close.
    expect(EOFError.isInstance(await rejection(readAll(s.readable)))).toBe(true);
  });

  it('keeps no memory per message on a long-lived connection (every wait on the transport lets go once settled)', async () => {
    // Each write waits for the transport and each read for bytes; a wait that left something behind on the driver
    // (a reaction on a promise that lives as long as the connection) grew by ~1.2 KiB per round trip here.
    const pair = pipePair();
    const c = client(pair);
    const s = server(pair);
    await Promise.all([c.opened, s.opened]);
    const echo = s.readable.pipeTo(s.writable);
    const writer = c.writable.getWriter();
    const reader = c.readable.getReader();
    const message = pattern(100, 3);
    const roundTrips = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await writer.write(message);
        for (let got = 0; got < message.length; ) got += (await reader.read()).value!.length;
      }
    };
    await roundTrips(200); // warm: code, caches
    const before = heapAfterGc();
    const rounds = 3000;
    await roundTrips(rounds);
    const growth = heapAfterGc() - before;
    // 3000 round trips: ~3.6 MB before the fix; the bound leaves room for the collector's own noise.
    expect(growth / rounds).toBeLessThan(200);
    await writer.close();
    expect((await reader.read()).done).toBe(true);
    await echo;
  });
});

describe('secure() arguments', () => {
  const [, makeProvider] = providers[0]!;
  const provider = makeProvider();

  it('refuses something that is not a transport, and limits too small to hold a record', () => {
    const pair = pipePair();
    expect(() => secure({} as Transport, clientContext(provider), { serverHostname: 'localhost' })).toThrow(InvalidArgumentError);
    expect(() => secure(pair.client, clientContext(provider), { serverHostname: 'localhost', outgoingLimit: 16_644 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => secure(pair.client, clientContext(provider), { serverHostname: 'localhost', incomingLimit: 0 })).toThrow(InvalidArgumentError);
  });

  it('passes on wrapBio() refusals, such as a client that checks host names without one', () => {
    expect(() => secure(pipePair().client, clientContext(provider))).toThrow(InvalidArgumentError);
  });
});
