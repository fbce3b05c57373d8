/**
 * Records on the wire, opened and re-sealed with the key log's secrets, for tests that tamper with what one side
 * sends before the other reads it (the bad-input suite and the mutation fuzzer).
 */
import type { AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { nextTrafficSecret, trafficKeys } from '../../src/keyschedule/index.js';
import { ContentType, HandshakeType } from '../../src/msgs/index.js';
import { HandshakeReassembler } from '../../src/record/index.js';
import type { CipherSuite } from '../../src/suites.js';

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

export interface WireRecord {
  readonly type: number;
  readonly version: number;
  readonly fragment: Uint8Array;
}

/** Splits well-formed bytes into records; no limits (the bytes are our own captures). */
export function parseRecords(bytes: Uint8Array): WireRecord[] {
  const records: WireRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 5) throw new Error('parseRecords: truncated header');
    const length = (bytes[pos + 3]! << 8) | bytes[pos + 4]!;
    if (bytes.length - pos - 5 < length) throw new Error('parseRecords: truncated record');
    records.push({ type: bytes[pos]!, version: (bytes[pos + 1]! << 8) | bytes[pos + 2]!, fragment: bytes.slice(pos + 5, pos + 5 + length) });
    pos += 5 + length;
  }
  return records;
}

/** One record, header and all, with no check on the length: oversized records are the point of some tests. */
export function frame(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concat(new Uint8Array([type, version >>> 8, version & 0xff, (fragment.length >>> 8) & 0xff, fragment.length & 0xff]), fragment);
}

/** One direction's AEAD key and IV (RFC 8446 §7.3), sealing raw inner plaintexts so that tests can break every rule. */
export class RecordKeys {
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  readonly #tagLength: number;

  constructor(provider: CryptoProvider, suite: CipherSuite, secret: Uint8Array) {
    const aead = provider.aeads[suite.aead]!;
    const { key, iv } = trafficKeys(provider.hashes[suite.hash]!, aead.keyLength, secret);
    this.#key = aead.importKey(key);
    this.#iv = iv;
    this.#tagLength = aead.tagLength;
  }

  /** RFC 8446 §5.3: the IV XOR the 64-bit sequence number. */
  #nonce(seq: number): Uint8Array {
    const nonce = this.#iv.slice();
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Math.floor(seq / 2 ** (8 * i)) & 0xff;
    return nonce;
  }

  /** Seals TLSInnerPlaintext `inner` exactly as given, sizes unchecked (RFC 8446 §5.2). */
  sealInner(seq: number, inner: Uint8Array): Uint8Array {
    const length = inner.length + this.#tagLength;
    const header = new Uint8Array([ContentType.application_data, 0x03, 0x03, (length >>> 8) & 0xff, length & 0xff]);
    return concat(header, this.#key.seal(this.#nonce(seq), inner, header));
  }

  seal(seq: number, type: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.sealInner(seq, concat(content, new Uint8Array([type]), new Uint8Array(padding)));
  }

  open(seq: number, record: WireRecord): { type: number; content: Uint8Array; padding: number } {
    const { fragment } = record;
    const header = new Uint8Array([record.type, record.version >>> 8, record.version & 0xff, fragment.length >>> 8, fragment.length & 0xff]);
    const inner = this.#key.open(this.#nonce(seq), fragment, header);
    if (inner === null) throw new Error(`RecordKeys.open: record ${seq} does not authenticate`);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    return { type: inner[end]!, content: inner.slice(0, end), padding: inner.length - 1 - end };
  }
}

/** A record as the tap sees it: plaintext (epoch -1) or opened under epoch `epoch` of its direction's keys. */
export interface Logical {
  readonly type: number;
  readonly content: Uint8Array;
  /** -1 for a plaintext record; 0 for the handshake keys, 1 for traffic secret 0, n + 1 after n KeyUpdates. */
  readonly epoch: number;
  readonly seq: number;
  readonly padding: number;
  /** Header version of a plaintext record (the first ClientHello says 0x0301); 0x0303 when absent. */
  readonly version?: number;
}

/**
 * Follows the keys of one direction the way its receiver does: plaintext until the first protected record, the
 * handshake traffic keys until the sender's Finished, then traffic secret 0 and one more per KeyUpdate (RFC 8446 §7).
 */
export class DirectionTap {
  readonly #secrets: Uint8Array[] = [];
  readonly #keys: RecordKeys[] = [];
  readonly #reassembler = new HandshakeReassembler({ maxMessageSize: 0xffffff });
  #epoch = -1;
  #seq = 0;

  constructor(
    private readonly provider: CryptoProvider,
    private readonly suite: CipherSuite,
    private readonly sender: 'CLIENT' | 'SERVER',
    private readonly keylog: ReadonlyMap<string, Uint8Array>,
  ) {}

  /** The keys of `epoch` (derived on first use: the key log must hold the secret by then). */
  keys(epoch: number): RecordKeys {
    const hash = this.provider.hashes[this.suite.hash]!;
    while (this.#keys.length <= epoch) {
      const n = this.#keys.length;
      const label = n === 0 ? `${this.sender}_HANDSHAKE_TRAFFIC_SECRET` : `${this.sender}_TRAFFIC_SECRET_0`;
      const secret = n <= 1 ? this.keylog.get(label) : nextTrafficSecret(hash, this.#secrets[n - 1]!);
      if (secret === undefined) throw new Error(`DirectionTap: no ${label} in the key log yet`);
      this.#secrets.push(secret);
      this.#keys.push(new RecordKeys(this.provider, this.suite, secret));
    }
    return this.#keys[epoch]!;
  }

  /** Decodes the next bytes of this direction; advances the tap's keys and sequence numbers. */
  decode(bytes: Uint8Array): Logical[] {
    const out: Logical[] = [];
    for (const record of parseRecords(bytes)) {
      if (record.type !== ContentType.application_data) {
        out.push({ type: record.type, content: record.fragment, epoch: -1, seq: -1, padding: 0, version: record.version });
        continue;
      }
      if (this.#epoch < 0) this.#epoch = 0;
      const opened = this.keys(this.#epoch).open(this.#seq, record);
      out.push({ ...opened, epoch: this.#epoch, seq: this.#seq, version: record.version });
      this.#seq++;
      if (opened.type !== ContentType.handshake) continue;
      this.#reassembler.push(opened.content);
      let rekey = false;
      for (let m = this.#reassembler.next(); m !== null; m = this.#reassembler.next()) {
        if (m.type === HandshakeType.finished || m.type === HandshakeType.key_update) rekey = true;
      }
      if (rekey) {
        this.#epoch++;
        this.#seq = 0;
      }
    }
    return out;
  }

  /** Where the tap stands: the epoch and sequence number of the next protected record. */
  get next(): { epoch: number; seq: number } {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /**
   * Re-encodes `records`, protected ones sealed under their epoch with sequence numbers renumbered from `start` for
   * the epochs it names, else from the first record of each epoch (so records may be added, split or removed).
   */
  encode(records: readonly Logical[], start: ReadonlyMap<number, number> = new Map()): Uint8Array {
    const seqs = new Map(start);
    for (const record of records) if (record.epoch >= 0 && !seqs.has(record.epoch)) seqs.set(record.epoch, record.seq);
    return concat(
      ...records.map((record) => {
        if (record.epoch < 0) return frame(record.type, record.content, record.version);
        const seq = seqs.get(record.epoch)!;
        seqs.set(record.epoch, seq + 1);
        return this.keys(record.epoch).seal(seq, record.type, record.content, record.padding);
      }),
    );
  }
}

/**
 * The same records with every handshake record that holds several whole messages split into one record per message
 * (the engine coalesces a flight into as few records as fit; tests that edit one message at a time want one each).
 * Sequence numbers are left to {@link DirectionTap.encode}, which renumbers each epoch from its first record.
 */
export function oneMessagePerRecord(records: readonly Logical[]): Logical[] {
  const out: Logical[] = [];
  for (const record of records) {
    if (record.type !== ContentType.handshake) {
      out.push(record);
      continue;
    }
    const content = record.content;
    let offset = 0;
    const pieces: Uint8Array[] = [];
    while (offset + 4 <= content.length) {
      const length = (content[offset + 1]! << 16) | (content[offset + 2]! << 8) | content[offset + 3]!;
      if (offset + 4 + length > content.length) break; // a fragment: keep the rest as it is
      pieces.push(content.slice(offset, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < content.length) pieces.push(content.slice(offset));
    pieces.forEach((piece, i) => out.push({ ...record, content: piece, seq: record.seq < 0 ? record.seq : record.seq + i, padding: i === pieces.length - 1 ? record.padding : 0 }));
  }
  return out;
}
