import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkMinLength, decodeError, illegalParameter, invalidArgument } from '../errors.js';

/** One key share (RFC 8446 §4.2.8): a group and its public value, `opaque key_exchange<1..2^16-1>`. */
export interface KeyShareEntry {
  group: number;
  /** A view of the extension body when decoded. */
  keyExchange: Uint8Array;
}

function readEntry(r: ByteReader): KeyShareEntry {
  const group = r.u16('group');
  const keyExchange = r.vector16('key_exchange').rest();
  // RFC 8446 §4.2.8: opaque key_exchange<1..2^16-1>.
  if (keyExchange.length === 0) throw decodeError(`key_share: empty key_exchange for group ${group}`);
  return { group, keyExchange };
}

function writeEntry(w: ByteWriter, entry: KeyShareEntry, argument: string): void {
  checkMinLength(entry.keyExchange, 1, `${argument}.keyExchange`);
  w.u16(entry.group, 'group');
  w.vector16((v) => v.bytes(entry.keyExchange, 'key_exchange'), 'key_exchange');
}

/**
 * Encodes a ClientHello key_share body, `KeyShareEntry client_shares<0..2^16-1>` (RFC 8446 §4.2.8), in preference
 * order. An empty list is legal (the client asks the server to pick a group through HelloRetryRequest).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for an empty keyExchange, a group outside 0..65535, or a repeated
 *   group; `LENGTH_OVERFLOW` for more than 65535 bytes.
 * @example
 * encodeKeyShareClient([{ group: NamedGroupId.x25519, keyExchange: share.publicKey }]);
 */
export function encodeKeyShareClient(entries: readonly KeyShareEntry[]): Uint8Array {
  const groups = new Set<number>();
  for (const { group } of entries) {
    if (groups.has(group)) throw invalidArgument('entries', `group ${group} appears twice (RFC 8446 §4.2.8)`);
    groups.add(group);
  }
  const w = new ByteWriter(64);
  w.vector16((list) => entries.forEach((entry, i) => writeEntry(list, entry, `entries[${i}]`)), 'client_shares');
  return w.finish();
}

/**
 * Decodes a ClientHello key_share body (RFC 8446 §4.2.8). Unknown and GREASE groups are carried; whether each share
 * matches supported_groups is the engine's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when an entry is truncated, a key_exchange is empty, or bytes trail it.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for two shares of one group: "Clients MUST NOT offer multiple
 *   KeyShareEntry values for the same group" and servers "MAY check for violations of these rules and abort the
 *   handshake with an "illegal_parameter" alert" (RFC 8446 §4.2.8).
 */
export function decodeKeyShareClient(data: Uint8Array): KeyShareEntry[] {
  const r = new ByteReader(data, 'key_share');
  const list = r.vector16('client_shares');
  r.expectEnd();
  const entries: KeyShareEntry[] = [];
  const groups = new Set<number>();
  while (!list.atEnd) {
    const entry = readEntry(list);
    if (groups.has(entry.group)) throw illegalParameter(`key_share: two shares for group ${entry.group}`);
    groups.add(entry.group);
    entries.push(entry);
  }
  return entries;
}

/**
 * Encodes a ServerHello key_share body: one `KeyShareEntry server_share` (RFC 8446 §4.2.8).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for an empty keyExchange; `LENGTH_OVERFLOW` over 65535 bytes.
 */
export function encodeKeyShareServer(entry: KeyShareEntry): Uint8Array {
  const w = new ByteWriter(4 + entry.keyExchange.length);
  writeEntry(w, entry, 'entry');
  return w.finish();
}

/**
 * Decodes a ServerHello key_share body (RFC 8446 §4.2.8). Whether the group was offered is the engine's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the entry is truncated, key_exchange is empty, or bytes trail it.
 */
export function decodeKeyShareServer(data: Uint8Array): KeyShareEntry {
  const r = new ByteReader(data, 'key_share');
  const entry = readEntry(r);
  r.expectEnd();
  return entry;
}

/**
 * Encodes a HelloRetryRequest key_share body: `NamedGroup selected_group` (RFC 8446 §4.2.8).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `group` is outside 0..65535.
 */
export function encodeKeyShareHelloRetry(group: number): Uint8Array {
  return new ByteWriter(2).u16(group, 'selected_group').finish();
}

/**
 * Decodes a HelloRetryRequest key_share body (RFC 8446 §4.2.8). The engine checks that the group was offered in
 * supported_groups and had no share yet.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly two bytes.
 */
export function decodeKeyShareHelloRetry(data: Uint8Array): number {
  const r = new ByteReader(data, 'key_share');
  const group = r.u16('selected_group');
  r.expectEnd();
  return group;
}
