/**
 * The running transcript hash of a TLS 1.3 handshake (RFC 8446 §4.4.1).
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import type { HashAlgorithm, RunningHash } from '../crypto/provider.js';

/** HandshakeType message_hash, the synthetic message that stands for ClientHello1 after a HelloRetryRequest. */
const MESSAGE_HASH = 254;
/** The held messages once hashed or released: shared (frozen: never written), so a finished transcript holds no list. */
const NO_MESSAGES: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

function misuse(message: string): ProtocolError {
  return new ProtocolError('INTERNAL_ERROR', `transcript: ${message}`, { fault: 'local' });
}

/**
 * The running transcript hash (RFC 8446 §4.4.1): the hash of every handshake message so far, header included, in the
 * order sent. Reading it forks the running hash, so it costs one state copy, not a rehash.
 *
 * A client sends its ClientHello before the cipher suite, and so the hash, is chosen: until {@link selectHash}, the
 * messages are kept and fed to the hash once it is known.
 *
 * Misuse by the engine (reading before the hash is chosen, choosing two different hashes, a misplaced
 * {@link replaceWithMessageHash}) throws `ProtocolError('INTERNAL_ERROR', …, { fault: 'local' })`.
 *
 * @example
 * const transcript = new Transcript();
 * transcript.add(clientHello);                 // kept until the hash is known
 * transcript.selectHash(provider.hashes.sha256!);
 * transcript.add(serverHello);
 * const helloHash = transcript.current();      // Transcript-Hash(ClientHello, ServerHello)
 */
export class Transcript {
  #hash: HashAlgorithm | undefined;
  #running: RunningHash | undefined;
  /** Messages added before the hash was chosen (copies: the caller may reuse its buffers). */
  #pending: Uint8Array[] = [];
  /** How many messages the transcript holds, to check where message_hash may go. */
  #count = 0;
  /** Every message, kept once {@link retainMessages} asks (TLS 1.2 CertificateVerify signs them, not their hash). */
  #retained: Uint8Array[] | undefined;
  #released = false;

  constructor(hash?: HashAlgorithm) {
    if (hash !== undefined) this.selectHash(hash);
  }

  /** The hash in use, once chosen. */
  get hash(): HashAlgorithm | undefined {
    return this.#hash;
  }

  /** How many handshake messages the transcript holds (message_hash counts as one). */
  get messageCount(): number {
    return this.#count;
  }

  /**
   * Chooses the hash (the cipher suite's, RFC 8446 §4.4.1) and feeds it the messages added so far. Choosing the same
   * hash again does nothing, so both the first ServerHello and a HelloRetryRequest may call it.
   * @throws ProtocolError (`INTERNAL_ERROR`, local) when a different hash was already chosen.
   */
  selectHash(hash: HashAlgorithm): void {
    this.#live('selectHash');
    if (this.#hash !== undefined) {
      if (this.#hash === hash || this.#hash.name === hash.name) return;
      throw misuse(`the hash is already ${this.#hash.name}, cannot switch to ${hash.name}`);
    }
    this.#hash = hash;
    const running = hash.create();
    for (const message of this.#pending) running.update(message);
    this.#pending = NO_MESSAGES;
    this.#running = running;
  }

  /**
   * The handshake is over: frees the running hash and any messages held. An idle connection then keeps no hash
   * state (a native hash context with the node provider). Every later use is engine misuse.
   */
  release(): void {
    this.#released = true;
    this.#running = undefined;
    this.#pending = NO_MESSAGES;
    this.#retained = undefined;
  }

  /**
   * Adds a full handshake message, 4-byte header included (RFC 8446 §4.4.1).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) after {@link release}.
   */
  add(rawMessage: Uint8Array): void {
    this.#live('add');
    if (this.#running !== undefined) this.#running.update(rawMessage);
    else this.#pending.push(rawMessage.slice());
    this.#retained?.push(this.#running === undefined ? this.#pending[this.#pending.length - 1]! : rawMessage.slice());
    this.#count++;
  }

  /**
   * From now on keeps every message, and those held so far, for {@link messages}: TLS 1.2's CertificateVerify signs
   * handshake_messages themselves (RFC 5246 §7.4.8). Call before {@link selectHash}, while the ClientHello is held.
   * @throws ProtocolError (`INTERNAL_ERROR`, local) after selectHash (the early messages are gone).
   */
  retainMessages(): void {
    if (this.#retained !== undefined) return;
    if (this.#running !== undefined) throw misuse('retainMessages() after selectHash()');
    this.#retained = [...this.#pending];
  }

  /** The concatenation of every message since {@link retainMessages}. */
  messages(): Uint8Array {
    this.#live('messages');
    const parts = this.#retained ?? [];
    const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  /**
   * Transcript-Hash of everything added so far. Forks the running hash: the transcript goes on unchanged.
   * @throws ProtocolError (`INTERNAL_ERROR`, local) before {@link selectHash}.
   */
  current(): Uint8Array {
    this.#selected('current');
    return this.#running!.fork().digest();
  }

  /**
   * An independent copy that goes on from here: post-handshake authentication hashes the handshake's transcript
   * followed by its own messages, once per request (RFC 8446 §4.4.1, §4.6.2).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) before {@link selectHash}.
   */
  fork(): Transcript {
    const hash = this.#selected('fork');
    const copy = new Transcript();
    copy.#hash = hash;
    copy.#running = this.#running!.fork();
    copy.#count = this.#count;
    return copy;
  }

  /**
   * HelloRetryRequest (RFC 8446 §4.4.1): replaces ClientHello1 with the synthetic message
   * `message_hash(254) || 00 00 Hash.length || Hash(ClientHello1)`. Call it after adding ClientHello1, with the hash
   * selected, and before adding the HelloRetryRequest.
   * @throws ProtocolError (`INTERNAL_ERROR`, local) before {@link selectHash}, or unless the transcript holds exactly
   *   one message (ClientHello1).
   */
  replaceWithMessageHash(): void {
    const hash = this.#selected('replaceWithMessageHash');
    if (this.#count !== 1) {
      const held = `it holds ${this.#count} messages`;
      throw misuse(`replaceWithMessageHash() needs exactly ClientHello1 in the transcript, ${held}`);
    }
    const clientHello1Hash = this.#running!.digest();
    const synthetic = new Uint8Array(4 + clientHello1Hash.length);
    synthetic[0] = MESSAGE_HASH;
    // uint24 length = Hash.length (at most 64, so the two high bytes are zero)
    synthetic[3] = clientHello1Hash.length;
    synthetic.set(clientHello1Hash, 4);
    const running = hash.create();
    running.update(synthetic);
    this.#running = running;
  }

  /**
   * Transcript-Hash of the transcript followed by `extra`, without changing the transcript: the hash a PSK binder
   * covers, with `extra` the ClientHello truncated before its binders (RFC 8446 §4.2.11.2).
   *
   * Before {@link selectHash} (the client's first ClientHello, whose suite is not known yet), pass the PSK's hash as
   * `hash`: the messages kept so far and `extra` are hashed with it. After, `hash` may be omitted and must otherwise
   * be the selected one (after a HelloRetryRequest only PSKs of the suite's hash can be offered, §4.1.4).
   * @throws ProtocolError (`INTERNAL_ERROR`, local) without any hash to use, or with a `hash` other than the selected
   *   one.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `extra` is not a Uint8Array.
   */
  currentWith(extra: Uint8Array, hash?: HashAlgorithm): Uint8Array {
    if (!(extra instanceof Uint8Array)) {
      throw new InvalidArgumentError('extra', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    }
    this.#live('currentWith');
    if (this.#running !== undefined) {
      if (hash !== undefined && hash !== this.#hash && hash.name !== this.#hash!.name) {
        throw misuse(`currentWith() with ${hash.name}, but the transcript hash is ${this.#hash!.name}`);
      }
      const forked = this.#running.fork();
      forked.update(extra);
      return forked.digest();
    }
    if (hash === undefined) throw misuse('currentWith() before selectHash() needs the hash to use');
    const running = hash.create();
    for (const message of this.#pending) running.update(message);
    running.update(extra);
    return running.digest();
  }

  #live(method: string): void {
    if (this.#released) throw misuse(`${method}() after release()`);
  }

  #selected(method: string): HashAlgorithm {
    this.#live(method);
    if (this.#hash === undefined) throw misuse(`${method}() before selectHash()`);
    return this.#hash;
  }
}
