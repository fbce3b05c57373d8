/**
 * The TLS 1.3 engine against a peer that breaks the rules, one named case per violation: the side that detects it
 * fails with the exact reason and the alert RFC 8446 §6 asks for, and the other side receives that alert.
 *
 * Each case starts from the real bytes of a ConnectionPair, decodes them with msgs/ and record/ (protected records
 * with the secrets the key log hands out), changes them, re-encodes and re-seals them, and feeds them to the other
 * side's incoming BIO.
 */
import {
  AlertDescription,
  AlertError,
  EOFError,
  ProtocolError,
  WantReadError,
  ZeroReturnError,
  type TLSError,
} from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/codec/writer.js';
import type { TLSConnection } from '../src/connection.js';
import type { TLSContextOptions } from '../src/context.js';
import type { CryptoProvider } from '../src/crypto/provider.js';
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  NamedGroupId,
  decodeCertificate13,
  decodeCertificateVerify,
  decodeClientHello,
  decodeEncryptedExtensions,
  decodeHandshake,
  decodeServerHello,
  encodeCertificate13,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeHandshake,
  encodeKeyUpdate,
  encodeServerHello,
  encodeSupportedVersionsClient,
  type ClientHello,
  type Extension,
} from '../src/msgs/index.js';
import { suiteByName } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, readOrNull, serverContext, type CertKind } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { DirectionTap, concat, frame, fromHex, oneMessagePerRecord, parseRecords, type Logical } from './helpers/wire.js';

const SUITE = suiteByName('TLS_AES_128_GCM_SHA256')!;
const CCS = ContentType.change_cipher_spec;
const ALERT = ContentType.alert;
const HANDSHAKE = ContentType.handshake;
const APPLICATION_DATA = ContentType.application_data;

// ---- handshake message surgery ----

/** The one handshake message of a record's content. */
function message(record: Logical): { type: number; body: Uint8Array } {
  return decodeHandshake(record.content);
}

function withBody(record: Logical, body: Uint8Array): Logical {
  return { ...record, content: encodeHandshake(message(record).type, body) };
}

/** A ClientHello body written field by field, without the encoder's checks (duplicates are the point). */
function encodeClientHelloRaw(hello: ClientHello, trailing = new Uint8Array(0)): Uint8Array {
  const w = new ByteWriter();
  w.u16(hello.legacyVersion).bytes(hello.random);
  w.vector8((v) => v.bytes(hello.legacySessionId));
  w.vector16((v) => hello.cipherSuites.forEach((suite) => v.u16(suite)));
  w.vector8((v) => hello.legacyCompressionMethods.forEach((method) => v.u8(method)));
  w.vector16((v) => {
    for (const extension of hello.extensions) {
      v.u16(extension.type);
      v.vector16((data) => data.bytes(extension.data));
    }
  });
  w.bytes(trailing);
  return w.finish();
}

function replaceExtension(extensions: readonly Extension[], type: number, data: Uint8Array): Extension[] {
  return extensions.map((extension) => (extension.type === type ? { type, data } : extension));
}

// ---- a pair under test ----

/**
 * A ConnectionPair with the key log of both sides and one tap per direction. The suite is pinned to
 * TLS_AES_128_GCM_SHA256 (unless the options say otherwise) so that the taps know it before the handshake ends.
 */
class Bench {
  readonly pair: ConnectionPair;
  readonly keylog = new Map<string, Uint8Array>();
  /** Records from the server to the client. */
  readonly down: DirectionTap;
  /** Records from the client to the server. */
  readonly up: DirectionTap;

  constructor(
    readonly provider: CryptoProvider,
    options: { client?: TLSContextOptions; server?: TLSContextOptions; kinds?: CertKind[] } = {},
  ) {
    const client = clientContext(provider, { cipherSuites: [SUITE.name], ...options.client });
    // The bench replays the server's records one by one: it sends no NewSessionTickets (resumption has its own tests).
    const server = serverContext(provider, { sessionTickets: false, ...options.server }, options.kinds);
    for (const context of [client, server]) {
      context.setKeylogCallback((line) => {
        const [label, , secret] = line.split(' ');
        this.keylog.set(label!, fromHex(secret!));
      });
    }
    this.pair = new ConnectionPair(client, server);
    this.down = new DirectionTap(provider, SUITE, 'SERVER', this.keylog);
    this.up = new DirectionTap(provider, SUITE, 'CLIENT', this.keylog);
  }

  get client(): TLSConnection {
    return this.pair.client;
  }
  get server(): TLSConnection {
    return this.pair.server;
  }

  /** The client's ClientHello flight, taken out of its outgoing BIO. */
  clientHello(): Uint8Array {
    expectWantRead(() => this.client.doHandshake());
    return this.pair.clientOut.read();
  }

  /**
   * Delivers the ClientHello and returns the server's first flight, decoded (ServerHello … Finished), one record
   * per handshake message for the cases to edit (the server sends EncryptedExtensions … Finished in one record).
   */
  serverFlight(): Logical[] {
    this.pair.serverIn.write(this.clientHello());
    expectWantRead(() => this.server.doHandshake());
    return oneMessagePerRecord(this.down.decode(this.pair.serverOut.read()));
  }

  /** Runs the handshake up to the client's second flight, which it returns decoded (change_cipher_spec, Finished). */
  clientFinishedFlight(): Logical[] {
    this.pair.clientIn.write(this.down.encode(this.serverFlight()));
    this.client.doHandshake(); // completes on the client: its Finished is queued
    return this.up.decode(this.pair.clientOut.read());
  }

  /** A completed handshake, every byte moved and seen by the taps. */
  established(): void {
    this.pair.serverIn.write(this.up.encode(this.clientFinishedFlight()));
    this.server.doHandshake();
    expect(this.pair.serverOut.pending).toBe(0); // no NewSessionTicket: the taps stay in step
  }

  toServer(bytes = this.pair.clientOut.read()): void {
    this.pair.serverIn.write(bytes);
  }
  toClient(bytes = this.pair.serverOut.read()): void {
    this.pair.clientIn.write(bytes);
  }
}

// ---- expectations ----

/** The error's class, by the cross-copy check (class names are mangled by the bundler: `_ProtocolError`). */
function kindOf(error: TLSError): string {
  if (ProtocolError.isInstance(error)) return 'ProtocolError';
  if (AlertError.isInstance(error)) return 'AlertError';
  if (EOFError.isInstance(error)) return 'EOFError';
  return (error as TLSError).code; // AlertError adds no member: TypeScript would narrow `error` to never here
}

function expectWantRead(run: () => unknown): void {
  expect(caught(run)).toBeInstanceOf(WantReadError);
}

/** `run` fails with a ProtocolError of `reason` that sent `alert`; returns it. */
function expectDetected(run: () => unknown, reason: string, alert: string): TLSError {
  const error = caught(run);
  expect({ kind: kindOf(error), reason: error.reason, alert: error.alert?.name, sent: error.alert?.sent }).toEqual({
    kind: 'ProtocolError',
    reason,
    alert,
    sent: true,
  });
  expect(caught(run)).toBe(error); // RFC 8446 §6.2: the connection is dead, and says so every time
  return error;
}

/** `run` fails with the AlertError of the peer's `alert`. */
function expectAlert(run: () => unknown, alert: string): void {
  const error = caught(run);
  expect({ kind: kindOf(error), alert: error.alert?.name, received: error.alert?.received }).toEqual({ kind: 'AlertError', alert, received: true });
  expect(AlertError.isInstance(error)).toBe(true);
}

const text = (s: string) => new TextEncoder().encode(s);

describe.each(providers)('TLS 1.3 engine on bad input, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  describe('ClientHello', () => {
    /** Delivers a modified ClientHello to the server; checks its failure and the client's view of the alert. */
    function rejectClientHello(edit: (hello: ClientHello) => Uint8Array, reason: string, alert: string): void {
      const bench = new Bench(provider);
      const [record] = parseRecords(bench.clientHello());
      const hello = decodeClientHello(decodeHandshake(record!.fragment).body);
      bench.toServer(frame(HANDSHAKE, encodeHandshake(HandshakeType.client_hello, edit(hello)), record!.version));
      expectDetected(() => bench.server.doHandshake(), reason, alert);
      bench.toClient();
      expectAlert(() => bench.client.doHandshake(), alert);
    }

    it('refuses duplicate extensions with illegal_parameter (RFC 8446 §4.2)', () => {
      rejectClientHello(
        (hello) => {
          const groups = hello.extensions.find((e) => e.type === ExtensionType.supported_groups)!;
          return encodeClientHelloRaw({ ...hello, extensions: [groups, ...hello.extensions] });
        },
        'ILLEGAL_PARAMETER',
        'illegal_parameter',
      );
    });

    it('refuses trailing bytes after the extensions with decode_error (RFC 8446 §6.2)', () => {
      rejectClientHello((hello) => encodeClientHelloRaw(hello, new Uint8Array([0, 0])), 'DECODE_ERROR', 'decode_error');
    });

    it('refuses a supported_versions of only unknown versions with protocol_version (RFC 8446 §4.2.1)', () => {
      rejectClientHello(
        (hello) =>
          encodeClientHelloRaw({
            ...hello,
            extensions: replaceExtension(hello.extensions, ExtensionType.supported_versions, encodeSupportedVersionsClient([0x7f1c, 0x0a0a, 0x0305])),
          }),
        'UNSUPPORTED_PROTOCOL',
        'protocol_version',
      );
    });

    it('refuses an all-zero X25519 key share (a low-order point) with illegal_parameter (RFC 8446 §7.4.2)', () => {
      rejectClientHello(
        (hello) => {
          const share = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data.slice();
          share.fill(0, 6); // client_shares<..>, group, key_exchange<..>, then the 32 bytes of the point
          return encodeClientHelloRaw({ ...hello, extensions: replaceExtension(hello.extensions, ExtensionType.key_share, share) });
        },
        'INVALID_KEY_SHARE',
        'illegal_parameter',
      );
    });

    it('refuses a P-256 key share that is not on the curve with illegal_parameter (RFC 8446 §4.2.8.2)', () => {
      const bench = new Bench(provider, { client: { groups: ['secp256r1'] } });
      const [record] = parseRecords(bench.clientHello());
      const hello = decodeClientHello(decodeHandshake(record!.fragment).body);
      const share = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data.slice();
      expect(share.length).toBe(2 + 2 + 2 + 65);
      share[share.length - 1]! ^= 0x01; // y no longer matches x
      bench.toServer(frame(HANDSHAKE, encodeHandshake(HandshakeType.client_hello, encodeClientHelloRaw({ ...hello, extensions: replaceExtension(hello.extensions, ExtensionType.key_share, share) }))));
      expectDetected(() => bench.server.doHandshake(), 'INVALID_KEY_SHARE', 'illegal_parameter');
      bench.toClient();
      expectAlert(() => bench.client.doHandshake(), 'illegal_parameter');
    });

    it('refuses a plaintext record over 2^14 bytes with record_overflow (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const [record] = parseRecords(bench.clientHello());
      const hello = decodeClientHello(decodeHandshake(record!.fragment).body);
      const padded = encodeClientHelloRaw({
        ...hello,
        extensions: [...hello.extensions.slice(0, -1), { type: ExtensionType.padding, data: new Uint8Array(16384) }, hello.extensions.at(-1)!],
      });
      bench.toServer(frame(HANDSHAKE, encodeHandshake(HandshakeType.client_hello, padded)));
      expectDetected(() => bench.server.doHandshake(), 'RECORD_OVERFLOW', 'record_overflow');
      bench.toClient();
      expectAlert(() => bench.client.doHandshake(), 'record_overflow');
    });

    it('refuses bytes after the ClientHello in its record: the server changes keys there (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const [record] = parseRecords(bench.clientHello());
      // The start of another message: the server must not read it under the keys it installs after the ClientHello.
      bench.toServer(frame(HANDSHAKE, concat(record!.fragment, new Uint8Array([HandshakeType.finished, 0, 0, 32, 1, 2])), record!.version));
      expectDetected(() => bench.server.doHandshake(), 'NOT_ON_RECORD_BOUNDARY', 'unexpected_message');
      bench.toClient();
      // The ServerHello went out before the server installed its read keys: the client takes it, then the alert,
      // protected under the server handshake keys it now shares.
      expectAlert(() => bench.client.doHandshake(), 'unexpected_message');
    });

    it('refuses a ClientHello over limits.maxHandshakeMessageSize with illegal_parameter', () => {
      const bench = new Bench(provider, { server: { limits: { maxHandshakeMessageSize: 64 } } });
      bench.toServer(bench.clientHello());
      expectDetected(() => bench.server.doHandshake(), 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
      bench.toClient();
      expectAlert(() => bench.client.doHandshake(), 'illegal_parameter');
    });

    it('answers HTTP with WRONG_VERSION_NUMBER and a plaintext protocol_version alert', () => {
      const bench = new Bench(provider);
      bench.toServer(text('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      expectDetected(() => bench.server.doHandshake(), 'WRONG_VERSION_NUMBER', 'protocol_version');
      // RFC 8446 §6: a fatal alert, unprotected (no keys exist), in a record an HTTP client can at least see.
      expect(bench.pair.serverOut.read()).toEqual(frame(ALERT, new Uint8Array([2, AlertDescription.protocol_version])));
    });

    it('reports a ClientHello cut short by the end of the stream as EOFError', () => {
      const bench = new Bench(provider);
      const hello = bench.clientHello();
      bench.toServer(hello.subarray(0, 100));
      expectWantRead(() => bench.server.doHandshake());
      bench.pair.serverIn.writeEof();
      const error = caught(() => bench.server.doHandshake());
      expect(error).toBeInstanceOf(EOFError);
      expect(bench.pair.serverOut.pending).toBe(0); // no alert for a transport that is gone
      expect(caught(() => bench.server.doHandshake())).toBe(error);
    });
  });

  describe('ServerHello and HelloRetryRequest', () => {
    /**
     * Replaces the server's ServerHello with `edit(hello)` and checks the client's failure, the alert on the wire
     * (plaintext: the client has no keys when a ServerHello fails) and the server's view of it. The server has
     * installed its handshake read keys by then; a client cannot protect this alert, so the server must still read it
     * (OpenSSL's ENC_READ_STATE_ALLOW_PLAIN_ALERTS).
     */
    function rejectServerHello(bench: Bench, flight: Uint8Array, edit: (body: Uint8Array) => Uint8Array, reason: string, alert: string): void {
      const [record, ...rest] = parseRecords(flight);
      const body = edit(decodeHandshake(record!.fragment).body);
      bench.toClient(concat(frame(HANDSHAKE, encodeHandshake(HandshakeType.server_hello, body)), ...rest.map((r) => frame(r.type, r.fragment))));
      expectDetected(() => bench.client.doHandshake(), reason, alert);
      const out = bench.pair.clientOut.read();
      const last = parseRecords(out).at(-1)!;
      expect({ type: last.type, fragment: last.fragment }).toEqual({
        type: ALERT,
        fragment: new Uint8Array([2, AlertDescription[alert as keyof typeof AlertDescription]]),
      });
      bench.toServer(out);
      expectAlert(() => bench.server.doHandshake(), alert);
    }

    function serverFlightBytes(bench: Bench): Uint8Array {
      bench.toServer(bench.clientHello());
      expectWantRead(() => bench.server.doHandshake());
      return bench.pair.serverOut.read();
    }

    it('sends the alert that answers a bad ServerHello with legacy_record_version 0x0303 (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const [record, ...rest] = parseRecords(serverFlightBytes(bench));
      const body = encodeServerHello({ ...decodeServerHello(decodeHandshake(record!.fragment).body), legacyVersion: 0x0302 });
      bench.toClient(concat(frame(HANDSHAKE, encodeHandshake(HandshakeType.server_hello, body)), ...rest.map((r) => frame(r.type, r.fragment))));
      expectDetected(() => bench.client.doHandshake(), 'WRONG_SSL_VERSION', 'protocol_version');
      // Only the first ClientHello may say 0x0301; the alert after it is "any other record".
      expect(parseRecords(bench.pair.clientOut.read()).map((r) => [r.type, r.version])).toEqual([[ALERT, 0x0303]]);
    });

    it('refuses a legacy_version other than 0x0303 with protocol_version (RFC 8446 §4.1.3)', () => {
      const bench = new Bench(provider);
      rejectServerHello(
        bench,
        serverFlightBytes(bench),
        (body) => encodeServerHello({ ...decodeServerHello(body), legacyVersion: 0x0302 }),
        'WRONG_SSL_VERSION',
        'protocol_version',
      );
    });

    it('refuses a key_share for a group it sent no share for with illegal_parameter (RFC 8446 §4.2.8)', () => {
      const bench = new Bench(provider); // offers x25519, X25519MLKEM768, P-256, P-384; a share for x25519 only
      rejectServerHello(
        bench,
        serverFlightBytes(bench),
        (body) => {
          const hello = decodeServerHello(body);
          const share = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data.slice();
          share[0] = NamedGroupId.secp256r1 >>> 8;
          share[1] = NamedGroupId.secp256r1 & 0xff;
          return encodeServerHello({ ...hello, extensions: replaceExtension(hello.extensions, ExtensionType.key_share, share) });
        },
        'BAD_KEY_SHARE',
        'illegal_parameter',
      );
    });

    it('refuses an all-zero X25519 key share in the ServerHello with illegal_parameter (RFC 8446 §7.4.2)', () => {
      const bench = new Bench(provider);
      rejectServerHello(
        bench,
        serverFlightBytes(bench),
        (body) => {
          const hello = decodeServerHello(body);
          const share = hello.extensions.find((e) => e.type === ExtensionType.key_share)!.data.slice();
          share.fill(0, 4); // group, key_exchange<..>, then the point
          return encodeServerHello({ ...hello, extensions: replaceExtension(hello.extensions, ExtensionType.key_share, share) });
        },
        'INVALID_KEY_SHARE',
        'illegal_parameter',
      );
    });

    /** A pair where the server asks for P-256 in a HelloRetryRequest; returns the HRR flight and the server's answer to ClientHello2. */
    function retried(): { bench: Bench; hrr: Uint8Array; flight: Uint8Array } {
      const bench = new Bench(provider, {
        client: { cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'], groups: ['x25519', 'secp256r1'] },
        server: { groups: ['secp256r1'] },
      });
      bench.toServer(bench.clientHello());
      expectWantRead(() => bench.server.doHandshake());
      const hrr = bench.pair.serverOut.read();
      expect(decodeServerHello(decodeHandshake(parseRecords(hrr)[0]!.fragment).body).isHelloRetryRequest).toBe(true);
      bench.toClient(hrr);
      expectWantRead(() => bench.client.doHandshake());
      bench.toServer();
      expectWantRead(() => bench.server.doHandshake());
      return { bench, hrr, flight: bench.pair.serverOut.read() };
    }

    it('sends the second ClientHello with legacy_record_version 0x0303 (RFC 8446 §5.1)', () => {
      const { bench } = retried();
      expect(bench.pair.clientOut.pending).toBe(0);
      // retried() moved ClientHello2 already; run it again to look at the record.
      const again = new Bench(provider, {
        client: { groups: ['x25519', 'secp256r1'] },
        server: { groups: ['secp256r1'] },
      });
      again.toServer(again.clientHello());
      expectWantRead(() => again.server.doHandshake());
      again.toClient();
      expectWantRead(() => again.client.doHandshake());
      const records = parseRecords(again.pair.clientOut.read());
      expect(records.map((r) => [r.type, r.version])).toEqual([
        [CCS, 0x0303],
        [HANDSHAKE, 0x0303],
      ]);
    });

    it('refuses a HelloRetryRequest for a group it already sent a share for with illegal_parameter (RFC 8446 §4.2.8)', () => {
      const bench = new Bench(provider, { client: { groups: ['x25519', 'secp256r1'] }, server: { groups: ['secp256r1'] } });
      bench.toServer(bench.clientHello());
      expectWantRead(() => bench.server.doHandshake());
      rejectServerHello(
        bench,
        bench.pair.serverOut.read(),
        (body) => {
          const hrr = decodeServerHello(body);
          const share = new Uint8Array([NamedGroupId.x25519 >>> 8, NamedGroupId.x25519 & 0xff]);
          return encodeServerHello({ ...hrr, extensions: replaceExtension(hrr.extensions, ExtensionType.key_share, share) });
        },
        'BAD_KEY_SHARE',
        'illegal_parameter',
      );
    });

    it('refuses a HelloRetryRequest that asks for no change with illegal_parameter (RFC 8446 §4.1.4)', () => {
      const bench = new Bench(provider, { client: { groups: ['x25519', 'secp256r1'] }, server: { groups: ['secp256r1'] } });
      bench.toServer(bench.clientHello());
      expectWantRead(() => bench.server.doHandshake());
      rejectServerHello(
        bench,
        bench.pair.serverOut.read(),
        (body) => {
          const hrr = decodeServerHello(body);
          return encodeServerHello({ ...hrr, extensions: hrr.extensions.filter((e) => e.type !== ExtensionType.key_share) });
        },
        'ILLEGAL_PARAMETER',
        'illegal_parameter',
      );
    });

    it('refuses a second ClientHello with another random with illegal_parameter (RFC 8446 §4.1.2)', () => {
      const bench = new Bench(provider, { client: { groups: ['x25519', 'secp256r1'] }, server: { groups: ['secp256r1'] } });
      bench.toServer(bench.clientHello());
      expectWantRead(() => bench.server.doHandshake());
      bench.toClient();
      expectWantRead(() => bench.client.doHandshake());
      const records = parseRecords(bench.pair.clientOut.read());
      const edited = records.map((r) => {
        if (r.type !== HANDSHAKE) return frame(r.type, r.fragment, r.version);
        const hello = decodeClientHello(decodeHandshake(r.fragment).body);
        const random = hello.random.slice();
        random[0]! ^= 0xff;
        return frame(HANDSHAKE, encodeHandshake(HandshakeType.client_hello, encodeClientHelloRaw({ ...hello, random })), r.version);
      });
      bench.toServer(concat(...edited));
      expectDetected(() => bench.server.doHandshake(), 'ILLEGAL_PARAMETER', 'illegal_parameter');
      bench.toClient();
      expectAlert(() => bench.client.doHandshake(), 'illegal_parameter');
    });

    it('refuses a second HelloRetryRequest with unexpected_message (RFC 8446 §4.1.4)', () => {
      const { bench, hrr, flight } = retried();
      // The ServerHello is replaced by the first HelloRetryRequest again.
      const hrrBody = decodeHandshake(parseRecords(hrr)[0]!.fragment).body;
      rejectServerHello(bench, flight, () => hrrBody, 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });

    it('refuses a ServerHello that changes the suite the HelloRetryRequest chose with illegal_parameter (RFC 8446 §4.1.4)', () => {
      const { bench, flight } = retried();
      rejectServerHello(
        bench,
        flight,
        (body) => encodeServerHello({ ...decodeServerHello(body), cipherSuite: 0x1303 }),
        'WRONG_CIPHER_RETURNED',
        'illegal_parameter',
      );
    });
  });

  describe('the server flight, re-sealed under the server handshake keys', () => {
    /** Feeds the edited flight to the client; checks its failure and the server's view of the (protected) alert. */
    function rejectFlight(bench: Bench, flight: readonly Logical[], reason: string, alert: string): void {
      bench.toClient(bench.down.encode(flight));
      expectDetected(() => bench.client.doHandshake(), reason, alert);
      bench.toServer();
      expectAlert(() => bench.server.doHandshake(), alert);
    }

    /** The index of the record holding handshake message `type`. */
    function indexOf(flight: readonly Logical[], type: number): number {
      const index = flight.findIndex((r) => r.type === HANDSHAKE && message(r).type === type);
      expect(index).toBeGreaterThan(-1);
      return index;
    }

    function editMessage(flight: Logical[], type: number, edit: (body: Uint8Array) => Uint8Array): Logical[] {
      const index = indexOf(flight, type);
      return flight.map((r, i) => (i === index ? withBody(r, edit(message(r).body)) : r));
    }

    it('has the shape these cases assume: ServerHello, change_cipher_spec, then four protected messages', () => {
      const flight = new Bench(provider).serverFlight();
      expect(flight.map((r) => [r.epoch, r.type, r.type === HANDSHAKE ? message(r).type : r.content[0]])).toEqual([
        [-1, HANDSHAKE, HandshakeType.server_hello],
        [-1, CCS, 1],
        [0, HANDSHAKE, HandshakeType.encrypted_extensions],
        [0, HANDSHAKE, HandshakeType.certificate],
        [0, HANDSHAKE, HandshakeType.certificate_verify],
        [0, HANDSHAKE, HandshakeType.finished],
      ]);
    });

    it('completes the handshake when the flight is only re-sealed (the harness changes nothing by itself)', () => {
      const bench = new Bench(provider);
      bench.established();
      expect(bench.pair.send('client', text('ping'))).toEqual(text('ping'));
    });

    it('refuses application data before the server Finished with unexpected_message (RFC 8446 §2)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const data: Logical = { type: APPLICATION_DATA, content: text('too early'), epoch: 0, seq: 0, padding: 0 };
      rejectFlight(bench, [...flight.slice(0, 3), data, ...flight.slice(3)], 'UNEXPECTED_RECORD', 'unexpected_message');
    });

    it('refuses a plaintext record once the handshake keys are in force with unexpected_message (RFC 8446 §5.2)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const plainEncryptedExtensions = { ...flight[2]!, epoch: -1 };
      rejectFlight(bench, [flight[0]!, flight[1]!, plainEncryptedExtensions, ...flight.slice(3)], 'UNEXPECTED_RECORD', 'unexpected_message');
    });

    it('refuses early_data in EncryptedExtensions when we offered no 0-RTT with unsupported_extension (RFC 8446 §4.2, §4.2.10)', () => {
      const bench = new Bench(provider);
      const flight = editMessage(bench.serverFlight(), HandshakeType.encrypted_extensions, (body) => {
        const { extensions } = decodeEncryptedExtensions(body);
        return encodeEncryptedExtensions({ extensions: [...extensions, { type: ExtensionType.early_data, data: new Uint8Array(0) }] });
      });
      rejectFlight(bench, flight, 'UNSOLICITED_EXTENSION', 'unsupported_extension');
    });

    it('refuses ServerHello and EncryptedExtensions in one record: a key change off a record boundary (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const merged: Logical = { ...flight[0]!, content: concat(flight[0]!.content, flight[2]!.content) };
      // The protected records that follow are numbered from 0: the client would take EncryptedExtensions as read.
      bench.toClient(bench.down.encode([merged, flight[1]!, ...flight.slice(3)], new Map([[0, 0]])));
      expectDetected(() => bench.client.doHandshake(), 'NOT_ON_RECORD_BOUNDARY', 'unexpected_message');
      bench.toServer();
      expectAlert(() => bench.server.doHandshake(), 'unexpected_message');
    });

    it('refuses a change_cipher_spec whose value is not 1 with unexpected_message (RFC 8446 §5)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      rejectFlight(bench, flight.map((r) => (r.type === CCS ? { ...r, content: new Uint8Array([2]) } : r)), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
    });

    it('refuses a change_cipher_spec of two bytes with unexpected_message (RFC 8446 §5)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      rejectFlight(bench, flight.map((r) => (r.type === CCS ? { ...r, content: new Uint8Array([1, 1]) } : r)), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
    });

    it('refuses an alert inside a fragmented handshake message with unexpected_message (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const index = indexOf(flight, HandshakeType.certificate);
      const certificate = flight[index]!;
      // user_canceled alone would be accepted (RFC 8446 §6.1); here it splits the Certificate message in two.
      const parts: Logical[] = [
        { ...certificate, content: certificate.content.slice(0, 100) },
        { ...certificate, type: ALERT, content: new Uint8Array([1, AlertDescription.user_canceled]) },
        { ...certificate, content: certificate.content.slice(100) },
      ];
      rejectFlight(bench, [...flight.slice(0, index), ...parts, ...flight.slice(index + 1)], 'UNEXPECTED_RECORD', 'unexpected_message');
    });

    it('accepts the same Certificate message split across records with nothing between them', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const index = indexOf(flight, HandshakeType.certificate);
      const certificate = flight[index]!;
      const parts = [1, 2, 100, 1000].map((cut, i, cuts) => ({ ...certificate, content: certificate.content.slice(i === 0 ? 0 : cuts[i - 1], cut) }));
      parts.push({ ...certificate, content: certificate.content.slice(1000) });
      bench.toClient(bench.down.encode([...flight.slice(0, index), ...parts, ...flight.slice(index + 1)]));
      bench.client.doHandshake();
      expect(bench.client.handshakeComplete).toBe(true);
    });

    it('refuses a server Certificate over limits.maxHandshakeMessageSize with illegal_parameter', () => {
      const bench = new Bench(provider, { client: { limits: { maxHandshakeMessageSize: 500 } } });
      const flight = bench.serverFlight();
      expect(flight[indexOf(flight, HandshakeType.certificate)]!.content.length).toBeGreaterThan(504);
      rejectFlight(bench, flight, 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
    });

    it('refuses a chain longer than limits.maxCertificateChainLength with illegal_parameter', () => {
      const bench = new Bench(provider, { client: { limits: { maxCertificateChainLength: 1 } } });
      const flight = bench.serverFlight(); // leaf + intermediate
      rejectFlight(bench, flight, 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
    });

    it('refuses eleven certificates under the default limit of ten with illegal_parameter', () => {
      const bench = new Bench(provider);
      const flight = editMessage(bench.serverFlight(), HandshakeType.certificate, (body) => {
        const certificate = decodeCertificate13(body);
        return encodeCertificate13({ ...certificate, entries: Array.from({ length: 11 }, () => certificate.entries[0]!) });
      });
      rejectFlight(bench, flight, 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
    });

    it('refuses an empty server Certificate with decode_error (RFC 8446 §4.4.2.4)', () => {
      const bench = new Bench(provider);
      const flight = editMessage(bench.serverFlight(), HandshakeType.certificate, (body) =>
        encodeCertificate13({ ...decodeCertificate13(body), entries: [] }),
      );
      rejectFlight(bench, flight, 'NO_CERTIFICATES_RETURNED', 'decode_error');
    });

    it('refuses a CertificateVerify scheme it did not offer with illegal_parameter (RFC 8446 §4.4.3)', () => {
      const bench = new Bench(provider, { client: { signatureSchemes: ['ecdsa_secp256r1_sha256'] } });
      const flight = editMessage(bench.serverFlight(), HandshakeType.certificate_verify, (body) =>
        encodeCertificateVerify({ ...decodeCertificateVerify(body), scheme: 0x0807 }),
      );
      rejectFlight(bench, flight, 'WRONG_SIGNATURE_TYPE', 'illegal_parameter');
    });

    it('refuses RSASSA-PKCS1-v1_5 in CertificateVerify, although offered for certificates, with illegal_parameter (RFC 8446 §4.2.3)', () => {
      const bench = new Bench(provider, { kinds: ['rsa'] });
      const flight = editMessage(bench.serverFlight(), HandshakeType.certificate_verify, (body) =>
        encodeCertificateVerify({ ...decodeCertificateVerify(body), scheme: 0x0401 }),
      );
      rejectFlight(bench, flight, 'WRONG_SIGNATURE_TYPE', 'illegal_parameter');
    });

    it('refuses a CertificateVerify signature that does not verify with decrypt_error (RFC 8446 §4.4.3)', () => {
      const bench = new Bench(provider);
      const flight = editMessage(bench.serverFlight(), HandshakeType.certificate_verify, (body) => {
        const verify = decodeCertificateVerify(body);
        const signature = verify.signature.slice();
        signature[signature.length - 1]! ^= 0x01;
        return encodeCertificateVerify({ ...verify, signature });
      });
      rejectFlight(bench, flight, 'BAD_SIGNATURE', 'decrypt_error');
    });

    it('refuses a server Finished that does not verify with decrypt_error (RFC 8446 §4.4.4)', () => {
      const bench = new Bench(provider);
      const flight = editMessage(bench.serverFlight(), HandshakeType.finished, (body) => {
        const verifyData = body.slice();
        verifyData[0]! ^= 0x80;
        return verifyData;
      });
      rejectFlight(bench, flight, 'DIGEST_CHECK_FAILED', 'decrypt_error');
    });

    it('refuses a second plaintext change_cipher_spec with unexpected_message (one is tolerated, RFC 8446 §5, §D.4)', () => {
      const bench = new Bench(provider);
      const flight = bench.serverFlight();
      const ccs = flight[1]!;
      rejectFlight(bench, [flight[0]!, ccs, ccs, ...flight.slice(2)], 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
    });
  });

  describe("the client's second flight, re-sealed under the client handshake keys", () => {
    /** Feeds the edited flight to the server; checks its failure and the client's view of the alert. */
    function rejectClientFlight(bench: Bench, flight: readonly Logical[], reason: string, alert: string): void {
      bench.toServer(bench.up.encode(flight));
      expectDetected(() => bench.server.doHandshake(), reason, alert);
      bench.toClient();
      expectAlert(() => bench.client.read(), alert);
    }

    it('refuses application data before the client Finished with unexpected_message (RFC 8446 §2)', () => {
      const bench = new Bench(provider);
      const [ccs, finished] = bench.clientFinishedFlight();
      const data: Logical = { type: APPLICATION_DATA, content: text('too early'), epoch: 0, seq: 0, padding: 0 };
      rejectClientFlight(bench, [ccs!, data, finished!], 'UNEXPECTED_RECORD', 'unexpected_message');
    });

    it('refuses a client Finished that does not verify with decrypt_error (RFC 8446 §4.4.4)', () => {
      const bench = new Bench(provider);
      const [ccs, finished] = bench.clientFinishedFlight();
      const verifyData = message(finished!).body.slice();
      verifyData[verifyData.length - 1]! ^= 0x01;
      rejectClientFlight(bench, [ccs!, withBody(finished!, verifyData)], 'DIGEST_CHECK_FAILED', 'decrypt_error');
    });

    it('refuses a KeyUpdate in the record of the client Finished: a key change off a record boundary (RFC 8446 §5.1)', () => {
      const bench = new Bench(provider);
      const [ccs, finished] = bench.clientFinishedFlight();
      const merged = { ...finished!, content: concat(finished!.content, encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(false))) };
      rejectClientFlight(bench, [ccs!, merged], 'NOT_ON_RECORD_BOUNDARY', 'unexpected_message');
    });
  });

  describe('after the handshake', () => {
    /** An established pair; `send` seals records as the server would under SERVER_TRAFFIC_SECRET_0. */
    function established(options: { client?: TLSContextOptions } = {}): Bench {
      const bench = new Bench(provider, options);
      bench.established();
      expect(bench.down.next).toEqual({ epoch: 1, seq: 0 });
      return bench;
    }

    /** The client detects `reason`; the server reads the alert (protected under the client's traffic keys). */
    function rejectAtClient(bench: Bench, bytes: Uint8Array, reason: string, alert: string): void {
      bench.toClient(bytes);
      expectDetected(() => bench.client.read(), reason, alert);
      bench.toServer();
      expectAlert(() => bench.server.read(), alert);
    }

    it('refuses a record header announcing more than 2^14 + 256 bytes with record_overflow (RFC 8446 §5.2)', () => {
      const bench = established();
      rejectAtClient(bench, new Uint8Array([APPLICATION_DATA, 3, 3, (16640 + 1) >>> 8, (16640 + 1) & 0xff]), 'RECORD_OVERFLOW', 'record_overflow');
    });

    it('refuses a protected record whose plaintext exceeds 2^14 bytes with record_overflow (RFC 8446 §5.4)', () => {
      const bench = established();
      const record = bench.down.keys(1).seal(0, APPLICATION_DATA, new Uint8Array(16385));
      expect(record.length - 5).toBeLessThanOrEqual(16640); // within the ciphertext limit: only the plaintext is too long
      rejectAtClient(bench, record, 'RECORD_OVERFLOW', 'record_overflow');
    });

    it('accepts a protected record of exactly 2^14 bytes of plaintext', () => {
      const bench = established();
      bench.toClient(bench.down.keys(1).seal(0, APPLICATION_DATA, new Uint8Array(16384).fill(7)));
      expect(bench.client.read()).toEqual(new Uint8Array(16384).fill(7));
    });

    it('refuses an inner plaintext of only zeros (no content type) with unexpected_message (RFC 8446 §5.4)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).sealInner(0, new Uint8Array(40)), 'BAD_RECORD_TYPE', 'unexpected_message');
    });

    it('refuses an unknown inner content type with unexpected_message (RFC 8446 §5)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, 0x42, text('x')), 'BAD_RECORD_TYPE', 'unexpected_message');
    });

    it('refuses a protected change_cipher_spec with unexpected_message (RFC 8446 §5)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, CCS, new Uint8Array([1])), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
    });

    it('accepts padding after the content type (RFC 8446 §5.4)', () => {
      const bench = established();
      bench.toClient(bench.down.keys(1).seal(0, APPLICATION_DATA, text('padded'), 1000));
      expect(bench.client.read()).toEqual(text('padded'));
    });

    it('refuses a change_cipher_spec after the handshake with unexpected_message (RFC 8446 §5)', () => {
      const bench = established();
      rejectAtClient(bench, frame(CCS, new Uint8Array([1])), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
    });

    it('refuses a plaintext handshake record once the traffic keys are in force with unexpected_message (RFC 8446 §5.2)', () => {
      const bench = established();
      rejectAtClient(bench, frame(HANDSHAKE, encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(false))), 'UNEXPECTED_RECORD', 'unexpected_message');
    });

    it('refuses a ciphertext changed in transit with bad_record_mac (RFC 8446 §5.2)', () => {
      const bench = established();
      const record = bench.down.keys(1).seal(0, APPLICATION_DATA, text('integrity'));
      record[record.length - 20]! ^= 0x04;
      rejectAtClient(bench, record, 'BAD_RECORD_MAC', 'bad_record_mac');
    });

    it('refuses more than limits.maxEmptyRecords empty records in a row with unexpected_message', () => {
      const bench = established();
      const keys = bench.down.keys(1);
      const empties = Array.from({ length: 33 }, (_, seq) => keys.seal(seq, APPLICATION_DATA, new Uint8Array(0)));
      rejectAtClient(bench, concat(...empties), 'TOO_MANY_EMPTY_RECORDS', 'unexpected_message');
    });

    it('accepts limits.maxEmptyRecords empty records, then data', () => {
      const bench = established();
      const keys = bench.down.keys(1);
      const empties = Array.from({ length: 32 }, (_, seq) => keys.seal(seq, APPLICATION_DATA, new Uint8Array(0)));
      bench.toClient(concat(...empties, keys.seal(32, APPLICATION_DATA, text('finally'))));
      expect(bench.client.read()).toEqual(text('finally'));
    });

    it('refuses more than limits.maxKeyUpdates KeyUpdates without data with unexpected_message', () => {
      const bench = established();
      for (let i = 0; i < 33; i++) bench.server.keyUpdate();
      rejectAtClient(bench, bench.pair.serverOut.read(), 'TOO_MANY_KEY_UPDATES', 'unexpected_message');
    });

    it('accepts limits.maxKeyUpdates KeyUpdates, then data under the 32nd key', () => {
      const bench = established();
      for (let i = 0; i < 32; i++) bench.server.keyUpdate();
      bench.server.write(text('rekeyed'));
      bench.toClient();
      expect(bench.client.read()).toEqual(text('rekeyed'));
    });

    it('refuses a KeyUpdate that shares its record with the next message: a key change off a record boundary (RFC 8446 §5.1)', () => {
      const bench = established();
      const update = encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(false));
      rejectAtClient(bench, bench.down.keys(1).seal(0, HANDSHAKE, concat(update, update)), 'NOT_ON_RECORD_BOUNDARY', 'unexpected_message');
    });

    it('refuses a KeyUpdate whose request byte is neither 0 nor 1 with illegal_parameter (RFC 8446 §4.6.3)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, HANDSHAKE, encodeHandshake(HandshakeType.key_update, new Uint8Array([2]))), 'ILLEGAL_PARAMETER', 'illegal_parameter');
    });

    it('refuses a handshake message other than KeyUpdate or NewSessionTicket with unexpected_message (RFC 8446 §4.6)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, HANDSHAKE, encodeHandshake(HandshakeType.finished, new Uint8Array(32))), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });

    it('refuses more than limits.maxWarningAlerts user_canceled alerts in a row with unexpected_message', () => {
      const bench = established();
      const keys = bench.down.keys(1);
      const alerts = Array.from({ length: 5 }, (_, seq) => keys.seal(seq, ALERT, new Uint8Array([1, AlertDescription.user_canceled])));
      rejectAtClient(bench, concat(...alerts), 'TOO_MANY_WARN_ALERTS', 'unexpected_message');
    });

    it('refuses an alert record of three bytes with decode_error (RFC 8446 §5.1: alerts are never coalesced)', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, ALERT, new Uint8Array([2, 40, 0])), 'INVALID_ALERT', 'decode_error');
    });

    it('refuses an alert level other than warning or fatal with illegal_parameter', () => {
      const bench = established();
      rejectAtClient(bench, bench.down.keys(1).seal(0, ALERT, new Uint8Array([3, 40])), 'UNKNOWN_ALERT_TYPE', 'illegal_parameter');
    });

    it('takes a warning-level error alert as fatal, and carries an unknown description (RFC 8446 §6)', () => {
      const bench = established();
      bench.toClient(bench.down.keys(1).seal(0, ALERT, new Uint8Array([1, 200])));
      const error = caught(() => bench.client.read());
      expect({ kind: kindOf(error), reason: error.reason, alert: error.alert?.name }).toEqual({ kind: 'AlertError', reason: 'SSL_ALERT_NUMBER_200', alert: 'unknown(200)' });
      expect(bench.pair.clientOut.pending).toBe(0); // no alert answers an alert
    });

    it('ignores whatever follows close_notify, even bytes that are not TLS (RFC 8446 §6.1)', () => {
      const bench = established();
      bench.server.write(text('last words'));
      expectWantRead(() => bench.server.unwrap());
      bench.toClient(concat(bench.pair.serverOut.read(), text('GET / HTTP/1.1\r\n\r\n'), new Uint8Array([0x17, 3, 3, 0xff, 0xff, 1, 2, 3])));
      expect(bench.client.read()).toEqual(text('last words'));
      expect(caught(() => bench.client.read())).toBeInstanceOf(ZeroReturnError);
      bench.toClient(frame(APPLICATION_DATA, new Uint8Array(50)));
      expect(caught(() => bench.client.read())).toBeInstanceOf(ZeroReturnError);
      bench.client.unwrap(); // both close_notify exchanged: done, not an error
      bench.toServer();
      bench.server.unwrap();
      expect(caught(() => bench.server.read())).toBeInstanceOf(ZeroReturnError);
    });

    it('reports a stream cut in the middle of a record as EOFError', () => {
      const bench = established();
      bench.server.write(text('cut short'));
      bench.toClient(bench.pair.serverOut.read().subarray(0, 10));
      bench.pair.clientIn.writeEof();
      const error = caught(() => bench.client.read());
      expect(error).toBeInstanceOf(EOFError);
      expect(error.alert).toBeUndefined();
    });
  });

  describe('the end of the stream during the handshake', () => {
    it('reports EOFError on a client whose server vanished after the ClientHello, and sends nothing', () => {
      const bench = new Bench(provider);
      bench.clientHello();
      bench.pair.clientIn.writeEof();
      expect(caught(() => bench.client.doHandshake())).toBeInstanceOf(EOFError);
      expect(bench.pair.clientOut.pending).toBe(0);
    });

    it('reports EOFError on a client whose server flight was cut in the middle', () => {
      const bench = new Bench(provider);
      const flight = bench.down.encode(bench.serverFlight());
      bench.toClient(flight.subarray(0, flight.length - 7));
      expectWantRead(() => bench.client.doHandshake());
      bench.pair.clientIn.writeEof();
      expect(caught(() => bench.client.doHandshake())).toBeInstanceOf(EOFError);
    });
  });

  it('carries data both ways on a pair whose handshake went through the taps (the harness is transparent)', () => {
    const bench = new Bench(provider);
    bench.established();
    const payload = text('x'.repeat(3000));
    expect(bench.pair.send('server', payload)).toEqual(payload);
    expect(bench.pair.send('client', payload)).toEqual(payload);
    expect(readOrNull(bench.client)).toBeNull();
  });
});
