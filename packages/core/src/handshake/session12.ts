/**
 * TLS 1.2 sessions (RFC 5077): what the client offers and keeps, what the server seals into a ticket and opens.
 */
import type { CipherSuite12 } from '../suites.js';
import type { Certificate } from '../x509/index.js';
import type { NewSessionTicket12 } from '../msgs/index.js';
import type { HandshakeIO } from './state.js';

/** A TLS 1.2 session the client can resume. */
export interface ClientSession12 {
  readonly ticket: Uint8Array;
  readonly cipherSuite: number;
  readonly masterSecret: Uint8Array;
  /** The server's chain (DER), leaf first, and whether it was verified. */
  readonly peerChain: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

/** The TLS 1.2 session the client offers, if it has one this context may resume. */
export function offeredSession12(_io: HandshakeIO): ClientSession12 | undefined {
  return undefined;
}

/** Keeps the session a NewSessionTicket gave us (RFC 5077 §3.3). */
export function keepSession12(
  _io: HandshakeIO,
  _ticket: NewSessionTicket12,
  _facts: { suite: CipherSuite12; masterSecret: Uint8Array; peer: { chain: readonly Certificate[]; verified: boolean }; alpn: string | undefined },
): void {}

/** A TLS 1.2 session as the server seals it into a ticket (RFC 5077 §4) and opens it again. */
export interface ServerSession12 {
  readonly cipherSuite: number;
  readonly masterSecret: Uint8Array;
  readonly serverName: string | undefined;
  readonly alpn: string | undefined;
  /** The client's chain (DER), leaf first, and whether it was verified. */
  readonly peerChain: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

export function sessionTicketsEnabled(_io: HandshakeIO): boolean {
  return true;
}

export function openTicket12(_io: HandshakeIO, _ticket: Uint8Array): ServerSession12 | undefined {
  return undefined;
}

export function sealTicket12(
  _io: HandshakeIO,
  _facts: { suite: CipherSuite12; masterSecret: Uint8Array; alpn: string | undefined; serverName: string | undefined; client: { chain: readonly Certificate[]; verified: boolean } | undefined },
): NewSessionTicket12 {
  return { lifetimeHint: 7200, ticket: new Uint8Array(16) };
}
