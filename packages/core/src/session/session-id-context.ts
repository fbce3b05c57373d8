/**
 * The default sessionIdContext of a context (OpenSSL's `SSL_CTX_set_session_id_context`, derived instead of set):
 * a SHA-256 over what makes a session trustworthy to that configuration. A session made under one configuration is
 * refused by a context whose checks differ (another trust store, no hostname check, other certificates), and
 * accepted by a context with the same configuration in another process.
 */
import type { HashAlgorithm } from '../crypto/provider.js';
import { ByteWriter } from '../codec/writer.js';

/** What the default sessionIdContext covers. */
export interface SessionIdContextInput {
  readonly role: string;
  readonly minimumVersion: number;
  readonly maximumVersion: number;
  readonly verifyMode: string;
  readonly checkHostname: boolean;
  /** DER of the trust anchors. Their order does not matter. */
  readonly trustAnchors: readonly Uint8Array[];
  /** DER of each chain loaded with loadCertChain, leaf first, in load order. */
  readonly ownChains: readonly (readonly Uint8Array[])[];
}

const textEncoder = new TextEncoder();

/** SHA-256 of a canonical encoding of `input`: 32 bytes. */
export function deriveSessionIdContext(sha256: HashAlgorithm, input: SessionIdContextInput): Uint8Array {
  const w = new ByteWriter(1024);
  w.vector8((v) => v.bytes(textEncoder.encode('tlsbio session id context v1'), 'label'));
  w.vector8((v) => v.bytes(textEncoder.encode(`${input.role} ${input.verifyMode} ${input.checkHostname}`), 'settings'));
  w.u16(input.minimumVersion).u16(input.maximumVersion);
  // Anchors hashed one by one and sorted: the same store loaded in another order is the same store.
  const anchors = input.trustAnchors.map((der) => sha256.digest(der)).sort(compareBytes);
  w.u32(anchors.length);
  for (const digest of anchors) w.bytes(digest);
  w.u32(input.ownChains.length);
  for (const chain of input.ownChains) {
    w.u32(chain.length);
    for (const der of chain) w.bytes(sha256.digest(der));
  }
  return sha256.digest(w.finish());
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
