/**
 * The TLS 1.2 engine against a peer that breaks the rules, one named case per violation: the side that detects it
 * fails with the exact reason and the alert RFC 5246 / RFC 7627 / RFC 5746 / RFC 8446 §4.1.3 ask for, and the other
 * side receives that alert. Cases start from the real bytes of a ConnectionPair; plaintext handshake messages are
 * decoded and re-encoded with msgs/, protected ones re-sealed with keys derived from the key log's master secret.
 */
import { AlertError, EOFError, ProtocolError, TLSVersion, WantReadError, type TLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSConnection } from '../src/connection.js';
import type { TLSContextOptions } from '../src/context.js';
import type { CryptoProvider } from '../src/crypto/provider.js';
import { keyBlock12 } from '../src/keyschedule/index.js';
import {
  CipherSuiteId,
  ContentType,
  ExtensionType,
  HandshakeType,
  decodeClientHello,
  decodeHandshake,
  decodeServerHello,
  decodeServerKeyExchangeEcdhe,
  encodeClientHello,
  encodeHandshake,
  encodeKeyUpdate,
  encodeRenegotiationInfo,
  encodeServerHello,
  encodeServerKeyExchangeEcdhe,
  type ClientHello,
  type Extension,
} from '../src/msgs/index.js';
import { Tls12AeadSealer } from '../src/record/index.js';
import { suite12ByName } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, readOrNull, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { concat, frame, fromHex, parseRecords } from './helpers/wire.js';

const SUITE = suite12ByName('ECDHE-ECDSA-AES128-GCM-SHA256')!;
const TLS12_ONLY = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } as const;
const HANDSHAKE = ContentType.handshake;
const CCS = ContentType.change_cipher_spec;

interface Message {
  readonly type: number;
  readonly body: Uint8Array;
}

/** The handshake messages of plaintext records (our engine coalesces a flight into as few records as fit). */
function messages(bytes: Uint8Array): Message[] {
  const records = parseRecords(bytes);
  for (const record of records) expect(record.type).toBe(HANDSHAKE);
  const stream = concat(...records.map((record) => record.fragment));
  const list: Message[] = [];
  for (let at = 0; at < stream.length; ) {
    const length = 4 + ((stream[at + 1]! << 16) | (stream[at + 2]! << 8) | stream[at + 3]!);
    list.push(decodeHandshake(stream.subarray(at, at + length)));
    at += length;
  }
  return list;
}

/** Plaintext records, one per message. */
function plain(...list: readonly Message[]): Uint8Array {
  return concat(...list.map((m) => frame(HANDSHAKE, encodeHandshake(m.type, m.body))));
}

function withoutExtension(extensions: readonly Extension[], type: number): Extension[] {
  return extensions.filter((extension) => extension.type !== type);
}

function kindOf(error: TLSError): string {
  if (ProtocolError.isInstance(error)) return 'ProtocolError';
  if (AlertError.isInstance(error)) return 'AlertError';
  if (EOFError.isInstance(error)) return 'EOFError';
  return (error as TLSError).code;
}

/** `run` fails with a ProtocolError of `reason` that sent `alert`, every time. */
function expectDetected(run: () => unknown, reason: string, alert: string): void {
  const error = caught(run);
  expect({ kind: kindOf(error), reason: error.reason, alert: error.alert?.name, sent: error.alert?.sent }).toEqual({ kind: 'ProtocolError', reason, alert, sent: true });
  expect(caught(run)).toBe(error);
}

/** `run` fails with the peer's `alert`. */
function expectAlert(run: () => unknown, alert: string): void {
  const error = caught(run);
  expect({ kind: kindOf(error), alert: error.alert?.name, received: error.alert?.received }).toEqual({ kind: 'AlertError', alert, received: true });
}

function expectWantRead(run: () => unknown): void {
  expect(caught(run)).toBeInstanceOf(WantReadError);
}

/** A TLS 1.2 pair driven flight by flight, with the master secret from the key log. */
class Bench12 {
  readonly pair: ConnectionPair;
  masterSecret: Uint8Array | undefined;

  constructor(
    readonly provider: CryptoProvider,
    options: { client?: TLSContextOptions; server?: TLSContextOptions } = {},
  ) {
    const client = clientContext(provider, { ...TLS12_ONLY, cipherSuites: [SUITE.name], ...options.client });
    const server = serverContext(provider, options.server);
    client.setKeylogCallback((line) => {
      this.masterSecret = fromHex(line.split(' ')[2]!);
    });
    this.pair = new ConnectionPair(client, server);
  }
  get client(): TLSConnection {
    return this.pair.client;
  }
  get server(): TLSConnection {
    return this.pair.server;
  }
  /** The client's first flight (ClientHello). */
  clientHello(): Uint8Array {
    expectWantRead(() => this.client.doHandshake());
    return this.pair.clientOut.read();
  }
  /** Feeds `bytes` to the server and returns its answer. */
  toServer(bytes: Uint8Array): Uint8Array {
    this.pair.serverIn.write(bytes);
    try {
      this.server.doHandshake();
    } catch (error) {
      if (!WantReadError.isInstance(error)) throw error;
    }
    return this.pair.serverOut.read();
  }
  /** Feeds `bytes` to the client and returns its answer. */
  toClient(bytes: Uint8Array): Uint8Array {
    this.pair.clientIn.write(bytes);
    try {
      this.client.doHandshake();
    } catch (error) {
      if (!WantReadError.isInstance(error)) throw error;
    }
    return this.pair.clientOut.read();
  }
  /** A sealer for `side`'s writes (RFC 5246 §6.3), advanced past `skip` records already sent with it. */
  sealer(side: 'client' | 'server', clientRandom: Uint8Array, serverRandom: Uint8Array, skip: number): Tls12AeadSealer {
    const hash = this.provider.hashes[SUITE.hash]!;
    const aead = this.provider.aeads[SUITE.aead]!;
    const block = keyBlock12(hash, this.masterSecret!, clientRandom, serverRandom, aead.keyLength, 4);
    const sealer =
      side === 'client'
        ? new Tls12AeadSealer(aead.importKey(block.clientWriteKey), block.clientWriteIv, aead)
        : new Tls12AeadSealer(aead.importKey(block.serverWriteKey), block.serverWriteIv, aead);
    for (let i = 0; i < skip; i++) sealer.seal(ContentType.application_data, new Uint8Array(1));
    return sealer;
  }
}

describe.each(providers)('TLS 1.2 engine on bad input, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  /** The server's answer to a ClientHello edited by `edit` must be `reason` + `alert`; the client reads the alert. */
  function rejectClientHello(edit: (hello: ClientHello) => ClientHello, reason: string, alert: string, options: { server?: TLSContextOptions } = {}): void {
    const bench = new Bench12(provider, options);
    const [hello] = messages(bench.clientHello());
    const edited = encodeClientHello(edit(decodeClientHello(hello!.body)));
    bench.pair.serverIn.write(plain({ type: HandshakeType.client_hello, body: edited }));
    expectDetected(() => bench.server.doHandshake(), reason, alert);
    bench.pair.transfer();
    expectAlert(() => bench.client.doHandshake(), alert);
  }

  /** The client's answer to a server flight edited by `edit` must be `reason` + `alert`. */
  function rejectServerFlight(edit: (flight: Message[], clientHello: ClientHello) => Uint8Array, reason: string, alert: string, options: { client?: TLSContextOptions; server?: TLSContextOptions } = {}): void {
    const bench = new Bench12(provider, options);
    const helloBytes = bench.clientHello();
    const clientHello = decodeClientHello(messages(helloBytes)[0]!.body);
    const flight = messages(bench.toServer(helloBytes));
    bench.pair.clientIn.write(edit(flight, clientHello));
    expectDetected(() => bench.client.doHandshake(), reason, alert);
    bench.pair.transfer();
    expectAlert(() => bench.server.doHandshake(), alert);
  }

  describe('extended master secret (RFC 7627)', () => {
    it('a ClientHello without extended_master_secret gets handshake_failure', () => {
      rejectClientHello((h) => ({ ...h, extensions: withoutExtension(h.extensions, ExtensionType.extended_master_secret) }), 'EXTENDED_MASTER_SECRET_REQUIRED', 'handshake_failure');
    });

    it('a ServerHello without extended_master_secret gets handshake_failure', () => {
      rejectServerFlight(
        ([hello, ...rest]) => {
          const sh = decodeServerHello(hello!.body);
          return plain({ type: HandshakeType.server_hello, body: encodeServerHello({ ...sh, extensions: withoutExtension(sh.extensions, ExtensionType.extended_master_secret) }) }, ...rest);
        },
        'EXTENDED_MASTER_SECRET_REQUIRED',
        'handshake_failure',
      );
    });

    it('with requireExtendedMasterSecret: false, a peer without it gets the RFC 5246 master secret', () => {
      const bench = new Bench12(provider, { server: { requireExtendedMasterSecret: false } });
      const [hello] = messages(bench.clientHello());
      const ch = decodeClientHello(hello!.body);
      const edited = encodeClientHello({ ...ch, extensions: withoutExtension(ch.extensions, ExtensionType.extended_master_secret) });
      bench.pair.serverIn.write(plain({ type: HandshakeType.client_hello, body: edited }));
      expectWantRead(() => bench.server.doHandshake());
      // The server goes on without EMS; our client still requires it and refuses the ServerHello.
      bench.pair.transfer();
      expect(caught(() => bench.client.doHandshake())).toMatchObject({ reason: 'EXTENDED_MASTER_SECRET_REQUIRED' });
      // A client that allows it too completes without EMS when the server drops it.
      const relaxed = new ConnectionPair(
        clientContext(provider, { ...TLS12_ONLY, requireExtendedMasterSecret: false }),
        serverContext(provider, { requireExtendedMasterSecret: false }),
      );
      relaxed.handshake();
      expect(relaxed.client.version()).toBe('TLSv1.2');
    });
  });

  describe('secure renegotiation signalling (RFC 5746)', () => {
    it('a ClientHello with neither renegotiation_info nor the SCSV gets handshake_failure', () => {
      rejectClientHello((h) => ({ ...h, extensions: withoutExtension(h.extensions, ExtensionType.renegotiation_info) }), 'UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'handshake_failure');
    });

    it('a non-empty renegotiation_info in an initial ClientHello gets handshake_failure', () => {
      rejectClientHello(
        (h) => ({ ...h, extensions: h.extensions.map((e) => (e.type === ExtensionType.renegotiation_info ? { type: e.type, data: encodeRenegotiationInfo(new Uint8Array(12)) } : e)) }),
        'RENEGOTIATION_MISMATCH',
        'handshake_failure',
      );
    });

    it('the SCSV alone is accepted in place of the extension', () => {
      const bench = new Bench12(provider);
      const [hello] = messages(bench.clientHello());
      const ch = decodeClientHello(hello!.body);
      const edited = { ...ch, cipherSuites: [...ch.cipherSuites, CipherSuiteId.TLS_EMPTY_RENEGOTIATION_INFO_SCSV], extensions: withoutExtension(ch.extensions, ExtensionType.renegotiation_info) };
      const answer = bench.toServer(plain({ type: HandshakeType.client_hello, body: encodeClientHello(edited) }));
      expect(messages(answer).map((m) => m.type)).toEqual([HandshakeType.server_hello, HandshakeType.certificate, HandshakeType.server_key_exchange, HandshakeType.server_hello_done]);
    });

    it('a ServerHello without renegotiation_info gets handshake_failure', () => {
      rejectServerFlight(
        ([hello, ...rest]) => {
          const sh = decodeServerHello(hello!.body);
          return plain({ type: HandshakeType.server_hello, body: encodeServerHello({ ...sh, extensions: withoutExtension(sh.extensions, ExtensionType.renegotiation_info) }) }, ...rest);
        },
        'UNSAFE_LEGACY_RENEGOTIATION_DISABLED',
        'handshake_failure',
      );
    });
  });

  describe('ServerKeyExchange', () => {
    function editKeyExchange(edit: (ske: ReturnType<typeof decodeServerKeyExchangeEcdhe>) => Uint8Array) {
      return (flight: Message[]) => plain(...flight.map((m) => (m.type === HandshakeType.server_key_exchange ? { type: m.type, body: edit(decodeServerKeyExchangeEcdhe(m.body)) } : m)));
    }

    it('a signature that does not verify is decrypt_error', () => {
      rejectServerFlight(
        editKeyExchange((ske) => {
          const signature = ske.signature.slice();
          signature[signature.length - 1]! ^= 1;
          return encodeServerKeyExchangeEcdhe({ ...ske, signature });
        }),
        'BAD_SIGNATURE',
        'decrypt_error',
      );
    });

    it('a key swapped after signing (the signature covers the params) is decrypt_error', () => {
      rejectServerFlight(
        editKeyExchange((ske) => {
          const publicKey = ske.publicKey.slice();
          publicKey[5]! ^= 1;
          return encodeServerKeyExchangeEcdhe({ ...ske, publicKey });
        }),
        'BAD_SIGNATURE',
        'decrypt_error',
      );
    });

    it('a curve we did not offer is illegal_parameter', () => {
      rejectServerFlight(editKeyExchange((ske) => encodeServerKeyExchangeEcdhe({ ...ske, namedGroup: 0x0019 })), 'ILLEGAL_PARAMETER', 'illegal_parameter');
    });

    it('a signature scheme we did not offer is illegal_parameter', () => {
      rejectServerFlight(editKeyExchange((ske) => encodeServerKeyExchangeEcdhe({ ...ske, scheme: 0x0203 })), 'WRONG_SIGNATURE_TYPE', 'illegal_parameter', {
        client: { signatureSchemes: ['ecdsa_secp256r1_sha256'] },
      });
    });

    it('an RSA scheme for an ECDSA suite is illegal_parameter', () => {
      rejectServerFlight(editKeyExchange((ske) => encodeServerKeyExchangeEcdhe({ ...ske, scheme: 0x0804 })), 'WRONG_SIGNATURE_TYPE', 'illegal_parameter');
    });
  });

  describe('unexpected messages', () => {
    it('ServerHelloDone without ServerKeyExchange is unexpected_message', () => {
      rejectServerFlight((flight) => plain(...flight.filter((m) => m.type !== HandshakeType.server_key_exchange)), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });

    it('a change_cipher_spec before the key exchange is unexpected_message', () => {
      rejectServerFlight(([hello, ...rest]) => concat(plain(hello!), frame(CCS, new Uint8Array([1])), plain(...rest)), 'CCS_RECEIVED_EARLY', 'unexpected_message');
    });

    it('a Finished before change_cipher_spec is unexpected_message', () => {
      const bench = new Bench12(provider);
      bench.toClient(bench.toServer(bench.clientHello()));
      bench.pair.clientIn.write(plain({ type: HandshakeType.finished, body: new Uint8Array(12) }));
      expectDetected(() => bench.client.doHandshake(), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });

    it('a ClientKeyExchange where the server expects change_cipher_spec is unexpected_message', () => {
      const bench = new Bench12(provider);
      const flight2 = parseRecords(bench.toClient(bench.toServer(bench.clientHello())));
      const cke = flight2[0]!;
      bench.pair.serverIn.write(concat(frame(cke.type, cke.fragment), frame(cke.type, cke.fragment)));
      expectDetected(() => bench.server.doHandshake(), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });

    it('a KeyUpdate after a TLS 1.2 handshake is unexpected_message', () => {
      const bench = new Bench12(provider);
      const helloBytes = bench.clientHello();
      const clientRandom = decodeClientHello(messages(helloBytes)[0]!.body).random;
      const flight1 = bench.toServer(helloBytes);
      const serverRandom = decodeServerHello(messages(flight1)[0]!.body).random;
      bench.pair.serverIn.write(bench.toClient(flight1));
      bench.pair.handshake();
      const sealer = bench.sealer('server', clientRandom, serverRandom, 1);
      bench.pair.clientIn.write(sealer.seal(HANDSHAKE, encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(false))));
      expectDetected(() => bench.client.read(), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    });
  });

  describe('alerts (RFC 5246 §7.2.2)', () => {
    it('a warning alert in TLS 1.2 is ignored; a run of them past maxWarningAlerts is unexpected_message', () => {
      const warning = frame(ContentType.alert, new Uint8Array([1, 112])); // warning unrecognized_name
      const bench = new Bench12(provider);
      const flight = bench.toServer(bench.clientHello());
      bench.pair.clientIn.write(concat(flight, warning));
      expectWantRead(() => bench.client.doHandshake());
      bench.pair.serverIn.write(bench.pair.clientOut.read());
      bench.pair.handshake();
      expect(bench.client.version()).toBe('TLSv1.2');
      const flood = new Bench12(provider);
      flood.pair.clientIn.write(concat(flood.toServer(flood.clientHello()), ...Array.from({ length: 5 }, () => warning)));
      expectDetected(() => flood.client.doHandshake(), 'TOO_MANY_WARN_ALERTS', 'unexpected_message');
    });

    it('a fatal alert is fatal', () => {
      const bench = new Bench12(provider);
      bench.pair.clientIn.write(concat(bench.toServer(bench.clientHello()), frame(ContentType.alert, new Uint8Array([2, 40]))));
      expectAlert(() => bench.client.doHandshake(), 'handshake_failure');
    });
  });

  describe('Finished (RFC 5246 §7.4.9)', () => {
    it("a server Finished that does not verify is decrypt_error", () => {
      const bench = new Bench12(provider);
      const helloBytes = bench.clientHello();
      const clientRandom = decodeClientHello(messages(helloBytes)[0]!.body).random;
      const flight1 = bench.toServer(helloBytes);
      const serverRandom = decodeServerHello(messages(flight1)[0]!.body).random;
      const flight2 = bench.toClient(flight1);
      // The server's last flight: NewSessionTicket (the client asked for one, RFC 5077 §3.3), CCS, Finished.
      const [ticket, ...answer] = parseRecords(bench.toServer(flight2));
      expect([ticket!.type, decodeHandshake(ticket!.fragment).type, ...answer.map((r) => r.type)]).toEqual([HANDSHAKE, HandshakeType.new_session_ticket, CCS, HANDSHAKE]);
      const forged = bench.sealer('server', clientRandom, serverRandom, 0).seal(HANDSHAKE, encodeHandshake(HandshakeType.finished, new Uint8Array(12).fill(7)));
      bench.pair.clientIn.write(concat(frame(ticket!.type, ticket!.fragment), frame(CCS, new Uint8Array([1])), forged));
      expectDetected(() => bench.client.doHandshake(), 'DIGEST_CHECK_FAILED', 'decrypt_error');
    });

    it('a client Finished that does not verify is decrypt_error', () => {
      const bench = new Bench12(provider);
      const helloBytes = bench.clientHello();
      const clientRandom = decodeClientHello(messages(helloBytes)[0]!.body).random;
      const flight1 = bench.toServer(helloBytes);
      const serverRandom = decodeServerHello(messages(flight1)[0]!.body).random;
      const [cke, ccs] = parseRecords(bench.toClient(flight1));
      const forged = bench.sealer('client', clientRandom, serverRandom, 0).seal(HANDSHAKE, encodeHandshake(HandshakeType.finished, new Uint8Array(12)));
      bench.pair.serverIn.write(concat(frame(cke!.type, cke!.fragment), frame(ccs!.type, ccs!.fragment), forged));
      expectDetected(() => bench.server.doHandshake(), 'DIGEST_CHECK_FAILED', 'decrypt_error');
    });
  });

  describe('renegotiation refused', () => {
    function established() {
      const bench = new Bench12(provider);
      const helloBytes = bench.clientHello();
      const clientHello = messages(helloBytes)[0]!;
      const clientRandom = decodeClientHello(clientHello.body).random;
      const flight1 = bench.toServer(helloBytes);
      const serverRandom = decodeServerHello(messages(flight1)[0]!.body).random;
      bench.pair.serverIn.write(bench.toClient(flight1));
      bench.pair.handshake();
      return { bench, clientHello, clientRandom, serverRandom };
    }

    it('a HelloRequest gets a no_renegotiation warning, and data still flows', () => {
      const { bench, clientRandom, serverRandom } = established();
      const sealer = bench.sealer('server', clientRandom, serverRandom, 1);
      bench.pair.clientIn.write(sealer.seal(HANDSHAKE, encodeHandshake(HandshakeType.hello_request, new Uint8Array(0))));
      bench.pair.clientIn.write(sealer.seal(ContentType.application_data, new TextEncoder().encode('after')));
      expect(new TextDecoder().decode(readOrNull(bench.client)!)).toBe('after');
      bench.pair.transfer();
      // The server reads our warning and goes on (RFC 5246 §7.2.2: a warning is the receiver's to ignore).
      expect(readOrNull(bench.server)).toBeNull();
      expect(bench.pair.send('client', new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    });

    it('a renegotiating ClientHello gets a no_renegotiation warning; a peer that insists is cut off', () => {
      const { bench, clientHello, clientRandom, serverRandom } = established();
      const sealer = bench.sealer('client', clientRandom, serverRandom, 1);
      const renegotiate = () => sealer.seal(HANDSHAKE, encodeHandshake(HandshakeType.client_hello, clientHello.body));
      bench.pair.serverIn.write(renegotiate());
      expect(readOrNull(bench.server)).toBeNull();
      const warning = parseRecords(bench.pair.serverOut.read());
      expect(warning.map((r) => [r.type, r.fragment.length])).toEqual([[ContentType.alert, 8 + 2 + 16]]);
      // The client (ours) ignores the warning.
      for (let i = 0; i < 4; i++) bench.pair.serverIn.write(renegotiate());
      expectDetected(() => bench.server.read(), 'NO_RENEGOTIATION', 'no_renegotiation');
    });
  });

  describe('version negotiation (RFC 8446 §4.1.3, RFC 7507)', () => {
    it('a downgrade sentinel seen by our 1.3-capable client is illegal_parameter', () => {
      // Someone strips TLS 1.3 from the ClientHello: our (1.3-capable) server negotiates 1.2 and says so in its random.
      const bench = new Bench12(provider, { client: { maximumVersion: TLSVersion.TLSv1_3 } });
      const [hello] = messages(bench.clientHello());
      const ch = decodeClientHello(hello!.body);
      const stripped = encodeClientHello({ ...ch, extensions: withoutExtension(ch.extensions, ExtensionType.supported_versions) });
      const flight = bench.toServer(plain({ type: HandshakeType.client_hello, body: stripped }));
      expect(new TextDecoder().decode(decodeServerHello(messages(flight)[0]!.body).random.subarray(24, 31))).toBe('DOWNGRD');
      bench.pair.clientIn.write(flight);
      expectDetected(() => bench.client.doHandshake(), 'TLS13_DOWNGRADE', 'illegal_parameter');
    });

    it('our 1.2-only server sends no sentinel', () => {
      const bench = new Bench12(provider, { server: TLS12_ONLY });
      const flight = bench.toServer(bench.clientHello());
      expect(new TextDecoder().decode(decodeServerHello(messages(flight)[0]!.body).random.subarray(24, 31))).not.toBe('DOWNGRD');
    });

    it('a fallback SCSV below our best version is inappropriate_fallback (RFC 7507)', () => {
      rejectClientHello((h) => ({ ...h, cipherSuites: [...h.cipherSuites, CipherSuiteId.TLS_FALLBACK_SCSV] }), 'INAPPROPRIATE_FALLBACK', 'inappropriate_fallback');
    });

    it('supported_versions in a ServerHello to a 1.2-only client is unsupported_extension', () => {
      rejectServerFlight(
        ([hello, ...rest]) => {
          const sh = decodeServerHello(hello!.body);
          const extensions = [...sh.extensions, { type: ExtensionType.supported_versions, data: new Uint8Array([0x03, 0x03]) }];
          return plain({ type: HandshakeType.server_hello, body: encodeServerHello({ ...sh, extensions }) }, ...rest);
        },
        'UNSOLICITED_EXTENSION',
        'unsupported_extension',
      );
    });

    it('a ServerHello with a suite we did not offer is illegal_parameter', () => {
      rejectServerFlight(
        ([hello, ...rest]) => plain({ type: HandshakeType.server_hello, body: encodeServerHello({ ...decodeServerHello(hello!.body), cipherSuite: 0xc030 }) }, ...rest),
        'WRONG_CIPHER_RETURNED',
        'illegal_parameter',
      );
    });

    it('a ClientHello offering only TLS 1.1 is protocol_version', () => {
      rejectClientHello((h) => ({ ...h, legacyVersion: 0x0302 }), 'UNSUPPORTED_PROTOCOL', 'protocol_version');
    });
  });
});
