/**
 * Server ticket protection: the keys that seal what a server needs to resume a session into the opaque ticket it
 * hands the client (RFC 8446 §4.6.1, RFC 5077 §4, whose recommended layout this follows).
 *
 * From each 32-byte secret, HKDF-SHA256 derives a 16-byte key name and an AES-256-GCM key. A ticket is
 * `key_name(16) ‖ nonce(12) ‖ AEAD(plaintext, aad = key_name)`: sealing uses the first (current) key; opening finds
 * the key the ticket names among all of them, so that after a rotation tickets sealed under the previous keys still
 * open while those keys are listed. Several servers given the same secrets open each other's tickets.
 *
 * Nonces are random: AES-GCM then stays within its bounds for 2^32 tickets per key (NIST SP 800-38D §8.3), which a
 * server rotating its keys never comes near.
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { hkdfExpand, hkdfExtract } from '../crypto/hkdf.js';
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';

/** Bytes of each secret given to `context.setTicketKeys()`. */
export const TICKET_KEY_LENGTH = 32;
/** Most secrets a context holds at once (the current one and its predecessors). */
export const MAX_TICKET_KEYS = 16;
const KEY_NAME_LENGTH = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

const textEncoder = new TextEncoder();
const SALT = textEncoder.encode('tlsbio ticket keys v1');
const NAME_INFO = textEncoder.encode('key name');
const AEAD_INFO = textEncoder.encode('aead key');

/**
 * What protects a server's tickets (rustls's `ProducesTickets`): `seal` turns the session state into the opaque
 * ticket the client holds; `open` gives the state back, or `undefined` for a ticket it did not make (a full handshake
 * follows). {@link TicketKeys} is the built-in one; an application may bring its own (a key service, or a
 * server-side session cache whose tickets are only lookup keys). Both run during a handshake and must not throw.
 */
export interface TicketSealer {
  seal(plaintext: Uint8Array): Uint8Array;
  open(ticket: Uint8Array): Uint8Array | undefined;
  /**
   * Optional: whether `ticket` (one that opened) was sealed under the key `seal` uses now. `false` makes a TLS 1.2
   * server renew the ticket in the abbreviated handshake (RFC 5077 §3.3); without this method tickets are not renewed.
   */
  isCurrent?(ticket: Uint8Array): boolean;
}

interface TicketKey {
  readonly name: Uint8Array;
  readonly aead: AeadKey;
}

/** A server context's ticket keys, current first. */
export class TicketKeys implements TicketSealer {
  readonly #provider: CryptoProvider;
  readonly #keys: readonly TicketKey[];

  /**
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` unless `secrets` holds 1..16 Uint8Arrays of 32 bytes;
   *   `UNSUPPORTED_ALGORITHM` when the provider lacks SHA-256 or AES-256-GCM.
   */
  constructor(provider: CryptoProvider, secrets: readonly Uint8Array[]) {
    if (!Array.isArray(secrets) || secrets.length === 0 || secrets.length > MAX_TICKET_KEYS) {
      throw new InvalidArgumentError('keys', 'INVALID_ARGUMENT', `must be an array of 1..${MAX_TICKET_KEYS} keys, the current one first`);
    }
    const hash = provider.hashes.sha256;
    const aead = provider.aeads.aes_256_gcm;
    if (hash === undefined || aead === undefined) {
      throw new InvalidArgumentError('keys', 'UNSUPPORTED_ALGORITHM', `the ${provider.name} provider lacks SHA-256 or AES-256-GCM`);
    }
    this.#provider = provider;
    this.#keys = secrets.map((secret, i) => {
      if (!(secret instanceof Uint8Array) || secret.length !== TICKET_KEY_LENGTH) {
        throw new InvalidArgumentError(`keys[${i}]`, 'INVALID_ARGUMENT', `must be a Uint8Array of ${TICKET_KEY_LENGTH} bytes`);
      }
      const prk = hkdfExtract(hash, SALT, secret);
      const key = { name: hkdfExpand(hash, prk, NAME_INFO, KEY_NAME_LENGTH), aead: aead.importKey(hkdfExpand(hash, prk, AEAD_INFO, aead.keyLength)) };
      prk.fill(0);
      return key;
    });
  }

  /** A fresh random key, for a context that was given none. */
  static random(provider: CryptoProvider): TicketKeys {
    return new TicketKeys(provider, [provider.randomBytes(TICKET_KEY_LENGTH)]);
  }

  /** Seals `plaintext` under the current key. */
  seal(plaintext: Uint8Array): Uint8Array {
    const { name, aead } = this.#keys[0]!;
    const nonce = this.#provider.randomBytes(NONCE_LENGTH);
    const sealed = aead.seal(nonce, plaintext, name);
    const ticket = new Uint8Array(KEY_NAME_LENGTH + NONCE_LENGTH + sealed.length);
    ticket.set(name, 0);
    ticket.set(nonce, KEY_NAME_LENGTH);
    ticket.set(sealed, KEY_NAME_LENGTH + NONCE_LENGTH);
    return ticket;
  }

  /**
   * Whether `ticket` names the current key (the one {@link seal} uses). A ticket that opened under a previous key is
   * worth replacing: TLS 1.2 renews it in the abbreviated handshake (RFC 5077 §3.3), before that key is dropped.
   */
  isCurrent(ticket: Uint8Array): boolean {
    return ticket.length >= KEY_NAME_LENGTH && sameName(this.#keys[0]!.name, ticket);
  }

  /**
   * The plaintext of a ticket one of our keys sealed, or `undefined` for anything else: too short, an unknown key
   * name (a rotated-out key, another server's), or a tag that does not verify (forged, truncated, altered).
   */
  open(ticket: Uint8Array): Uint8Array | undefined {
    if (ticket.length < KEY_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH) return undefined;
    const name = ticket.subarray(0, KEY_NAME_LENGTH);
    const key = this.#keys.find((candidate) => sameName(candidate.name, name));
    if (key === undefined) return undefined;
    const nonce = ticket.subarray(KEY_NAME_LENGTH, KEY_NAME_LENGTH + NONCE_LENGTH);
    return key.aead.open(nonce, ticket.subarray(KEY_NAME_LENGTH + NONCE_LENGTH), key.name) ?? undefined;
  }
}

/** Key names are public (they travel in the ticket): a plain comparison. */
function sameName(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < KEY_NAME_LENGTH; i++) if (a[i] !== b[i]) return false;
  return true;
}
