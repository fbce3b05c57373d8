import { InvalidArgumentError } from '@tlsbio/errors';
import { remoteError } from './common.js';

/** `HandshakeType msg_type; uint24 length;` (RFC 8446 §4). */
const HEADER_LENGTH = 4;
/** Most a handshake body can be: the uint24 length field's range. */
const MAX_BODY_LENGTH = 0xffffff;
/** The queue of an empty reassembler, shared (frozen: never written); an idle connection holds no list of its own. */
const NO_MESSAGES: HandshakeMessage[] = Object.freeze([]) as unknown as HandshakeMessage[];

/**
 * Default {@link HandshakeReassembler.maxMessageSize}: 64 KiB of body. Enough for real certificate chains (a
 * chain of three 4096-bit RSA certificates is a few KiB; Go's crypto/tls also stops at 64 KiB) while bounding what a peer can
 * make us hold to one such message. The context's `limits.maxHandshakeMessageSize` overrides it per connection.
 */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 65536;

/** One handshake message as received. */
export interface HandshakeMessage {
  readonly type: number;
  /** The body, without the 4-byte header. */
  readonly body: Uint8Array;
  /** Header + body exactly as received, for the transcript. `body` is a view of it. */
  readonly raw: Uint8Array;
}

/** Options of {@link HandshakeReassembler}. */
export interface HandshakeReassemblerOptions {
  /** Largest body length accepted, in bytes (the header's uint24 length). Default {@link DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE}. */
  maxMessageSize?: number;
}

/**
 * Reassembles handshake messages from the fragments of handshake records (RFC 8446 §5.1, RFC 5246 §6.2.1): several
 * messages may share a record, and one message may span many records.
 *
 * A message that arrives whole within one fragment comes out as a view of that fragment (no copy). A message split
 * across fragments is copied, once, into an array of exactly its size, allocated when its header is complete, so a
 * message is never buffered unless its declared length is within {@link maxMessageSize}.
 *
 * @example
 * reassembler.push(fragment);
 * for (let message = reassembler.next(); message !== null; message = reassembler.next()) {
 *   transcript.update(message.raw);
 *   handle(message.type, message.body);
 * }
 */
export class HandshakeReassembler {
  #maxMessageSize: number;
  /** Complete messages not yet taken, from `#queueHead` on. */
  #queue: HandshakeMessage[] = NO_MESSAGES;
  #queueHead = 0;
  #queuedBytes = 0;
  /** Header bytes of a message whose header is split across fragments (made when one is: rare, and idle costs). */
  #header: Uint8Array | null = null;
  #headerFilled = 0;
  /** The message being assembled once its header is known (header included), and how much of it is filled. */
  #partial: Uint8Array | null = null;
  #partialFilled = 0;

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `maxMessageSize` is not an integer in 0..2^24-1. */
  constructor(options: HandshakeReassemblerOptions = {}) {
    this.#maxMessageSize = checkMaxMessageSize(options.maxMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE);
  }

  /** Largest body length accepted; applies to headers seen from now on. */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` when not an integer in 0..2^24-1. */
  set maxMessageSize(value: number) {
    this.#maxMessageSize = checkMaxMessageSize(value);
  }

  /**
   * True while part of a message is buffered. The engine refuses non-handshake records then (RFC 8446 §5.1: no
   * interleaving), and a key change (RFC 8446 §5.1: a message must not span one; check {@link buffered} there, which
   * also counts complete messages not yet taken).
   */
  get hasPartial(): boolean {
    return this.#headerFilled > 0 || this.#partial !== null;
  }

  /** Bytes held: the partial message plus complete messages not yet taken with {@link next}. */
  get buffered(): number {
    return this.#queuedBytes + this.#headerFilled + this.#partialFilled;
  }

  /**
   * Adds the content of one handshake record. `fragment` is kept by reference (messages that lie within it are
   * views of it): the caller must not change it afterwards.
   * @throws {ProtocolError} `EXCESSIVE_MESSAGE_SIZE` (illegal_parameter) as soon as a header declares a body longer
   *   than {@link maxMessageSize}; nothing of that message is buffered.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `fragment` is not a `Uint8Array`.
   */
  push(fragment: Uint8Array): void {
    if (!(fragment instanceof Uint8Array)) {
      throw new InvalidArgumentError('fragment', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    }
    const end = fragment.length;
    let pos = 0;
    while (pos < end) {
      const partial = this.#partial;
      if (partial !== null) {
        // Continue the message in progress.
        const take = Math.min(partial.length - this.#partialFilled, end - pos);
        partial.set(fragment.subarray(pos, pos + take), this.#partialFilled);
        this.#partialFilled += take;
        pos += take;
        if (this.#partialFilled === partial.length) {
          this.#partial = null;
          this.#partialFilled = 0;
          this.#enqueue(partial);
        }
        continue;
      }
      if (this.#headerFilled > 0 || end - pos < HEADER_LENGTH) {
        // A header split across fragments: collect its bytes first.
        const take = Math.min(HEADER_LENGTH - this.#headerFilled, end - pos);
        const header = (this.#header ??= new Uint8Array(HEADER_LENGTH));
        header.set(fragment.subarray(pos, pos + take), this.#headerFilled);
        this.#headerFilled += take;
        pos += take;
        if (this.#headerFilled === HEADER_LENGTH) {
          const length = this.#checkLength(header, 0);
          this.#headerFilled = 0;
          this.#startPartial(header, length);
        }
        continue;
      }
      // A header within this fragment.
      const length = this.#checkLength(fragment, pos);
      const total = HEADER_LENGTH + length;
      if (end - pos >= total) {
        // The whole message is here: a view, no copy.
        this.#enqueue(fragment.subarray(pos, pos + total));
        pos += total;
      } else {
        this.#startPartial(fragment.subarray(pos, pos + HEADER_LENGTH), length);
        pos += HEADER_LENGTH;
      }
    }
  }

  /** The next complete message, or `null` when none is complete yet. */
  next(): HandshakeMessage | null {
    if (this.#queueHead === this.#queue.length) return null;
    const message = this.#queue[this.#queueHead++]!;
    this.#queuedBytes -= message.raw.length;
    if (this.#queueHead === this.#queue.length) {
      this.#queue = NO_MESSAGES; // an idle connection holds no list
      this.#queueHead = 0;
    }
    return message;
  }

  /** Reads the uint24 length of the header at `offset` and enforces the size limit. */
  #checkLength(bytes: Uint8Array, offset: number): number {
    const length = (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (length > this.#maxMessageSize) {
      // A memory guard (Go's maxHandshake, OpenSSL's max_cert_list): refuse before buffering any of it.
      const type = bytes[offset]!;
      throw remoteError('EXCESSIVE_MESSAGE_SIZE', `handshake message of type ${type} declares ${length} bytes, over the ${this.#maxMessageSize}-byte limit`);
    }
    return length;
  }

  /** Allocates the message whose 4-byte `header` has been read; a body of 0 bytes completes it at once. */
  #startPartial(header: Uint8Array, length: number): void {
    const message = new Uint8Array(HEADER_LENGTH + length);
    message.set(header, 0);
    if (length === 0) {
      this.#enqueue(message);
      return;
    }
    this.#partial = message;
    this.#partialFilled = HEADER_LENGTH;
  }

  #enqueue(raw: Uint8Array): void {
    const message = { type: raw[0]!, body: raw.subarray(HEADER_LENGTH), raw };
    if (this.#queue === NO_MESSAGES) this.#queue = [message];
    else this.#queue.push(message);
    this.#queuedBytes += raw.length;
  }
}

function checkMaxMessageSize(value: number): number {
  if (!(Number.isInteger(value) && value >= 0 && value <= MAX_BODY_LENGTH)) {
    throw new InvalidArgumentError('maxMessageSize', 'INVALID_ARGUMENT', `must be an integer in 0..${MAX_BODY_LENGTH}, got ${value}`);
  }
  return value;
}
