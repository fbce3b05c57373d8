import type { Transport, TransportInfo } from '@tlsbio/core';

/**
 * One direction of an in-memory pair: a queue of chunks with a single pending reader.
 * Writes never block here; flow control belongs to the layer above (the async driver).
 */
class Channel {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private waiting: ((chunk: Uint8Array | null) => void) | undefined;

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('write after close');
    if (chunk.length === 0) return;
    // Copy: the writer may reuse its buffer once write() resolves, as with a socket.
    const copy = chunk.slice();
    const waiter = this.waiting;
    if (waiter) {
      this.waiting = undefined;
      waiter(copy);
    } else this.chunks.push(copy);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const waiter = this.waiting;
    this.waiting = undefined;
    waiter?.(null);
  }

  pull(): Promise<Uint8Array | null> {
    const chunk = this.chunks.shift();
    if (chunk) return Promise.resolve(chunk);
    if (this.ended) return Promise.resolve(null);
    if (this.waiting) return Promise.reject(new Error('read() called while another read() is pending'));
    return new Promise((resolve) => (this.waiting = resolve));
  }

  get closed(): boolean {
    return this.ended;
  }
}

class MemoryTransport implements Transport {
  constructor(
    private readonly incoming: Channel,
    private readonly outgoing: Channel,
    private readonly facts: TransportInfo,
  ) {}

  read(): Promise<Uint8Array | null> {
    return this.incoming.pull();
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.outgoing.push(bytes);
  }

  async close(): Promise<void> {
    this.outgoing.end();
  }

  info(): TransportInfo {
    return this.facts;
  }
}

let pairs = 0;

/**
 * Two connected in-memory transports: what one writes, the other reads, in order. `close()` on one side ends the
 * other side's reads with `null` (a half-close: the closing side can still read).
 *
 * @example
 * const [client, server] = createPair();
 * await client.write(new TextEncoder().encode('hello'));
 * await server.read(); // Uint8Array of 'hello'
 */
export function createPair(): [Transport, Transport] {
  const id = ++pairs;
  const toServer = new Channel();
  const toClient = new Channel();
  return [
    new MemoryTransport(toClient, toServer, { kind: 'memory', pair: id, side: 'client' }),
    new MemoryTransport(toServer, toClient, { kind: 'memory', pair: id, side: 'server' }),
  ];
}
