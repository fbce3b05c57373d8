import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkMinLength, checkNonEmpty, decodeError, illegalParameter, invalidArgument } from '../errors.js';

/** One offered PSK identity (RFC 8446 §4.2.11): `opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age;`. */
export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

/**
 * A ClientHello pre_shared_key body (RFC 8446 §4.2.11): identities and their binders, one binder per identity in the
 * same order.
 */
export interface OfferedPsks {
  identities: PskIdentity[];
  /** Each `opaque PskBinderEntry<32..255>`: an HMAC over the truncated ClientHello (RFC 8446 §4.2.11.2). */
  binders: Uint8Array[];
}

/** Shortest and longest binder: `opaque PskBinderEntry<32..255>` (RFC 8446 §4.2.11). */
const MIN_BINDER = 32;
const MAX_BINDER = 255;

/**
 * Decodes a ClientHello pre_shared_key body (RFC 8446 §4.2.11). Identities and binders are views of `data`.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a list is empty or truncated, an identity is empty, a binder is not
 *   32..255 bytes, or bytes trail the body.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` when the numbers of identities and binders differ: binders are "one
 *   for each value in the identities list and in the same order" (RFC 8446 §4.2.11).
 */
export function decodePreSharedKeyClient(data: Uint8Array): OfferedPsks {
  const r = new ByteReader(data, 'pre_shared_key');
  const identityList = r.vector16('identities');
  const binderList = r.vector16('binders');
  r.expectEnd();

  // RFC 8446 §4.2.11: PskIdentity identities<7..2^16-1>, so at least one.
  if (identityList.atEnd) throw decodeError('pre_shared_key: identities is empty');
  const identities: PskIdentity[] = [];
  while (!identityList.atEnd) {
    const identity = identityList.vector16('identity').rest();
    if (identity.length === 0) throw decodeError('pre_shared_key: empty identity');
    const obfuscatedTicketAge = identityList.u32('obfuscated_ticket_age');
    identities.push({ identity, obfuscatedTicketAge });
  }

  // RFC 8446 §4.2.11: PskBinderEntry binders<33..2^16-1>, each <32..255>.
  if (binderList.atEnd) throw decodeError('pre_shared_key: binders is empty');
  const binders: Uint8Array[] = [];
  while (!binderList.atEnd) {
    const binder = binderList.vector8('PskBinderEntry').rest();
    if (binder.length < MIN_BINDER) {
      throw decodeError(`pre_shared_key: binder of ${binder.length} bytes, at least ${MIN_BINDER} required`);
    }
    binders.push(binder);
  }

  // RFC 8446 §4.2.11: one binder for each identity, in the same order.
  if (binders.length !== identities.length) {
    throw illegalParameter(`pre_shared_key: ${identities.length} identities but ${binders.length} binders`);
  }
  return { identities, binders };
}

/**
 * Encodes a ClientHello pre_shared_key body (RFC 8446 §4.2.11). To compute binders, encode first with placeholder
 * binders of the right lengths: the truncated ClientHello is the encoded message minus its last
 * {@link pskBindersLength} bytes (RFC 8446 §4.2.11.2).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when a list is empty, the counts differ, an identity is empty, a
 *   binder is shorter than 32 bytes, or an age is outside 0..2^32-1.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when a binder exceeds 255 bytes or a list 65535.
 */
export function encodePreSharedKeyClient(m: OfferedPsks): Uint8Array {
  checkNonEmpty(m.identities, 'identities');
  checkNonEmpty(m.binders, 'binders');
  if (m.identities.length !== m.binders.length) {
    throw invalidArgument('binders', `${m.identities.length} identities need as many binders, got ${m.binders.length}`);
  }
  m.identities.forEach((id, i) => checkMinLength(id.identity, 1, `identities[${i}].identity`));
  m.binders.forEach((b, i) => checkMinLength(b, MIN_BINDER, `binders[${i}]`));
  const w = new ByteWriter(64);
  w.vector16((list) => {
    for (const { identity, obfuscatedTicketAge } of m.identities) {
      list.vector16((v) => v.bytes(identity, 'identity'), 'identity');
      list.u32(obfuscatedTicketAge, 'obfuscated_ticket_age');
    }
  }, 'identities');
  w.vector16((list) => {
    for (const binder of m.binders) list.vector8((v) => v.bytes(binder, 'PskBinderEntry'), 'PskBinderEntry');
  }, 'binders');
  return w.finish();
}

/**
 * Length of the encoded binders list (its 2-byte prefix included): the bytes that end a ClientHello carrying these
 * binders, since pre_shared_key is its last extension. The partial ClientHello that binders authenticate is the
 * message without them (RFC 8446 §4.2.11.2).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a binder outside 32..255 bytes.
 * @example
 * const truncated = clientHelloMessage.subarray(0, clientHelloMessage.length - pskBindersLength(offered.binders));
 */
export function pskBindersLength(binders: readonly Uint8Array[]): number {
  let length = 2;
  binders.forEach((binder, i) => {
    if (!(binder instanceof Uint8Array) || binder.length < MIN_BINDER || binder.length > MAX_BINDER) {
      throw invalidArgument(`binders[${i}]`, `must be ${MIN_BINDER}..${MAX_BINDER} bytes`);
    }
    length += 1 + binder.length;
  });
  return length;
}

/**
 * Encodes a ServerHello pre_shared_key body: `uint16 selected_identity` (RFC 8446 §4.2.11).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `index` is outside 0..65535.
 */
export function encodePreSharedKeyServer(index: number): Uint8Array {
  return new ByteWriter(2).u16(index, 'selected_identity').finish();
}

/**
 * Decodes a ServerHello pre_shared_key body (RFC 8446 §4.2.11). The engine checks that the index is within the
 * offered identities ("illegal_parameter" otherwise).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly two bytes.
 */
export function decodePreSharedKeyServer(data: Uint8Array): number {
  const r = new ByteReader(data, 'pre_shared_key');
  const index = r.u16('selected_identity');
  r.expectEnd();
  return index;
}
