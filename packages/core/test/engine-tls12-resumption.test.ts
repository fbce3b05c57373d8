/**
 * TLS 1.2 session tickets (RFC 5077) between our client and our server, on both providers: the ticket issued on a
 * full handshake, the abbreviated handshake that resumes it, and every reason a ticket is not resumed (a full
 * handshake, never an error) or a resumption is refused (an alert).
 */
import { TLSVersion, WantReadError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSContext, TLSContextOptions } from '../src/context.js';
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  decodeClientHello,
  decodeHandshake,
  decodeNewSessionTicket12,
  decodeServerHello,
  encodeClientHello,
  encodeHandshake,
  encodeServerHello,
  encodeServerName,
  findExtension,
  type ClientHello,
  type ServerHello,
} from '../src/msgs/index.js';
import { TLSSession } from '../src/session/session.js';
import { encodeTicketState, type SessionState } from '../src/session/ticket-state.js';
import { ConnectionPair, caught, clientContext, pki, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { concat, frame, parseRecords } from './helpers/wire.js';

const TLS12_ONLY = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } as const;
const text = new TextEncoder();

function expectWantRead(run: () => unknown): void {
  expect(WantReadError.isInstance(caught(run))).toBe(true);
}

/** The first handshake message of a flight's first record (plaintext). */
function firstMessage(flight: Uint8Array): { type: number; body: Uint8Array } {
  const fragment = parseRecords(flight)[0]!.fragment;
  const length = 4 + ((fragment[1]! << 16) | (fragment[2]! << 8) | fragment[3]!);
  return decodeHandshake(fragment.subarray(0, length));
}

/** Plaintext handshake messages of a flight (records of one message each, as our peers send before CCS). */
function handshakeTypes(flight: Uint8Array): number[] {
  return parseRecords(flight).map((record) => (record.type === ContentType.handshake && record.fragment.length >= 4 ? record.fragment[0]! : -record.type));
}

describe.each(providers)('TLS 1.2 session tickets, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const client = (options: TLSContextOptions = {}) => clientContext(provider, { ...TLS12_ONLY, ...options });
  const server = (options: TLSContextOptions = {}, kinds: Parameters<typeof serverContext>[2] = ['ecdsa']) => serverContext(provider, options, kinds);

  /** A full handshake; returns the pair and the session the client kept. */
  function first(clientCtx: TLSContext, serverCtx: TLSContext): { pair: ConnectionPair; session: TLSSession } {
    const pair = new ConnectionPair(clientCtx, serverCtx);
    pair.handshake();
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.server.sessionReused).toBe(false);
    const session = pair.client.session;
    expect(session).toBeInstanceOf(TLSSession);
    return { pair, session: session! };
  }

  function resume(clientCtx: TLSContext, serverCtx: TLSContext, session: TLSSession): ConnectionPair {
    const pair = new ConnectionPair(clientCtx, serverCtx, { session });
    pair.handshake();
    return pair;
  }

  it('a full handshake issues a ticket; the next connection resumes it with the abbreviated handshake', () => {
    const clientCtx = client({ alpnProtocols: ['h2'] });
    const serverCtx = server({ alpnProtocols: ['h2'] });
    const { pair: full, session } = first(clientCtx, serverCtx);
    expect(session.version).toBe(TLSVersion.TLSv1_2);
    expect(session.extendedMasterSecret).toBe(true);
    expect(session.masterSecret).toHaveLength(48);
    expect(session.alpn).toBe('h2');
    expect(session.lifetime).toBe(7200);
    expect(session.serverName).toBe('localhost');
    expect(session.peerCertificates.length).toBeGreaterThan(0);
    expect(full.client.group()).not.toBeNull();

    const pair = new ConnectionPair(clientCtx, serverCtx, { session });
    // The abbreviated handshake (RFC 5246 §7.3): ServerHello, ChangeCipherSpec, Finished — no Certificate, no key exchange.
    expectWantRead(() => pair.client.doHandshake());
    const hello = decodeClientHello(firstMessage(pair.clientOut.read()).body);
    expect(hello.legacySessionId).toHaveLength(32);
    expect(findExtension(hello.extensions, ExtensionType.session_ticket)).toEqual(session.ticket);
    pair.serverIn.write(encodeRecordsOf(hello));
    expectWantRead(() => pair.server.doHandshake());
    const serverFlight = pair.serverOut.read();
    const records = parseRecords(serverFlight);
    expect(records.map((r) => r.type)).toEqual([ContentType.handshake, ContentType.change_cipher_spec, ContentType.handshake]);
    const serverHello = decodeServerHello(decodeHandshake(records[0]!.fragment).body);
    // RFC 5077 §3.4: the session id echoed says "resumed".
    expect(serverHello.legacySessionIdEcho).toEqual(hello.legacySessionId);
    expect(serverHello.cipherSuite).toBe(session.cipherSuite);
    expect(findExtension(serverHello.extensions, ExtensionType.extended_master_secret)).toBeDefined();
    pair.clientIn.write(serverFlight);
    pair.client.doHandshake();
    pair.transfer();
    pair.server.doHandshake();

    expect(pair.client.sessionReused).toBe(true);
    expect(pair.server.sessionReused).toBe(true);
    expect(pair.client.version()).toBe('TLSv1.2');
    expect(pair.client.cipher()).toEqual(full.client.cipher());
    expect(pair.client.selectedAlpnProtocol()).toBe('h2');
    expect(pair.server.selectedAlpnProtocol()).toBe('h2');
    expect(pair.client.group()).toBeNull();
    // getPeerCertificate on a resumed connection: the session's chain.
    expect(pair.client.getPeerCertificate({ binary: true })).toEqual(full.client.getPeerCertificate({ binary: true }));
    expect(pair.client.getPeerCertificate()).toEqual(full.client.getPeerCertificate());
    expect(pair.client.getPeerCertChain()).toEqual(full.client.getPeerCertChain());
    expect(pair.send('client', text.encode('ping'))).toEqual(text.encode('ping'));
    expect(pair.send('server', text.encode('pong'))).toEqual(text.encode('pong'));
    // Fresh keys: the same master secret with new randoms (RFC 5246 §6.3).
    expect(pair.client.exportKeyingMaterial('EXPERIMENTAL-x', 32)).toEqual(pair.server.exportKeyingMaterial('EXPERIMENTAL-x', 32));
    expect(pair.client.exportKeyingMaterial('EXPERIMENTAL-x', 32)).not.toEqual(full.client.exportKeyingMaterial('EXPERIMENTAL-x', 32));
    // tls-unique of an abbreviated handshake is the server's Finished, the first one (RFC 5929 §3.1).
    expect(pair.client.getChannelBinding('tls-unique')).toEqual(pair.server.getChannelBinding('tls-unique'));
    // No new ticket on resumption: the client keeps the session it resumed.
    expect(pair.client.session).toBe(session);
  });

  function encodeRecordsOf(hello: ClientHello): Uint8Array {
    return frame(ContentType.handshake, encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello)));
  }

  it('the server issues its ticket in a NewSessionTicket before its ChangeCipherSpec (RFC 5077 §3.3)', () => {
    const pair = new ConnectionPair(client(), server());
    expectWantRead(() => pair.client.doHandshake());
    pair.transfer();
    caught(() => pair.server.doHandshake());
    pair.transfer();
    caught(() => pair.client.doHandshake());
    pair.transfer();
    pair.server.doHandshake();
    const last = pair.serverOut.read();
    const records = parseRecords(last);
    expect(handshakeTypes(last)).toEqual([HandshakeType.new_session_ticket, -ContentType.change_cipher_spec, expect.any(Number)]);
    const ticket = decodeNewSessionTicket12(decodeHandshake(records[0]!.fragment).body);
    expect(ticket.lifetimeHint).toBe(7200);
    expect(ticket.ticket.length).toBeGreaterThan(28);
    pair.clientIn.write(last);
    pair.client.doHandshake();
    expect(pair.client.session!.ticket).toEqual(ticket.ticket);
  });

  it('resumes across server contexts that share ticket keys, with RSA and ChaCha20 too; a client certificate survives', () => {
    const keys = [new Uint8Array(32).fill(1)];
    const makeServer = () => {
      const context = server({ verifyMode: 'required' }, ['rsa']);
      context.loadVerifyLocations({ cadata: pki('ca.pem') });
      context.setTicketKeys(keys);
      return context;
    };
    const clientCtx = client({ cipherSuites: ['ECDHE-RSA-CHACHA20-POLY1305'] });
    clientCtx.loadCertChain(pki('client.pem'), pki('client.key'));
    const { session } = first(clientCtx, makeServer());
    const pair = resume(clientCtx, makeServer(), session);
    expect(pair.client.sessionReused).toBe(true);
    expect(pair.client.cipher()![0]).toBe('ECDHE-RSA-CHACHA20-POLY1305');
    expect(pair.server.getPeerCertificate({ binary: true })).not.toBeNull();
    expect((pair.server.getPeerCertificate() as { subject?: unknown }).subject).toBeDefined();
  });

  it('key rotation: a ticket sealed under a previous key resumes and is renewed under the current one (RFC 5077 §3.3)', () => {
    const [k1, k2] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const withKeys = (keys: Uint8Array[]) => {
      const context = server();
      context.setTicketKeys(keys);
      return context;
    };
    const clientCtx = client();
    const { session } = first(clientCtx, withKeys([k1]));
    // Same key still current: resumed, no new ticket.
    const same = resume(clientCtx, withKeys([k1, k2]), session);
    expect([same.client.sessionReused, same.client.sessions]).toEqual([true, []]);
    // Rotated: k2 current, k1 kept for opening. The abbreviated handshake carries a NewSessionTicket under k2.
    const rotated = resume(clientCtx, withKeys([k2, k1]), session);
    expect([rotated.client.sessionReused, rotated.server.sessionReused]).toEqual([true, true]);
    const renewed = rotated.client.session!;
    expect(rotated.client.sessions).toEqual([renewed]);
    expect(renewed.ticket).not.toEqual(session.ticket);
    expect(renewed.masterSecret).toEqual(session.masterSecret);
    expect(renewed.lifetime).toBeLessThanOrEqual(session.lifetime);
    // k1 dropped: the old ticket means a full handshake, the renewed one still resumes.
    expect(resume(clientCtx, withKeys([k2]), session).client.sessionReused).toBe(false);
    expect(resume(clientCtx, withKeys([k2]), renewed).client.sessionReused).toBe(true);
  });

  it('a ticket that does not open (another key, altered, another context) means a full handshake', () => {
    const clientCtx = client();
    const serverCtx = server();
    const { session } = first(clientCtx, serverCtx);

    const otherKeys = server();
    otherKeys.setTicketKeys([new Uint8Array(32).fill(9)]);
    const rotated = resume(clientCtx, otherKeys, session);
    expect([rotated.client.sessionReused, rotated.server.sessionReused]).toEqual([false, false]);
    // The full handshake issued a fresh ticket.
    expect(rotated.client.session).not.toBe(session);
    expect(resume(clientCtx, otherKeys, rotated.client.session!).client.sessionReused).toBe(true);

    // A ticket altered in one byte (through the serialised session): AEAD refuses it; full handshake.
    const bytes = session.toBytes();
    bytes[7 + 20]! ^= 0x01; // magic(4) + format(1) + length(2), then inside the ticket
    const tampered = TLSSession.fromBytes(bytes);
    expect(tampered.ticket).not.toEqual(session.ticket);
    const full = resume(clientCtx, serverCtx, tampered);
    expect([full.client.sessionReused, full.server.sessionReused]).toEqual([false, false]);

    // Session tickets turned off on the server: no ticket accepted, none issued.
    const noTickets = server({ sessionTickets: false });
    noTickets.setTicketKeys([new Uint8Array(32).fill(9)]);
    const off = resume(clientCtx, noTickets, rotated.client.session!);
    expect(off.client.sessionReused).toBe(false);
    expect(off.client.sessions).toEqual([]);
  });

  it('the server resumes only a sealed state that is TLS 1.2, EMS, of its sessionIdContext and alive', () => {
    const clientCtx = client();
    const serverCtx = server();
    const { session } = first(clientCtx, serverCtx);
    const base: SessionState = { ...session.state, sessionIdContext: serverCtx.sessionIdContextBytes };
    // What the server answers when the ticket in the ClientHello is `state` sealed under its own keys.
    const echoes = (state: SessionState) => {
      const ticket = serverCtx.ticketKeys.seal(encodeTicketState(state));
      const pair = new ConnectionPair(clientCtx, serverCtx, { session });
      expectWantRead(() => pair.client.doHandshake());
      const hello = decodeClientHello(firstMessage(pair.clientOut.read()).body);
      const extensions = hello.extensions.map((e) => (e.type === ExtensionType.session_ticket ? { type: e.type, data: ticket } : e));
      pair.serverIn.write(encodeRecordsOf({ ...hello, extensions }));
      expectWantRead(() => pair.server.doHandshake());
      return decodeServerHello(firstMessage(pair.serverOut.read()).body).legacySessionIdEcho.length > 0;
    };
    expect(echoes(base)).toBe(true);
    expect(echoes({ ...base, version: TLSVersion.TLSv1_3, secret: base.secret.subarray(0, 32) })).toBe(false);
    expect(echoes({ ...base, extendedMasterSecret: false })).toBe(false);
    expect(echoes({ ...base, sessionIdContext: new Uint8Array(32).fill(7) })).toBe(false);
    expect(echoes({ ...base, createdAt: Date.now() - 7201 * 1000 })).toBe(false);
    expect(echoes({ ...base, createdAt: Date.now() + 60_000 })).toBe(false);
    // A suite the client does not offer for TLS 1.2 (here a TLS 1.3 one): no resumption.
    expect(echoes({ ...base, cipherSuite: 0x1301 })).toBe(false);
  });

  it('a session is not offered when expired by the client clock, or when its suite is no longer enabled', () => {
    let now = Date.now();
    const clientCtx = client({ now: () => new Date(now) });
    const serverCtx = server({ now: () => new Date(now) });
    const { session } = first(clientCtx, serverCtx);
    now += 7200 * 1000;
    const expired = new ConnectionPair(clientCtx, serverCtx, { session });
    caught(() => expired.client.doHandshake());
    const hello = decodeClientHello(firstMessage(expired.clientOut.read()).body);
    expect(findExtension(hello.extensions, ExtensionType.session_ticket)).toEqual(new Uint8Array(0));
    // The same server clock refuses the ticket too: from a client whose clock lags, a stale ticket is a full handshake.
    const laggingClient = client({ now: () => new Date(now - 3600 * 1000) });
    const { session: fresh } = first(laggingClient, server({ now: () => new Date(now - 3600 * 1000) }));
    expect(resume(laggingClient, serverCtx, fresh).client.sessionReused).toBe(false);
  });

  it('the server resumes only a suite the client offers and it still enables, for the same SNI name', () => {
    const keys = [new Uint8Array(32).fill(3)];
    const serverCtx = server();
    serverCtx.setTicketKeys(keys);
    // Two client contexts with the same trust and versions share a sessionIdContext: the session moves between them.
    const { session } = first(client({ cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] }), serverCtx);
    expect(session.cipherSuite).toBe(0xc02c);
    const clientCtx = client({ cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES128-GCM-SHA256'] });
    expect(resume(clientCtx, serverCtx, session).client.sessionReused).toBe(true);
    const narrower = server({ cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] });
    narrower.setTicketKeys(keys);
    const pair = resume(clientCtx, narrower, session);
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.client.cipher()![0]).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('the server does not resume a session made for another SNI name (RFC 6066 §3), nor with a ticket it cannot echo', () => {
    const clientCtx = client();
    const serverCtx = server();
    const { session } = first(clientCtx, serverCtx);
    const answer = (edit: (hello: ClientHello) => ClientHello) => {
      const pair = new ConnectionPair(clientCtx, serverCtx, { session });
      expectWantRead(() => pair.client.doHandshake());
      pair.serverIn.write(encodeRecordsOf(edit(decodeClientHello(firstMessage(pair.clientOut.read()).body))));
      expectWantRead(() => pair.server.doHandshake());
      const hello = decodeServerHello(firstMessage(pair.serverOut.read()).body);
      return { echoed: hello.legacySessionIdEcho.length > 0, sni: findExtension(hello.extensions, ExtensionType.server_name) !== undefined };
    };
    expect(answer((h) => h)).toEqual({ echoed: true, sni: false });
    const renamed = (h: ClientHello) => ({ ...h, extensions: h.extensions.map((e) => (e.type === ExtensionType.server_name ? { type: e.type, data: encodeServerName('other.example') } : e)) });
    expect(answer(renamed)).toEqual({ echoed: false, sni: true });
  });

  it('a server that does not resume ignores the session id it cannot echo; the client goes on with a full handshake', () => {
    const clientCtx = client();
    const { session } = first(clientCtx, server());
    const pair = resume(clientCtx, server(), session); // another random ticket key
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.client.getPeerCertificate({ binary: true })).not.toBeNull();
  });

  it('a 1.3-capable client offers its 1.2 session and resumes it against a 1.2-only server', () => {
    const clientCtx = clientContext(provider);
    const serverCtx = server(TLS12_ONLY);
    const { session } = first(clientCtx, serverCtx);
    expect(session.version).toBe(TLSVersion.TLSv1_2);
    const pair = resume(clientCtx, serverCtx, session);
    expect(pair.client.sessionReused).toBe(true);
    expect(pair.client.version()).toBe('TLSv1.2');
  });

  it('a 1.2 session offered to a server that speaks TLS 1.3 is a full TLS 1.3 handshake, not an error', () => {
    const clientCtx = clientContext(provider);
    const { session } = first(clientCtx, server(TLS12_ONLY));
    const pair = resume(clientCtx, server(), session);
    expect([pair.client.version(), pair.client.sessionReused, pair.server.sessionReused]).toEqual(['TLSv1.3', false, false]);
  });

  it('requireExtendedMasterSecret: false — a session without EMS is never kept, and no ticket is issued for it', () => {
    const serverCtx = server({ requireExtendedMasterSecret: false });
    const pair = new ConnectionPair(client({ requireExtendedMasterSecret: false }), serverCtx);
    // The client drops extended_master_secret from its hello (what a client without RFC 7627 sends).
    caught(() => pair.client.doHandshake());
    const hello = decodeClientHello(firstMessage(pair.clientOut.read()).body);
    const stripped = { ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) };
    pair.serverIn.write(encodeRecordsOf(stripped));
    caught(() => pair.server.doHandshake());
    const serverHello = decodeServerHello(firstMessage(pair.serverOut.read()).body);
    expect(findExtension(serverHello.extensions, ExtensionType.session_ticket)).toBeUndefined();
  });

  it('a resumption without the extended master secret is refused with handshake_failure (RFC 7627 §5.3)', () => {
    const clientCtx = client();
    const serverCtx = server({ requireExtendedMasterSecret: false });
    const { session } = first(clientCtx, serverCtx);
    const pair = new ConnectionPair(clientCtx, serverCtx, { session });
    caught(() => pair.client.doHandshake());
    const hello = decodeClientHello(firstMessage(pair.clientOut.read()).body);
    const stripped = { ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) };
    pair.serverIn.write(encodeRecordsOf(stripped));
    const error = caught(() => pair.server.doHandshake());
    expect({ reason: error.reason, alert: error.alert?.name, sent: error.alert?.sent }).toEqual({ reason: 'INCONSISTENT_EXTMS', alert: 'handshake_failure', sent: true });
  });

  it('the client refuses a resumption without EMS, with another suite, or an echo without a ticket offered', () => {
    const clientCtx = client();
    const serverCtx = server();
    const { session } = first(clientCtx, serverCtx);
    const edited = (edit: (hello: ServerHello) => ServerHello, withSession = true) => {
      const pair = new ConnectionPair(withSession ? clientCtx : clientContext(provider), serverCtx, withSession ? { session } : {});
      caught(() => pair.client.doHandshake());
      const helloBytes = pair.clientOut.read();
      pair.serverIn.write(helloBytes);
      caught(() => pair.server.doHandshake());
      const [first, ...rest] = parseRecords(pair.serverOut.read());
      const message = decodeHandshake(first!.fragment);
      const serverHello = edit(decodeServerHello(message.body));
      pair.clientIn.write(concat(frame(ContentType.handshake, encodeHandshake(HandshakeType.server_hello, encodeServerHello(serverHello))), ...rest.map((r) => frame(r.type, r.fragment))));
      const error = caught(() => pair.client.doHandshake());
      return { reason: error.reason, alert: error.alert?.name, sent: error.alert?.sent };
    };
    expect(edited((h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) }))).toEqual({
      reason: 'EXTENDED_MASTER_SECRET_REQUIRED',
      alert: 'handshake_failure',
      sent: true,
    });
    expect(edited((h) => ({ ...h, cipherSuite: 0xc02c }))).toEqual({ reason: 'ILLEGAL_PARAMETER', alert: 'illegal_parameter', sent: true });
  });
});

