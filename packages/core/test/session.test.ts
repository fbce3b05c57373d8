/**
 * The session foundation on its own: TLSSession's byte format, ticket sealing (ticket-keys.ts), the ticket state
 * codec, the context's sessionIdContext, and wrapBio's checks of the session it is given.
 */
import { InvalidArgumentError, TLSVersion } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import { TLSContext } from '../src/context.js';
import { TLSSession } from '../src/session/session.js';
import { TicketKeys } from '../src/session/ticket-keys.js';
import { decodeTicketState, encodeTicketState, type SessionState } from '../src/session/ticket-state.js';
import { clientContext, pki } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function state(overrides: Partial<SessionState> = {}): SessionState {
  return {
    version: TLSVersion.TLSv1_3,
    cipherSuite: 0x1301,
    secret: bytes(32, 7),
    createdAt: 1_767_000_000_123,
    lifetime: 7200,
    ticketAgeAdd: 0xdeadbeef,
    sessionIdContext: bytes(32, 9),
    alpn: 'h2',
    serverName: 'example.com',
    peerCertificates: [bytes(300, 0x30), bytes(200, 0x31)],
    peerVerified: true,
    maxEarlyData: 0,
    extendedMasterSecret: false,
    ...overrides,
  };
}

/** `run` throws InvalidArgumentError BAD_SESSION (never a TypeError), or returns a session. */
function fromBytesOutcome(blob: Uint8Array): 'refused' | 'accepted' {
  try {
    TLSSession.fromBytes(blob);
    return 'accepted';
  } catch (error) {
    expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidArgumentError).reason).toBe('BAD_SESSION');
    return 'refused';
  }
}

describe('TLSSession bytes', () => {
  it('round-trips every field, TLS 1.3 and TLS 1.2', () => {
    for (const s of [state(), state({ version: TLSVersion.TLSv1_2, cipherSuite: 0xc02b, secret: bytes(48, 5), ticketAgeAdd: 0, alpn: undefined, serverName: undefined, peerCertificates: [], peerVerified: false, extendedMasterSecret: true })]) {
      const session = new TLSSession(bytes(120, 0xaa), s);
      const back = TLSSession.fromBytes(session.toBytes());
      expect(back.toBytes()).toEqual(session.toBytes());
      expect(back.state).toEqual(s);
      expect(back.ticket).toEqual(bytes(120, 0xaa));
      expect(back.version).toBe(s.version);
      expect(back.alpn).toBe(s.alpn);
      expect(back.serverName).toBe(s.serverName);
      expect(back.peerCertificates).toEqual(s.peerCertificates);
      if (s.version === TLSVersion.TLSv1_3) {
        expect(back.psk).toEqual(s.secret);
        expect(back.masterSecret).toBeUndefined();
      } else {
        expect(back.masterSecret).toEqual(s.secret);
        expect(back.psk).toBeUndefined();
        expect(back.extendedMasterSecret).toBe(true);
      }
    }
  });

  it('is immutable: accessors hand out copies', () => {
    const session = new TLSSession(bytes(40, 1), state());
    session.ticket.fill(0);
    session.psk!.fill(0);
    session.peerCertificates[0]!.fill(0);
    expect(session.ticket).toEqual(bytes(40, 1));
    expect(session.psk).toEqual(bytes(32, 7));
    expect(session.peerCertificates[0]).toEqual(bytes(300, 0x30));
    expect(() => ((session as { lifetime: number }).lifetime = 1)).toThrow(TypeError);
  });

  it('refuses every truncation, trailing bytes and a wrong magic or format with BAD_SESSION', () => {
    const blob = new TLSSession(bytes(64, 3), state()).toBytes();
    for (let length = 0; length < blob.length; length++) expect(fromBytesOutcome(blob.subarray(0, length)), `length ${length}`).toBe('refused');
    expect(fromBytesOutcome(new Uint8Array([...blob, 0]))).toBe('refused');
    for (const at of [0, 3, 4]) {
      const altered = blob.slice();
      altered[at]! ^= 0x01;
      expect(fromBytesOutcome(altered), `byte ${at}`).toBe('refused');
    }
    expect(() => TLSSession.fromBytes('not bytes' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it('never throws anything but BAD_SESSION for altered bytes (seeded)', () => {
    const blob = new TLSSession(bytes(64, 3), state()).toBytes();
    let seed = 0x1234567;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const altered = blob.slice();
      for (let flips = 1 + (next() % 3); flips > 0; flips--) altered[next() % altered.length] = next() & 0xff;
      fromBytesOutcome(altered);
    }
  });

  it('refuses fields out of range: version, secret length, lifetime, flags', () => {
    const base = new TLSSession(bytes(8, 3), state());
    const blob = base.toBytes();
    // version sits after magic(4) format(1) ticket(2 + 8)
    const at = 4 + 1 + 2 + 8;
    const badVersion = blob.slice();
    badVersion[at + 1] = 0x02; // 0x0302, TLS 1.1
    expect(fromBytesOutcome(badVersion)).toBe('refused');
    expect(fromBytesOutcome(new TLSSession(bytes(8, 3), state({ secret: bytes(31, 1) })).toBytes())).toBe('refused');
    expect(fromBytesOutcome(new TLSSession(bytes(8, 3), state({ version: TLSVersion.TLSv1_2, secret: bytes(32, 1) })).toBytes())).toBe('refused');
    expect(fromBytesOutcome(new TLSSession(bytes(8, 3), state({ lifetime: 604801 })).toBytes())).toBe('refused');
  });

  it('expires after its lifetime', () => {
    const session = new TLSSession(bytes(8, 3), state({ createdAt: 1_000_000, lifetime: 10 }));
    expect(session.isExpired(1_000_000)).toBe(false);
    expect(session.isExpired(1_009_999)).toBe(false);
    expect(session.isExpired(1_010_000)).toBe(true);
    expect(session.isExpired(999_999)).toBe(true); // made in the future: a clock that went back
  });
});

describe.each(providers)('ticket keys (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const keyA = bytes(32, 0xa1);
  const keyB = bytes(32, 0xb2);
  const plaintext = encodeTicketState(state());

  it('open what they sealed; another instance with the same keys opens it too', () => {
    const ticket = new TicketKeys(provider, [keyA]).seal(plaintext);
    expect(ticket.length).toBe(16 + 12 + plaintext.length + 16);
    expect(new TicketKeys(provider, [keyA]).open(ticket)).toEqual(plaintext);
    expect(decodeTicketState(new TicketKeys(provider, [keyA]).open(ticket)!)).toEqual(state());
  });

  it('give undefined for a forged, truncated, altered, rotated-out or unknown-key ticket', () => {
    const keys = new TicketKeys(provider, [keyA]);
    const ticket = keys.seal(plaintext);
    expect(keys.open(provider.randomBytes(ticket.length))).toBeUndefined();
    for (const length of [0, 1, 27, 43, 44, ticket.length - 1]) expect(keys.open(ticket.subarray(0, length)), `length ${length}`).toBeUndefined();
    for (const at of [0, 15, 16, 27, 28, ticket.length - 1]) {
      const altered = ticket.slice();
      altered[at]! ^= 0x80;
      expect(keys.open(altered), `byte ${at}`).toBeUndefined();
    }
    expect(new TicketKeys(provider, [keyB]).open(ticket)).toBeUndefined();
  });

  it('rotate: the new key seals, previous keys still open until they are dropped', () => {
    const old = new TicketKeys(provider, [keyA]).seal(plaintext);
    const rotated = new TicketKeys(provider, [keyB, keyA]);
    expect(rotated.open(old)).toEqual(plaintext);
    const fresh = rotated.seal(plaintext);
    expect(new TicketKeys(provider, [keyB]).open(fresh)).toEqual(plaintext);
    expect(new TicketKeys(provider, [keyA]).open(fresh)).toBeUndefined();
    expect(new TicketKeys(provider, [keyB]).open(old)).toBeUndefined();
  });

  it('refuse bad key lists', () => {
    for (const bad of [[], [bytes(31, 1)], [bytes(33, 1)], ['x'], Array.from({ length: 17 }, () => keyA)]) {
      expect(() => new TicketKeys(provider, bad as Uint8Array[])).toThrow(InvalidArgumentError);
    }
    const context = new TLSContext('server', { provider });
    expect(() => context.setTicketKeys([bytes(16, 1)])).toThrow(InvalidArgumentError);
    context.setTicketKeys([keyA, keyB]);
  });

  it('ticket state: truncations and trailing bytes decode to undefined', () => {
    for (let length = 0; length < plaintext.length; length++) expect(decodeTicketState(plaintext.subarray(0, length))).toBeUndefined();
    expect(decodeTicketState(new Uint8Array([...plaintext, 0]))).toBeUndefined();
    const otherFormat = plaintext.slice();
    otherFormat[0] = 2;
    expect(decodeTicketState(otherFormat)).toBeUndefined();
  });
});

describe.each(providers)('sessionIdContext and wrapBio(…, {session}) (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const sessionFor = (context: TLSContext, serverName: string | undefined) =>
    new TLSSession(bytes(40, 1), state({ sessionIdContext: context.sessionIdContext, serverName }));
  const wrap = (context: TLSContext, options: Parameters<TLSContext['wrapBio']>[2]) => context.wrapBio(new MemoryBIO(), new MemoryBIO(), options);

  it('is the same for the same configuration and differs when what a session vouches for differs', () => {
    const a = clientContext(provider);
    const b = clientContext(provider);
    expect(a.sessionIdContext).toEqual(b.sessionIdContext);
    expect(a.sessionIdContext.length).toBe(32);
    const otherTrust = new TLSContext('client', { provider });
    otherTrust.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    expect(otherTrust.sessionIdContext).not.toEqual(a.sessionIdContext);
    expect(clientContext(provider, { checkHostname: false }).sessionIdContext).not.toEqual(a.sessionIdContext);
    expect(clientContext(provider, { verifyMode: 'optional' }).sessionIdContext).not.toEqual(a.sessionIdContext);
    expect(clientContext(provider, { minimumVersion: TLSVersion.TLSv1_3 }).sessionIdContext).not.toEqual(a.sessionIdContext);
    // Options that do not change what a session vouches for keep it.
    expect(clientContext(provider, { alpnProtocols: ['h2'] }).sessionIdContext).toEqual(a.sessionIdContext);
  });

  it('can be set explicitly (1..32 bytes), before the context is in use', () => {
    const context = clientContext(provider);
    expect(() => (context.sessionIdContext = new Uint8Array(0))).toThrow(InvalidArgumentError);
    expect(() => (context.sessionIdContext = bytes(33, 1))).toThrow(InvalidArgumentError);
    context.sessionIdContext = bytes(5, 4);
    expect(context.sessionIdContext).toEqual(bytes(5, 4));
    const other = clientContext(provider, { sessionIdContext: bytes(5, 4), checkHostname: false });
    expect(other.sessionIdContext).toEqual(bytes(5, 4));
    wrap(context, { serverHostname: 'a.example' });
    expect(() => (context.sessionIdContext = bytes(5, 5))).toThrow(InvalidArgumentError);
  });

  it('wrapBio accepts a session of its own context and server name', () => {
    const context = clientContext(provider);
    const session = sessionFor(context, 'example.com');
    const connection = wrap(context, { serverHostname: 'example.com', session });
    expect(connection.sessionReused).toBe(false);
    expect(connection.session).toBeUndefined();
    // A fresh context with the same configuration accepts it: a session from another process.
    wrap(clientContext(provider), { serverHostname: 'example.com', session: TLSSession.fromBytes(session.toBytes()) });
  });

  it('wrapBio refuses a session of another context, another server name, or on a server', () => {
    const context = clientContext(provider);
    const session = sessionFor(context, 'example.com');
    const otherTrust = new TLSContext('client', { provider });
    otherTrust.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(InvalidArgumentError.isInstance(e)).toBe(true);
        return (e as InvalidArgumentError).reason;
      }
      return 'no error';
    };
    expect(error(() => wrap(otherTrust, { serverHostname: 'example.com', session }))).toBe('ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT');
    expect(error(() => wrap(clientContext(provider, { checkHostname: false }), { serverHostname: 'example.com', session }))).toBe(
      'ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT',
    );
    expect(error(() => wrap(context, { serverHostname: 'other.example', session }))).toBe('SESSION_SERVER_NAME_MISMATCH');
    expect(error(() => wrap(context, { serverHostname: 'example.com', session: { ...session } as TLSSession }))).toBe('INVALID_ARGUMENT');
    const server = new TLSContext('server', { provider });
    server.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
    expect(error(() => wrap(server, { session: sessionFor(server, undefined) }))).toBe('INVALID_ARGUMENT');
  });

  it('checks its ticket options', () => {
    expect(() => new TLSContext('server', { provider, ticketLifetime: 604801 })).toThrow(InvalidArgumentError);
    expect(() => new TLSContext('server', { provider, ticketLifetime: 0 })).toThrow(InvalidArgumentError);
    expect(() => new TLSContext('server', { provider, ticketsPerHandshake: 17 })).toThrow(InvalidArgumentError);
    const context = new TLSContext('server', { provider });
    expect([context.sessionTickets, context.ticketLifetime, context.ticketsPerHandshake]).toEqual([true, 7200, 2]);
    const off = new TLSContext('server', { provider, sessionTickets: false, ticketLifetime: 60, ticketsPerHandshake: 0 });
    expect([off.sessionTickets, off.ticketLifetime, off.ticketsPerHandshake]).toEqual([false, 60, 0]);
  });
});
