/**
 * The resumable state of one session, and its one binary encoding: what a server seals into a ticket and what a
 * client keeps beside the ticket (RFC 8446 §4.6.1, RFC 5077 §4). Both sides hold the same facts: the negotiated
 * version and suite, the secret to resume from, when it was made and for how long, the peer's chain, and the
 * sessionIdContext of the context that made it.
 *
 * The decoder is strict and bounded: a field out of its range, an unknown flag or a trailing byte is a
 * `DECODE_ERROR` (the server turns any failure into "no ticket": a full handshake).
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';

/** Longest lifetime a TLS 1.3 ticket may have: seven days in seconds (RFC 8446 §4.6.1). Also our TLS 1.2 cap. */
export const MAX_SESSION_LIFETIME = 604800;
/** Most certificates a session keeps of the peer's chain (anything longer was refused during the handshake). */
export const MAX_SESSION_CHAIN_LENGTH = 16;
/** Longest sessionIdContext, as OpenSSL's SSL_MAX_SID_CTX_LENGTH. */
export const MAX_SESSION_ID_CONTEXT_LENGTH = 32;

/** What resuming a session needs, on either side. */
export interface SessionState {
  /** `TLSVersion.TLSv1_3` or `TLSVersion.TLSv1_2`. */
  readonly version: number;
  /** The IANA id of the negotiated cipher suite. */
  readonly cipherSuite: number;
  /** TLS 1.3: the ticket's PSK (HKDF-Expand-Label(resumption_master_secret, "resumption", nonce)); TLS 1.2: the master secret. */
  readonly secret: Uint8Array;
  /** When the session was made, in ms by the clock of the context that made it. */
  readonly createdAt: number;
  /** Seconds the session may be resumed for, from `createdAt`. */
  readonly lifetime: number;
  /** TLS 1.3: the ticket_age_add of the NewSessionTicket (RFC 8446 §4.6.1); 0 in TLS 1.2. */
  readonly ticketAgeAdd: number;
  /** The sessionIdContext of the context that made the session (1..32 bytes). */
  readonly sessionIdContext: Uint8Array;
  readonly alpn: string | undefined;
  /** Client: the serverHostname connected to. Server: the SNI name the client sent. */
  readonly serverName: string | undefined;
  /** The peer's chain as it sent it, leaf first (DER); empty when it sent none. */
  readonly peerCertificates: readonly Uint8Array[];
  /** Whether the peer's chain was verified when the session was made. */
  readonly peerVerified: boolean;
  /** TLS 1.3: max_early_data_size of the ticket (0: no early data). */
  readonly maxEarlyData: number;
  /** TLS 1.2: the session's master secret is an extended one (RFC 7627). Always true for sessions we resume. */
  readonly extendedMasterSecret: boolean;
}

const FLAG_PEER_VERIFIED = 1;
const FLAG_EXTENDED_MASTER_SECRET = 2;
const KNOWN_FLAGS = FLAG_PEER_VERIFIED | FLAG_EXTENDED_MASTER_SECRET;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Appends `state` to `w`. @throws {InvalidArgumentError} for a field out of range (a bug on our side). */
export function writeSessionState(w: ByteWriter, state: SessionState): void {
  w.u16(state.version, 'version');
  w.u16(state.cipherSuite, 'cipher_suite');
  w.vector8((v) => v.bytes(state.secret, 'secret'), 'secret');
  // uint64 milliseconds, as two uint32 halves.
  w.u32(Math.floor(state.createdAt / 2 ** 32), 'created_at');
  w.u32(state.createdAt % 2 ** 32, 'created_at');
  w.u32(state.lifetime, 'lifetime');
  w.u32(state.ticketAgeAdd, 'ticket_age_add');
  w.vector8((v) => v.bytes(state.sessionIdContext, 'session_id_context'), 'session_id_context');
  w.vector8((v) => v.bytes(textEncoder.encode(state.alpn ?? ''), 'alpn'), 'alpn');
  w.vector8((v) => v.bytes(textEncoder.encode(state.serverName ?? ''), 'server_name'), 'server_name');
  w.u8((state.peerVerified ? FLAG_PEER_VERIFIED : 0) | (state.extendedMasterSecret ? FLAG_EXTENDED_MASTER_SECRET : 0), 'flags');
  w.u32(state.maxEarlyData, 'max_early_data');
  w.u8(state.peerCertificates.length, 'chain_length');
  for (const der of state.peerCertificates) w.vector24((v) => v.bytes(der, 'certificate'), 'certificate');
}

/**
 * Reads a {@link SessionState} written by {@link writeSessionState}. Byte fields are copies.
 * @throws {ProtocolError} `DECODE_ERROR` for anything out of range or truncated.
 */
export function readSessionState(r: ByteReader): SessionState {
  const fail = (why: string) => new ProtocolError('DECODE_ERROR', `${r.label}: ${why}`);
  const version = r.u16('version');
  if (version !== TLSVersion.TLSv1_3 && version !== TLSVersion.TLSv1_2) throw fail(`version 0x${version.toString(16)}`);
  const cipherSuite = r.u16('cipher_suite');
  const secret = r.vector8('secret').rest().slice();
  // A TLS 1.3 PSK is Hash.length (32 or 48); a TLS 1.2 master secret is 48 bytes (RFC 5246 §8.1).
  if (version === TLSVersion.TLSv1_2 ? secret.length !== 48 : secret.length !== 32 && secret.length !== 48) {
    throw fail(`a ${secret.length}-byte secret`);
  }
  const high = r.u32('created_at');
  const low = r.u32('created_at');
  if (high >= 2 ** 21) throw fail('created_at beyond 2^53');
  const createdAt = high * 2 ** 32 + low;
  const lifetime = r.u32('lifetime');
  if (lifetime > MAX_SESSION_LIFETIME) throw fail(`lifetime ${lifetime} s`);
  const ticketAgeAdd = r.u32('ticket_age_add');
  const sessionIdContext = r.vector8('session_id_context').rest().slice();
  if (sessionIdContext.length === 0 || sessionIdContext.length > MAX_SESSION_ID_CONTEXT_LENGTH) throw fail('sessionIdContext length');
  const alpn = readText(r, 'alpn');
  const serverName = readText(r, 'server_name');
  const flags = r.u8('flags');
  if ((flags & ~KNOWN_FLAGS) !== 0) throw fail(`unknown flags 0x${flags.toString(16)}`);
  const maxEarlyData = r.u32('max_early_data');
  const chainLength = r.u8('chain_length');
  if (chainLength > MAX_SESSION_CHAIN_LENGTH) throw fail(`${chainLength} certificates`);
  const peerCertificates: Uint8Array[] = [];
  for (let i = 0; i < chainLength; i++) {
    const der = r.vector24('certificate').rest();
    if (der.length === 0) throw fail('an empty certificate');
    peerCertificates.push(der.slice());
  }
  return {
    version,
    cipherSuite,
    secret,
    createdAt,
    lifetime,
    ticketAgeAdd,
    sessionIdContext,
    alpn,
    serverName,
    peerCertificates,
    peerVerified: (flags & FLAG_PEER_VERIFIED) !== 0,
    maxEarlyData,
    extendedMasterSecret: (flags & FLAG_EXTENDED_MASTER_SECRET) !== 0,
  };
}

function readText(r: ByteReader, field: string): string | undefined {
  const bytes = r.vector8(field).rest();
  if (bytes.length === 0) return undefined;
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new ProtocolError('DECODE_ERROR', `${r.label}: ${field} is not UTF-8`);
  }
}

/** The format byte that opens a ticket's plaintext: a later layout gets another, and old tickets stop opening. */
const TICKET_FORMAT = 1;

/** The plaintext a server seals into a ticket. */
export function encodeTicketState(state: SessionState): Uint8Array {
  const w = new ByteWriter(160 + state.peerCertificates.reduce((n, der) => n + der.length + 3, 0));
  w.u8(TICKET_FORMAT, 'format');
  writeSessionState(w, state);
  return w.finish();
}

/** The state in an opened ticket's plaintext, or `undefined` when it is not one this version wrote. */
export function decodeTicketState(plaintext: Uint8Array): SessionState | undefined {
  try {
    const r = new ByteReader(plaintext, 'ticket');
    if (r.u8('format') !== TICKET_FORMAT) return undefined;
    const state = readSessionState(r);
    r.expectEnd();
    return state;
  } catch {
    return undefined;
  }
}

/** Whether `state` has outlived its lifetime at `now` (ms by the same clock as `createdAt`). */
export function sessionExpired(state: Pick<SessionState, 'createdAt' | 'lifetime'>, now: number): boolean {
  return now < state.createdAt || now - state.createdAt >= state.lifetime * 1000;
}
