/**
 * The byte channel under a TLS connection (DESIGN.md §6). Transport packages implement it (and `splitTransport()`
 * makes one of two halves); the async driver `secure()` moves bytes between it and a connection's BIO pair. It is
 * explicit on purpose: there is no
 * implicit pass-through to an underlying socket's methods — whatever a caller may ask about the channel is in
 * {@link TransportInfo}.
 */
export interface Transport {
  /**
   * The next bytes from the peer, or `null` once the peer has ended its side of the stream. The bytes are handed
   * over: the transport must not change them (or the memory under them) afterwards, since the driver queues them
   * without a copy. A fresh buffer per read, as Node sockets, WebSocket messages and streams deliver them, is that.
   */
  read(): Promise<Uint8Array | null>;
  /** Sends bytes; resolves when the transport has accepted them (its backpressure is this Promise). */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends our side (a half-close: reads may go on until the peer's end) and releases what we hold. Idempotent. */
  close(): Promise<void>;
  /** Facts about the channel, for logging and for `getpeername`-style questions. */
  info(): TransportInfo;
}

export interface TransportInfo {
  /** A short name of the kind of channel: `'tcp'`, `'websocket'`, `'memory'`, `'split'`. */
  readonly kind: string;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** The OS file descriptor, when there is exactly one behind both directions. */
  readonly fd?: number;
  /** Anything else a transport wants to say (a WebSocket URL, a test pair's id). */
  readonly [fact: string]: unknown;
}
