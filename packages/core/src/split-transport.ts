/**
 * A transport made of two one-way halves (DESIGN.md §6): bytes come from one object and go to another — a child
 * process's stdout and stdin, a `fetch` response body and a request stream, two halves of a WebTransport stream.
 *
 * The question pyOpenSSL left open — which half answers questions about "the connection" — is answered by one rule:
 * `info()` merges both halves' facts, the reader's winning where both have one (it is the reader that tells where the
 * bytes come from: the remote address, the peer), and a file descriptor is reported only when both halves report the
 * same one (two different descriptors are not "the connection's"). No method of either half is passed through.
 *
 * No Node built-ins: a Node `Readable` is used as the async iterable it is, and a Node `Writable` through its
 * `write(chunk, callback)` / `'drain'` / `end()` methods, so this runs in browsers too.
 */
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import type { Transport, TransportInfo } from './transport.js';

/** The part of a Node `Writable` (or anything shaped like it) a split transport uses. */
export interface WritableLike {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(callback?: () => void): unknown;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

/** Facts one half knows about itself: a `TransportInfo` without `kind`. */
export type HalfInfo = Omit<Partial<TransportInfo>, 'kind'> & { readonly [fact: string]: unknown };

/** Options of {@link splitTransport}. */
export interface SplitTransportOptions {
  /** Where the peer's bytes come from: a `ReadableStream`, or any async iterable of `Uint8Array`s (a Node `Readable`). */
  readonly reader: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
  /**
   * Where our bytes go: a `WritableStream`, a Node `Writable` (or alike), or a function (its Promise, if any, is the
   * backpressure; a function has no end to signal, so `close()` ends nothing for it).
   */
  readonly writer: WritableStream<Uint8Array> | WritableLike | ((bytes: Uint8Array) => void | Promise<void>);
  /**
   * Facts about each half, on top of what the halves say about themselves (`fd`, `remoteAddress`, `remotePort`,
   * `localAddress`, `localPort` properties, as Node sockets and file streams have).
   */
  readonly info?: { readonly reader?: HalfInfo; readonly writer?: HalfInfo };
}

const FACTS = ['fd', 'remoteAddress', 'remotePort', 'localAddress', 'localPort'] as const;

/** The facts an object states about itself, as Node sockets and streams name them. */
function ownFacts(half: object): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  for (const name of FACTS) {
    const value = (half as Record<string, unknown>)[name];
    if ((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isInteger(value))) facts[name] = value;
  }
  return facts;
}

/**
 * The merge rule: the reader's facts win where both halves have one; `fd` only when both have the same.
 * Exported for the README's example and its test.
 */
export function mergeHalfInfo(reader: HalfInfo, writer: HalfInfo, kinds: { reader: string; writer: string }): TransportInfo {
  const merged: Record<string, unknown> = { ...writer, ...dropUndefined(reader) };
  delete merged.fd;
  if (reader.fd !== undefined && reader.fd === writer.fd) merged.fd = reader.fd;
  return { ...merged, kind: 'split', readerKind: kinds.reader, writerKind: kinds.writer };
}

function dropUndefined(facts: HalfInfo): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined));
}

/** A plain view of a chunk (a Node Buffer becomes a Uint8Array over the same bytes). */
function asBytes(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw new InvalidArgumentError('reader', 'INVALID_ARGUMENT', `must yield Uint8Arrays, got ${chunk === null ? 'null' : typeof chunk}`);
  }
  return chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

type Half<T> = { readonly kind: string; readonly run: T };

function readerHalf(reader: SplitTransportOptions['reader']): Half<() => Promise<Uint8Array | null>> {
  if (typeof (reader as ReadableStream<Uint8Array>)?.getReader === 'function') {
    const streamReader = (reader as ReadableStream<Uint8Array>).getReader();
    return {
      kind: 'readable-stream',
      run: async () => {
        const { value, done } = await streamReader.read();
        return done ? null : asBytes(value);
      },
    };
  }
  if (typeof (reader as AsyncIterable<Uint8Array>)?.[Symbol.asyncIterator] === 'function') {
    const iterator = (reader as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    return {
      kind: 'async-iterable',
      run: async () => {
        const { value, done } = await iterator.next();
        return done ? null : asBytes(value);
      },
    };
  }
  throw new InvalidArgumentError('reader', 'INVALID_ARGUMENT', 'must be a ReadableStream or an async iterable (a Node Readable)');
}

interface WriterHalf {
  readonly kind: string;
  write(bytes: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

function writerHalf(writer: SplitTransportOptions['writer']): WriterHalf {
  if (typeof writer === 'function') {
    return { kind: 'function', write: async (bytes) => writer(bytes), end: async () => {} };
  }
  if (typeof (writer as WritableStream<Uint8Array>)?.getWriter === 'function') {
    const streamWriter = (writer as WritableStream<Uint8Array>).getWriter();
    return { kind: 'writable-stream', write: (bytes) => streamWriter.write(bytes), end: () => streamWriter.close() };
  }
  const node = writer as WritableLike;
  if (typeof node?.write === 'function' && typeof node.end === 'function' && typeof node.once === 'function') {
    return { kind: 'node-writable', write: (bytes) => writeNode(node, bytes), end: () => new Promise((resolve) => void node.end(() => resolve())) };
  }
  throw new InvalidArgumentError('writer', 'INVALID_ARGUMENT', 'must be a WritableStream, a Node Writable or a function');
}

/** ws-style backpressure: resolves at once while the Writable has room, else on 'drain'; rejects on its error. */
function writeNode(node: WritableLike, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error?: Error | null) => {
      if (failed) return;
      failed = true;
      cleanup();
      reject(error ?? new Error('the writer closed before its buffer drained'));
    };
    const onError = (error: unknown) => fail(error as Error);
    const onClose = () => fail(null);
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      node.off('drain', onDrain);
      node.off('error', onError);
      node.off('close', onClose);
    };
    let room: boolean;
    try {
      room = node.write(bytes, (error) => {
        if (error) fail(error);
      });
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (room) {
      if (!failed) resolve();
      return;
    }
    node.once('drain', onDrain);
    node.once('error', onError);
    node.once('close', onClose);
  });
}

/**
 * A {@link Transport} reading from one object and writing to another. `close()` ends the writer (a half-close: the
 * reader goes on until its own end); a failure of either half reaches the driver, which reports it as `SysCallError`
 * with the half's error as `cause`. `info()` follows the merge rule above: `{ kind: 'split', readerKind, writerKind,
 * ...facts }`.
 *
 * @example
 * // TLS through a child process: its stdout is our reader, its stdin our writer.
 * const child = spawn('socat', ['-', 'TCP:db.internal:5433']);
 * const transport = splitTransport({ reader: child.stdout, writer: child.stdin });
 * const stream = secure(transport, context, { serverHostname: 'db.internal' });
 *
 * @throws {InvalidArgumentError} when `reader` or `writer` is none of the accepted kinds; later, when the reader
 *   yields something that is not a `Uint8Array`.
 */
export function splitTransport(options: SplitTransportOptions): Transport {
  const read = readerHalf(options.reader);
  const write = writerHalf(options.writer);
  const readerFacts: HalfInfo = { ...ownFacts(options.reader), ...options.info?.reader };
  const writerFacts: HalfInfo = { ...ownFacts(options.writer as object), ...options.info?.writer };
  let ended: Promise<void> | undefined;
  return {
    read: read.run,
    write: (bytes) => {
      if (ended !== undefined) return Promise.reject(new SysCallError('write after close()', { reason: 'PROTOCOL_IS_SHUTDOWN' }));
      return write.write(bytes);
    },
    close: () => (ended ??= write.end()),
    info: () => mergeHalfInfo(readerFacts, writerFacts, { reader: read.kind, writer: write.kind }),
  };
}
