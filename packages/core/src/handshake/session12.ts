/**
 * TLS 1.2 sessions in tickets (RFC 5077), on top of the shared session foundation (session/): which session a
 * client offers, the session it keeps from a NewSessionTicket, and what a server seals into a ticket and accepts
 * back. Only sessions with the extended master secret are kept or resumed (RFC 7627 §5.3).
 */
import { TLSVersion } from '@tlsbio/errors';
import { DEFAULT_TICKET_LIFETIME } from '../context.js';
import { equalBytes } from '../crypto/bytes.js';
import type { NewSessionTicket12 } from '../msgs/index.js';
import { TLSSession } from '../session/session.js';
import { MAX_SESSION_LIFETIME, decodeTicketState, encodeTicketState, sessionExpired, type SessionState } from '../session/ticket-state.js';
import type { CipherSuite12 } from '../suites.js';
import type { Certificate } from '../x509/index.js';
import type { HandshakeIO } from './state.js';
import { allowsVersion } from './version.js';

/**
 * The TLS 1.2 session the client offers in session_ticket: the one `wrapBio` was given, if it is a TLS 1.2 session
 * with the extended master secret, not expired by the context's clock, whose suite the context still enables.
 * Anything else is not offered (a full handshake, `sessionReused === false`).
 */
export function offeredSession12(io: HandshakeIO): TLSSession | undefined {
  const { session, context } = io;
  if (session === undefined || session.version !== TLSVersion.TLSv1_2 || !session.extendedMasterSecret) return undefined;
  if (!allowsVersion(context, TLSVersion.TLSv1_2) || session.isExpired(context.now().getTime())) return undefined;
  return context.tls12CipherSuites.some((suite) => suite.id === session.cipherSuite) ? session : undefined;
}

/** What a TLS 1.2 handshake settled, as a session keeps it. */
export interface SessionFacts12 {
  readonly suite: CipherSuite12;
  readonly masterSecret: Uint8Array;
  readonly alpn: string | undefined;
  /** Client: the serverHostname; server: the SNI name the client sent. */
  readonly serverName: string | undefined;
  /** The peer's chain, leaf first (DER), and whether it was verified. */
  readonly peerCertificates: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

/**
 * The client's session from a NewSessionTicket (RFC 5077 §3.3). A lifetime hint of 0 leaves the lifetime to us
 * (RFC 5077 §3.3): the default server lifetime, 7200 s; any hint is capped at seven days.
 */
export function sessionFromTicket12(io: HandshakeIO, ticket: NewSessionTicket12, facts: SessionFacts12): TLSSession {
  const lifetime = Math.min(ticket.lifetimeHint === 0 ? DEFAULT_TICKET_LIFETIME : ticket.lifetimeHint, MAX_SESSION_LIFETIME);
  return new TLSSession(ticket.ticket.slice(), stateOf(io, facts, lifetime));
}

/**
 * The session a ticket from a ClientHello stands for, if it opens under our ticket keys to a TLS 1.2 session with
 * the extended master secret, made under this context's sessionIdContext and not expired. Anything else is
 * `undefined`: a full handshake, never an error (RFC 5077 §3.4).
 */
export function openTicket12(io: HandshakeIO, ticket: Uint8Array): SessionState | undefined {
  const { context } = io;
  const plaintext = context.ticketKeys.open(ticket);
  const state = plaintext === undefined ? undefined : decodeTicketState(plaintext);
  if (state === undefined || state.version !== TLSVersion.TLSv1_2 || !state.extendedMasterSecret) return undefined;
  if (!equalBytes(state.sessionIdContext, context.sessionIdContextBytes)) return undefined;
  return sessionExpired(state, context.now().getTime()) ? undefined : state;
}

/** The NewSessionTicket for a full handshake's session (RFC 5077 §3.3, §4): the state sealed under our ticket keys. */
export function sealTicket12(io: HandshakeIO, facts: SessionFacts12): NewSessionTicket12 {
  const { context } = io;
  const lifetime = context.ticketLifetime;
  return { lifetimeHint: lifetime, ticket: context.ticketKeys.seal(encodeTicketState(stateOf(io, facts, lifetime))) };
}

/**
 * A fresh ticket for a session resumed from a ticket sealed under a previous key (RFC 5077 §3.3 lets a server renew
 * a ticket in the abbreviated handshake), or `undefined` when the ticket names the current key (or the sealer cannot
 * tell: `TicketSealer.isCurrent` is optional). The session keeps its age: the new ticket expires when the old one would
 * have, and the hint says how long that is.
 */
export function renewedTicket12(io: HandshakeIO, ticket: Uint8Array, state: SessionState): NewSessionTicket12 | undefined {
  const { context } = io;
  if (context.ticketKeys.isCurrent?.(ticket) ?? true) return undefined;
  const remaining = Math.ceil((state.createdAt + state.lifetime * 1000 - context.now().getTime()) / 1000);
  return { lifetimeHint: Math.max(remaining, 1), ticket: context.ticketKeys.seal(encodeTicketState(state)) };
}

/** The peer's chain as a session keeps it. */
export function chainDer(chain: readonly Certificate[]): Uint8Array[] {
  return chain.map((cert) => cert.der);
}

function stateOf(io: HandshakeIO, facts: SessionFacts12, lifetime: number): SessionState {
  return {
    version: TLSVersion.TLSv1_2,
    cipherSuite: facts.suite.id,
    secret: facts.masterSecret,
    createdAt: io.context.now().getTime(),
    lifetime,
    ticketAgeAdd: 0,
    sessionIdContext: io.context.sessionIdContextBytes,
    alpn: facts.alpn,
    serverName: facts.serverName,
    peerCertificates: facts.peerCertificates,
    peerVerified: facts.peerVerified,
    maxEarlyData: 0,
    extendedMasterSecret: true,
  };
}
