/**
 * TLS 1.3 resumption between our client and our server (RFC 8446 §2.2, §4.2.11, §4.6.1), on both providers: tickets
 * after the handshake, PSK with (EC)DHE, binders, HelloRetryRequest, ticket keys shared and rotated, binding to the
 * context, and the refusals (a binder that does not verify, psk_ke only).
 */
import { AlertDescription, AlertError, TLSVersion, WantReadError } from '@tlsbio/errors';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import { acceptsPskDheKe } from '../src/handshake/psk13.js';
import {
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  decodeClientHello,
  decodeServerHello,
  encodeClientHello,
  encodeHandshake,
  encodePskKeyExchangeModes,
} from '../src/msgs/index.js';
import { newSessionTickets13 } from '../src/session/tickets13.js';
import { TLS13_SUITES } from '../src/suites.js';
import { concat, parseRecords } from './helpers/wire.js';
import { describe, expect, it } from 'vitest';
import type { TLSConnection } from '../src/connection.js';
import type { TLSContext, TLSContextOptions } from '../src/context.js';
import { TLSSession } from '../src/session/session.js';
import { ConnectionPair, caught, clientContext, serverContext, pki } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const text = new TextEncoder();

/** A full handshake, then the data exchange that brings the client the server's tickets. */
function connect(client: TLSContext, server: TLSContext, session?: TLSSession, serverHostname = 'localhost'): ConnectionPair {
  const pair = new ConnectionPair(client, server, session === undefined ? { serverHostname } : { serverHostname, session });
  pair.handshake();
  expect(pair.send('server', text.encode('hello'))).toEqual(text.encode('hello'));
  return pair;
}

/** Resumes `session`; returns the pair after the handshake and an exchange. */
function resume(client: TLSContext, server: TLSContext, session: TLSSession): ConnectionPair {
  return connect(client, server, session);
}

describe.each(providers)('TLS 1.3 resumption, our client and our server (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const clientOptions: TLSContextOptions = { minimumVersion: TLSVersion.TLSv1_3 };

  it('sends two tickets after a full handshake, resumes with one, and keeps the peer chain', () => {
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider);
    const seen: TLSSession[] = [];
    client.setSessionCallback((_connection, session) => seen.push(session));
    const first = connect(client, server);
    expect(first.client.sessionReused).toBe(false);
    expect(first.server.sessionReused).toBe(false);
    expect(first.client.sessions.length).toBe(2);
    expect(seen).toEqual(first.client.sessions);
    const session = first.client.session!;
    expect(session.version).toBe(TLSVersion.TLSv1_3);
    expect(session.serverName).toBe('localhost');
    expect(session.lifetime).toBe(7200);
    expect(session.peerVerified).toBe(true);
    expect(first.server.session).toBeUndefined();

    const second = resume(client, server, session);
    expect(second.client.sessionReused).toBe(true);
    expect(second.server.sessionReused).toBe(true);
    expect(second.client.version()).toBe('TLSv1.3');
    // No Certificate in a resumption: the chain is the session's, and getPeerCertificate still answers.
    expect(second.client.getPeerCertChain()).toEqual(first.client.getPeerCertChain());
    expect(second.client.getPeerCertificate()).toEqual(first.client.getPeerCertificate());
    expect(second.client.getPeerCertificate({ binary: true })).toEqual(first.client.getPeerCertificate({ binary: true }));
    // One new ticket after a resumption; the resumed connection's session is the newest.
    expect(second.client.sessions.length).toBe(1);
    expect(second.client.session).toBe(second.client.sessions[0]);
    // Both sides agree on the keys: exporters match.
    expect(second.client.exportKeyingMaterial('EXPERIMENTAL-x', 32)).toEqual(second.server.exportKeyingMaterial('EXPERIMENTAL-x', 32));
    // The resumed connection costs less: no certificate chain on the wire.
    expect(second.serverToClient).toBeLessThan(first.serverToClient / 2);
    // And its ticket resumes again.
    expect(resume(client, server, second.client.session!).client.sessionReused).toBe(true);
  });

  it('resumes across a HelloRetryRequest, recomputing the binder', () => {
    // The client's first key share is P-256, which the server does not take: it asks for X25519.
    const client = clientContext(provider, { ...clientOptions, groups: ['secp256r1', 'x25519'], keyShareGroups: ['secp256r1'] });
    const server = serverContext(provider, { groups: ['x25519'] });
    const session = connect(client, server).client.session!;
    const again = resume(client, server, session);
    expect(again.client.helloRetried).toBe(true);
    expect(again.client.sessionReused).toBe(true);
    expect(again.server.sessionReused).toBe(true);
  });

  it('keeps the ALPN agreement and the client certificate of the session (server side)', () => {
    const client = clientContext(provider, { ...clientOptions, alpnProtocols: ['h2'] });
    client.loadCertChain(pki('client.pem'), pki('client.key'));
    const server = serverContext(provider, { verifyMode: 'required', alpnProtocols: ['h2'] });
    server.loadVerifyLocations({ cadata: pki('ca.pem') });
    const first = connect(client, server);
    const again = resume(client, server, first.client.session!);
    expect(again.server.sessionReused).toBe(true);
    expect(again.server.selectedAlpnProtocol()).toBe('h2');
    expect(again.client.session!.alpn).toBe('h2');
    expect(again.server.getPeerCertChain()).toEqual(first.server.getPeerCertChain());
  });

  it('two server contexts with the same ticket keys resume each other; a rotated-out key forces a full handshake', () => {
    const keyA = provider.randomBytes(32);
    const keyB = provider.randomBytes(32);
    const client = clientContext(provider, clientOptions);
    const serverA = serverContext(provider);
    serverA.setTicketKeys([keyA]);
    const serverB = serverContext(provider);
    serverB.setTicketKeys([keyA]);
    const session = connect(client, serverA).client.session!;
    expect(resume(client, serverB, session).server.sessionReused).toBe(true);
    // Rotation: the new key first, the old one still accepted.
    serverB.setTicketKeys([keyB, keyA]);
    const rotated = resume(client, serverB, session);
    expect(rotated.server.sessionReused).toBe(true);
    // The ticket it issued now is sealed under keyB, which serverA does not know.
    expect(resume(client, serverA, rotated.client.session!).server.sessionReused).toBe(false);
    // keyA dropped: its tickets no longer open — a full handshake, not an error.
    serverB.setTicketKeys([keyB]);
    const full = resume(client, serverB, session);
    expect(full.client.sessionReused).toBe(false);
    expect(full.server.sessionReused).toBe(false);
    expect(full.client.getPeerCertChain()).not.toBeNull();
  });

  it('a server with another configuration (sessionIdContext) or with tickets off makes a full handshake', () => {
    const client = clientContext(provider, clientOptions);
    const keys = [provider.randomBytes(32)];
    const server = serverContext(provider);
    server.setTicketKeys(keys);
    const session = connect(client, server).client.session!;
    const other = serverContext(provider, { verifyMode: 'optional' });
    other.loadVerifyLocations({ cadata: pki('ca.pem') });
    other.setTicketKeys(keys);
    expect(resume(client, other, session).server.sessionReused).toBe(false);
    const off = serverContext(provider, { sessionTickets: false });
    off.setTicketKeys(keys);
    const pair = resume(client, off, session);
    expect(pair.server.sessionReused).toBe(false);
    expect(pair.client.sessions).toEqual([]);
    const none = serverContext(provider, { ticketsPerHandshake: 0 });
    expect(connect(client, none).client.sessions).toEqual([]);
  });

  it('an expired session is not offered; a session past the server lifetime is refused', () => {
    let now = 1_800_000_000_000;
    const clock = () => new Date(now);
    const client = clientContext(provider, { ...clientOptions, now: clock });
    const server = serverContext(provider, { now: clock, ticketLifetime: 60 });
    const session = connect(client, server).client.session!;
    expect(session.lifetime).toBe(60);
    now += 30_000;
    expect(resume(client, server, session).client.sessionReused).toBe(true);
    now += 31_000;
    expect(session.isExpired(now)).toBe(true);
    expect(resume(client, server, session).client.sessionReused).toBe(false);
  });

  it('a serialised session resumes in a fresh context of the same configuration, and is refused by another trust store', () => {
    const server = serverContext(provider);
    const bytes = connect(clientContext(provider, clientOptions), server).client.session!.toBytes();
    const fresh = clientContext(provider, clientOptions);
    expect(resume(fresh, server, TLSSession.fromBytes(bytes)).client.sessionReused).toBe(true);
    const otherTrust = clientContext(provider, clientOptions);
    otherTrust.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    expect(() => resume(otherTrust, server, TLSSession.fromBytes(bytes))).toThrow(/another sessionIdContext/);
  });

  it('a binder that does not verify is fatal: decrypt_error', () => {
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider);
    const session = connect(client, server).client.session!;
    // The same ticket with another PSK: the server opens the ticket, and the binder (keyed by the wrong PSK) fails.
    const forged = new TLSSession(session.ticket, { ...session.state, secret: new Uint8Array(session.state.secret.length).fill(1) });
    const pair = new ConnectionPair(client, server, { session: forged });
    let error: unknown;
    try {
      pair.handshake();
    } catch (e) {
      error = e;
    }
    expect((error as { reason?: string }).reason).toBe('BINDER_DOES_NOT_VERIFY');
    expect((error as { alert?: { description: number } }).alert?.description).toBe(AlertDescription.decrypt_error);
    expect(() => pair.client.doHandshake()).toThrow(AlertError);
  });

  it('an altered ticket means a full handshake, not an error', () => {
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider);
    const session = connect(client, server).client.session!;
    const ticket = session.ticket;
    ticket[ticket.length - 1]! ^= 1;
    const pair = resume(client, server, new TLSSession(ticket, session.state));
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.server.sessionReused).toBe(false);
  });
});

describe.each(providers)('PSK key exchange modes (RFC 8446 §4.2.9) at our server (%s provider)', (_name, createProvider) => {
  const provider = createProvider();

  /** The ClientHello a resuming client sends, its psk_key_exchange_modes replaced (or removed with `undefined`). */
  function helloWithModes(modes: number[] | undefined): { server: TLSConnection; serverOut: MemoryBIO } {
    const client = clientContext(provider, { minimumVersion: TLSVersion.TLSv1_3 });
    const server = serverContext(provider);
    const session = connect(client, server).client.session!;
    const pair = new ConnectionPair(client, server, { session });
    expect(() => pair.client.doHandshake()).toThrow(WantReadError);
    const [record] = parseRecords(pair.clientOut.read());
    const hello = decodeClientHello(record!.fragment.subarray(4));
    const extensions = hello.extensions.flatMap((e) =>
      e.type !== ExtensionType.psk_key_exchange_modes ? [e] : modes === undefined ? [] : [{ type: e.type, data: encodePskKeyExchangeModes(modes) }],
    );
    const message = encodeHandshake(HandshakeType.client_hello, encodeClientHello({ ...hello, extensions }));
    const bytes = concat(new Uint8Array([22, 3, 1, message.length >> 8, message.length & 0xff]), message);
    pair.serverIn.write(bytes);
    return { server: pair.server, serverOut: pair.serverOut };
  }

  it('psk_ke only: the PSK is ignored (no forward secrecy), a full handshake with a certificate follows', () => {
    const { server, serverOut } = helloWithModes([PskKeyExchangeMode.psk_ke]);
    expect(() => server.doHandshake()).toThrow(WantReadError);
    const [serverHelloRecord, ...rest] = parseRecords(serverOut.read());
    const serverHello = decodeServerHello(serverHelloRecord!.fragment.subarray(4));
    expect(serverHello.extensions.map((e) => e.type)).not.toContain(ExtensionType.pre_shared_key);
    // A full handshake: the flight is much larger than a resumption's (it carries the certificate chain).
    expect(rest.reduce((n, r) => n + r.fragment.length, 0)).toBeGreaterThan(500);
  });

  it('pre_shared_key without psk_key_exchange_modes: missing_extension', () => {
    const { server } = helloWithModes(undefined);
    const error = caught(() => server.doHandshake());
    expect(error.reason).toBe('MISSING_PSK_KEX_MODES_EXTENSION');
    expect(error.alert?.description).toBe(AlertDescription.missing_extension);
  });

  it('a client without psk_dhe_ke gets no tickets (RFC 8446 §4.2.9)', () => {
    const context = serverContext(provider);
    const result = { suite: TLS13_SUITES[0]!, alpn: undefined, serverName: undefined, peerVerified: false, resumptionMasterSecret: new Uint8Array(32) };
    expect(newSessionTickets13(context, { ...result, peerAcceptsTickets: true }, [])).toHaveLength(2);
    expect(newSessionTickets13(context, { ...result, peerAcceptsTickets: false }, [])).toEqual([]);
    expect(newSessionTickets13(context, { ...result, peerAcceptsTickets: true, resumedPeerChain: [] }, [])).toHaveLength(1);
    const client = (modes: number[]) =>
      decodeClientHello(
        encodeClientHello({
          legacyVersion: 0x0303,
          random: new Uint8Array(32),
          legacySessionId: new Uint8Array(0),
          cipherSuites: [0x1301],
          legacyCompressionMethods: [0],
          extensions: [{ type: ExtensionType.psk_key_exchange_modes, data: encodePskKeyExchangeModes(modes) }],
        }),
      );
    expect(acceptsPskDheKe(client([PskKeyExchangeMode.psk_ke]))).toBe(false);
    expect(acceptsPskDheKe(client([PskKeyExchangeMode.psk_ke, PskKeyExchangeMode.psk_dhe_ke]))).toBe(true);
  });
});
