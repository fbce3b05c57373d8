import type { ByteReader } from '../codec/reader.js';
import type { ByteWriter } from '../codec/writer.js';
import { decodeError, illegalParameter, invalidArgument } from './errors.js';
import { extensionTypeName } from './registry.js';

/**
 * One extension as it appears in a handshake message (RFC 8446 §4.2): its type and its undecoded `extension_data`.
 * The typed codecs under `msgs/ext/` turn `data` into values. Unknown types are carried as they are.
 */
export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Reads an extensions block, `Extension extensions<0..2^16-1>` (RFC 8446 §4.2), or returns `[]` for an absent block
 * when `optional` is true and the reader is already at its end (a TLS 1.2-or-older ClientHello or ServerHello may
 * omit the block, RFC 5246 §7.4.1.2). Reads only the block: the caller still checks for trailing bytes.
 *
 * Each `data` is a view of the input, not a copy.
 *
 * @param message names the message in error messages, e.g. `'ClientHello'`.
 * @throws {ProtocolError} `DECODE_ERROR` when the block or an extension is truncated.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` when one type appears twice (RFC 8446 §4.2).
 * @example
 * const extensions = readExtensions(r, 'EncryptedExtensions');
 * r.expectEnd();
 */
export function readExtensions(r: ByteReader, message: string, optional = false): Extension[] {
  if (optional && r.atEnd) return [];
  const block = r.vector16('extensions');
  const extensions: Extension[] = [];
  const seen = new Set<number>();
  while (!block.atEnd) {
    const type = block.u16('extension_type');
    const data = block.vector16('extension_data').rest();
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension block."
    if (seen.has(type)) {
      throw illegalParameter(`${message}: duplicate extension ${extensionTypeName(type)}`);
    }
    seen.add(type);
    extensions.push({ type, data });
  }
  return extensions;
}

/**
 * Writes an extensions block, `Extension extensions<0..2^16-1>` (RFC 8446 §4.2), in the given order.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when one type appears twice (we must never send that) or a type is
 *   not a 16-bit integer.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when an extension's data or the whole block exceeds 65535 bytes.
 * @example
 * writeExtensions(w, [{ type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(0x0304) }]);
 */
export function writeExtensions(w: ByteWriter, extensions: readonly Extension[]): void {
  const seen = new Set<number>();
  for (const { type } of extensions) {
    if (seen.has(type)) throw invalidArgument('extensions', `duplicate extension ${extensionTypeName(type)}`);
    seen.add(type);
  }
  w.vector16((block) => {
    for (const extension of extensions) {
      block.u16(extension.type, 'extension_type');
      block.vector16((v) => v.bytes(extension.data, 'extension_data'), 'extension_data');
    }
  }, 'extensions');
}

/**
 * The `extension_data` of the extension of `type`, or `undefined` when absent.
 *
 * @example
 * const data = findExtension(hello.extensions, ExtensionType.key_share);
 */
export function findExtension(extensions: readonly Extension[], type: number): Uint8Array | undefined {
  for (const extension of extensions) if (extension.type === type) return extension.data;
  return undefined;
}

/**
 * Requires an extension body that must be empty: extended_master_secret (RFC 7627 §5.1), post_handshake_auth
 * (RFC 8446 §4.2.6), a server's server_name acknowledgement (RFC 6066 §3), early_data outside NewSessionTicket
 * (RFC 8446 §4.2.10).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when `data` is not empty.
 */
export function expectEmptyExtension(data: Uint8Array, name: string): void {
  if (data.length !== 0) throw decodeError(`${name} extension must be empty, got ${data.length} byte(s)`);
}
