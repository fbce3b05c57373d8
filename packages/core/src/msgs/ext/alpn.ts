import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkMinLength, checkNonEmpty, decodeError } from '../errors.js';

/**
 * Encodes an application_layer_protocol_negotiation extension body (RFC 7301 §3.1):
 * `ProtocolName protocol_name_list<2..2^16-1>`, each `opaque ProtocolName<1..2^8-1>`, in preference order.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when the list or a protocol is empty.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when a protocol exceeds 255 bytes or the list 65535.
 * @example
 * const te = new TextEncoder();
 * encodeAlpn([te.encode('h2'), te.encode('http/1.1')]);
 */
export function encodeAlpn(protocols: readonly Uint8Array[]): Uint8Array {
  checkNonEmpty(protocols, 'protocols');
  protocols.forEach((p, i) => checkMinLength(p, 1, `protocols[${i}]`));
  const w = new ByteWriter(64);
  w.vector16((list) => {
    for (const protocol of protocols) list.vector8((v) => v.bytes(protocol, 'ProtocolName'), 'ProtocolName');
  }, 'protocol_name_list');
  return w.finish();
}

/**
 * Decodes an application_layer_protocol_negotiation extension body (RFC 7301 §3.1). Protocol names are views of
 * `data`, compared as bytes (RFC 7301 §3.1 does not require them to be text).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty or truncated, a name is empty, or bytes trail it.
 */
export function decodeAlpn(data: Uint8Array): Uint8Array[] {
  const r = new ByteReader(data, 'application_layer_protocol_negotiation');
  const list = r.vector16('protocol_name_list');
  r.expectEnd();
  // RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>.
  if (list.atEnd) throw decodeError('application_layer_protocol_negotiation: protocol_name_list is empty');
  const protocols: Uint8Array[] = [];
  while (!list.atEnd) {
    const name = list.vector8('ProtocolName').rest();
    // RFC 7301 §3.1: "Empty strings MUST NOT be included".
    if (name.length === 0) throw decodeError('application_layer_protocol_negotiation: empty ProtocolName');
    protocols.push(name);
  }
  return protocols;
}

/**
 * Encodes the server's ALPN answer: the same structure with exactly one protocol (RFC 7301 §3.1).
 *
 * @throws {InvalidArgumentError} as {@link encodeAlpn}.
 */
export function encodeAlpnServer(protocol: Uint8Array): Uint8Array {
  return encodeAlpn([protocol]);
}

/**
 * Decodes the server's ALPN answer, which "MUST contain exactly one ProtocolName" (RFC 7301 §3.1). Whether the
 * client offered it is the engine's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` for any list that is not exactly one valid name.
 */
export function decodeAlpnServer(data: Uint8Array): Uint8Array {
  const protocols = decodeAlpn(data);
  if (protocols.length !== 1) {
    throw decodeError(`application_layer_protocol_negotiation: server sent ${protocols.length} protocols, not 1`);
  }
  return protocols[0] as Uint8Array;
}
