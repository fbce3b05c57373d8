import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { decodeError, illegalParameter, invalidArgument } from '../errors.js';

/** NameType values of server_name (RFC 6066 §3). */
export const ServerNameType = { host_name: 0 } as const;

/**
 * Encodes a client's server_name extension body (RFC 6066 §3) holding one host_name. Pass an ASCII host name: an
 * internationalised name must be converted to its A-label (punycode) form first, and RFC 6066 forbids IP literals
 * and a trailing dot (the caller decides whether to send SNI at all).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `hostName` is empty or has a character outside printable
 *   ASCII; `LENGTH_OVERFLOW` when it exceeds 65535 bytes.
 * @example
 * { type: ExtensionType.server_name, data: encodeServerName('example.com') }
 */
export function encodeServerName(hostName: string): Uint8Array {
  if (typeof hostName !== 'string' || hostName.length === 0) {
    throw invalidArgument('hostName', 'must be a non-empty string');
  }
  const bytes = new Uint8Array(hostName.length);
  for (let i = 0; i < hostName.length; i++) {
    const c = hostName.charCodeAt(i);
    if (!isPrintableAscii(c)) {
      throw invalidArgument('hostName', `character ${i} (U+${c.toString(16).padStart(4, '0')}) is not printable ASCII`);
    }
    bytes[i] = c;
  }
  const w = new ByteWriter(bytes.length + 5);
  w.vector16((list) => {
    list.u8(ServerNameType.host_name, 'name_type');
    list.vector16((v) => v.bytes(bytes, 'HostName'), 'HostName');
  }, 'server_name_list');
  return w.finish();
}

/**
 * Decodes a server_name extension body (RFC 6066 §3) and returns its host_name, or `undefined` for the empty body a
 * server sends to acknowledge the name (or a list with no host_name entry). Entries of other name types are skipped
 * (none is defined; like other implementations we assume their `opaque<1..2^16-1>` layout).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty or truncated, a name is empty, the name holds a byte
 *   outside printable ASCII (a NUL included, which could truncate the name in C code), or bytes trail the list.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for two host_name entries: "The ServerNameList MUST NOT contain more
 *   than one name of the same name_type" (RFC 6066 §3).
 */
export function decodeServerName(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const r = new ByteReader(data, 'server_name');
  const list = r.vector16('server_name_list');
  r.expectEnd();
  // RFC 6066 §3: ServerName server_name_list<1..2^16-1>.
  if (list.atEnd) throw decodeError('server_name: server_name_list is empty');
  let hostName: string | undefined;
  while (!list.atEnd) {
    const nameType = list.u8('name_type');
    const name = list.vector16('name').rest();
    // RFC 6066 §3: opaque HostName<1..2^16-1>.
    if (name.length === 0) throw decodeError('server_name: empty name');
    if (nameType !== ServerNameType.host_name) continue;
    if (hostName !== undefined) throw illegalParameter('server_name: more than one host_name');
    let text = '';
    for (let i = 0; i < name.length; i++) {
      const c = name[i] as number;
      // RFC 6066 §3: HostName is ASCII; a NUL or control byte is malformed (and a classic name-truncation attack).
      if (!isPrintableAscii(c)) {
        throw decodeError(`server_name: host_name byte ${i} (0x${c.toString(16)}) is not printable ASCII`);
      }
      text += String.fromCharCode(c);
    }
    hostName = text;
  }
  return hostName;
}

function isPrintableAscii(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}
