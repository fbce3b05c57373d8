/**
 * RFC 8448 at the engine level: our real TLSConnection, as client and as server, driven with the trace's randoms and
 * ephemeral keys (injected through the provider's random source), must emit every record of §3 (Simple 1-RTT) and
 * §5 (HelloRetryRequest) byte for byte, and accept every record of the other side.
 *
 * Where the bytes come from. The traces were made by NSS; everything our records carry is produced by the engine
 * from the context below, except what the engine does not implement, which comes from the @internal
 * `testingOnlyWireCodepoints` seam and nothing else:
 * - the ClientHello's supported_groups (§3 only) and signature_algorithms lists as sent: NSS offers secp521r1 and
 *   FFDHE (0x0019, 0x0100–0x0104), ecdsa_secp521r1_sha512, SHA-1 and DSA schemes (0x0603, 0x0203, 0x0201, 0x0402,
 *   0x0502, 0x0602, 0x0202), which we never negotiate; the seam inserts them around our own list, which it must hold
 *   in our order;
 * - the ClientHello's empty renegotiation_info (RFC 5746, TLS 1.2 signalling) and, in §3, empty session_ticket
 *   (RFC 5077, TLS 1.2 tickets): extensions of a TLS 1.2 client, which ours is not;
 * - the server's EncryptedExtensions supported_groups list in §3 (its own groups plus the same unimplemented ones).
 * Real options produce the rest: `middleboxCompatibility: false` (NSS sends no session id and no
 * change_cipher_spec), `certificateSignatureSchemes: null` (one list for CertificateVerify and certificates, no
 * signature_algorithms_cert), `recordSizeLimit` at its default 16385 (record_size_limit in the ClientHello and the
 * EncryptedExtensions), `announceGroups` (the server's supported_groups), `retryForPreferredGroup` (§5's server asks for P-256
 * although the client sent an X25519 share), `clientHelloPadding` (the padding
 * extension of §5's second ClientHello), the HelloRetryRequest cookie callback (§5's cookie: NSS's opaque state,
 * which our server sends as the application's cookie), the suite, group and scheme lists. The random source hands
 * out the trace's values in the order the engine draws them (see `draws`), and fails on any other draw.
 *
 * Resumption and 0-RTT (issue 6). §3's NewSessionTicket: our server's (`maxEarlyData: 1024`, hence its early_data
 * extension), opened under the trace's server application key, is the trace's message byte for byte; its ticket
 * bytes come from a TicketSealer seam (a ticket's contents are the server's own format: NSS's here), its
 * ticket_age_add from the random source. Our server's records after the ticket are then byte for byte. Our client
 * turns the trace's ticket into a session whose PSK is §3's resumption PSK and which allows 1024 bytes of early data.
 * §4 (Resumed 0-RTT): our client resumes that session with `writeEarlyData("ABCDEF")`, and sends §4's ClientHello
 * (obfuscated age, binder, early_data) and 0-RTT record byte for byte, logs the trace's early secrets, accepts the
 * server's flight (early_data accepted), sends EndOfEarlyData and Finished byte for byte, then the trace's
 * application data and close_notify. Our server takes §4's first flight (the ticket through the seam, the binder
 * verified, the ClientHello fresh for the anti-replay register at the trace's ticket age): the 0-RTT data is
 * readable before the client's Finished, and its ServerHello and flight (EncryptedExtensions with early_data,
 * Finished) are the trace's byte for byte; it takes the client's EndOfEarlyData, Finished and application data.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLSVersion, WantReadError, X509VerifyCode, ZeroReturnError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import type { TLSConnection } from '../src/connection.js';
import { TLSContext, type TLSContextOptions } from '../src/context.js';
import type { CryptoProvider } from '../src/crypto/provider.js';
import { ExtensionType, decodeNewSessionTicket13 } from '../src/msgs/index.js';
import type { TicketSealer } from '../src/session/ticket-keys.js';
import { suiteByName } from '../src/suites.js';
import { caught } from './helpers/pair.js';
import { fixedRandom, providers, type ProviderFactory, type ScriptedRandom } from './helpers/providers.js';
import { RecordKeys, concat, fromHex, parseRecords } from './helpers/wire.js';

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

interface TraceRecord {
  readonly direction: 'client_to_server' | 'server_to_client';
  readonly carries: string;
  readonly hex: string;
  readonly content?: string;
  readonly inner_content_type?: number;
  readonly sequence_number?: number;
}
interface Trace {
  readonly server_name: string;
  readonly client: Record<string, string>;
  readonly server: Record<string, string> & { readonly certificate_der: string; readonly rsa_private_key: { readonly pkcs8_der: string } };
  readonly hello_retry_request?: { readonly cookie: string };
  readonly server_certificate_verify_pss_salt: string;
  readonly secrets: Record<string, string>;
  readonly application_data?: { readonly client_to_server: string; readonly server_to_client: string };
  readonly new_session_ticket?: { readonly ticket: string; readonly ticket_age_add: string; readonly resumption_psk: string; readonly ticket_lifetime: number };
  readonly records: readonly TraceRecord[];
}

/** RFC 8448 §4 (rfc8448-resumed-0rtt-early.json): the resumed handshake, whose first flight also carries 0-RTT data. */
interface ResumedTrace {
  readonly psk: string;
  readonly client_hello_record: string;
  readonly client_random: string;
  readonly client_x25519_private_key: string;
  readonly server_random: string;
  readonly server_x25519_private_key: string;
  readonly ticket_age_ms: number;
  readonly binder: { readonly binder: string };
  readonly client_early_traffic_secret: string;
  readonly early_exporter_master_secret: string;
  readonly early_data: string;
  readonly early_data_record: { readonly hex: string };
  readonly server_answer: Record<string, string>;
}

function load(name: string): Trace {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8')) as Trace;
}

const SIMPLE = load('rfc8448-simple-1rtt.json');
const HRR = load('rfc8448-hrr.json');
const RESUMED = JSON.parse(readFileSync(join(vectorsDir, 'rfc8448-resumed-0rtt-early.json'), 'utf8')) as ResumedTrace;
/** Botan's CurrentTimestamp for §3: the ticket arrives (and is issued) at this time; §4 runs ticket_age_ms later. */
const TICKET_TIME = 1651826546000;

// What NSS offers and we do not implement (see the header): inserted by the seam around our own codepoints.
const NSS_SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
const NSS_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
const RENEGOTIATION_INFO = { type: ExtensionType.renegotiation_info, data: new Uint8Array([0]), before: ExtensionType.supported_groups };
const SESSION_TICKET = { type: ExtensionType.session_ticket, data: new Uint8Array(0), before: ExtensionType.key_share };

/** The client's configuration in both traces: NSS's suites, our implemented part of its schemes. */
function clientOptions(provider: CryptoProvider, trace: Trace, clock?: () => Date): TLSContextOptions {
  return {
    provider,
    cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'],
    groups: ['x25519', 'secp256r1', 'secp384r1'],
    signatureSchemes: [
      'ecdsa_secp256r1_sha256',
      'ecdsa_secp384r1_sha384',
      'rsa_pss_rsae_sha256',
      'rsa_pss_rsae_sha384',
      'rsa_pss_rsae_sha512',
      'rsa_pkcs1_sha256',
      'rsa_pkcs1_sha384',
      'rsa_pkcs1_sha512',
    ],
    certificateSignatureSchemes: null,
    middleboxCompatibility: false,
    // The trace's certificate is self-signed (CN "rsa", no subjectAltName, valid 2016-07-30 to 2026-07-30): it is
    // its own trust anchor, checked at the trace's date; no host name to check.
    checkHostname: false,
    // The trace's client is TLS 1.3 only: no TLS 1.2 extensions or suites in its hello.
    minimumVersion: TLSVersion.TLSv1_3,
    now: () => new Date('2018-06-01T00:00:00Z'),
    testingOnlyWireCodepoints: {
      signatureAlgorithms: NSS_SIGNATURE_ALGORITHMS,
      ...(trace === SIMPLE ? { supportedGroups: NSS_GROUPS } : {}),
      clientHelloExtensions: trace === SIMPLE ? [RENEGOTIATION_INFO, SESSION_TICKET] : [RENEGOTIATION_INFO],
    },
    ...(trace === HRR ? { clientHelloPadding: true } : {}),
    ...(clock === undefined ? {} : { now: clock }),
  };
}

function clientContext(provider: CryptoProvider, trace: Trace, clock?: () => Date, wire?: Partial<TLSContextOptions>): TLSContext {
  const context = new TLSContext('client', { ...clientOptions(provider, trace, clock), ...wire });
  context.loadVerifyLocations({ cadata: fromHex(trace.server.certificate_der) });
  // The trace's key is RSA-1024, below the validator's 2048-bit floor: accept exactly that one failure, as a
  // pyOpenSSL verify callback would, and nothing else.
  context.setVerifyCallback((_connection, _cert, errno, depth, ok) => ok || (errno === X509VerifyCode.X509_V_ERR_EE_KEY_TOO_SMALL && depth === 0));
  return context;
}

function serverContext(provider: CryptoProvider, trace: Trace, clock?: () => Date): TLSContext {
  const context = new TLSContext('server', {
    provider,
    // §5's server prefers P-256, which is why it asks the client (who sent an X25519 share) to retry.
    groups: trace === HRR ? ['secp256r1', 'secp384r1', 'x25519'] : ['x25519', 'secp256r1', 'secp384r1'],
    retryForPreferredGroup: true,
    announceGroups: true,
    // §3's server sends one ticket with a 30-second lifetime, allowing 1024 bytes of 0-RTT data; §5's sends none.
    ...(trace === SIMPLE ? { ticketsPerHandshake: 1, ticketLifetime: 30, maxEarlyData: 1024 } : { sessionTickets: false }),
    ...(clock === undefined ? {} : { now: clock }),
    ...(trace === SIMPLE ? { testingOnlyWireCodepoints: { supportedGroups: NSS_GROUPS } } : {}),
  });
  context.loadCertChain(fromHex(trace.server.certificate_der), fromHex(trace.server.rsa_private_key.pkcs8_der));
  if (trace.hello_retry_request !== undefined) {
    const cookie = fromHex(trace.hello_retry_request.cookie);
    context.setHelloRetryCookieCallback(() => cookie);
  }
  return context;
}

/** The trace's records, in order, as bytes. */
function records(trace: Trace): Uint8Array[] {
  return trace.records.map((record) => fromHex(record.hex));
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Everything a connection put in its outgoing BIO, split into records (as hex, for readable diffs). */
function emitted(out: MemoryBIO): string[] {
  return parseRecords(out.read()).map((r) => hex(concat(new Uint8Array([r.type, r.version >>> 8, r.version & 0xff, r.fragment.length >>> 8, r.fragment.length & 0xff]), r.fragment)));
}

function expectWantRead(run: () => unknown): void {
  const error = caught(run);
  expect(WantReadError.isInstance(error), error.message).toBe(true);
}

interface Endpoint {
  readonly connection: TLSConnection;
  readonly incoming: MemoryBIO;
  readonly outgoing: MemoryBIO;
  readonly random: ScriptedRandom;
}

function endpoint(role: 'client' | 'server', makeProvider: ProviderFactory, trace: Trace): Endpoint {
  const random = fixedRandom();
  const provider = makeProvider({ random });
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const context = role === 'client' ? clientContext(provider, trace) : serverContext(provider, trace);
  const connection = context.wrapBio(incoming, outgoing, role === 'client' ? { serverHostname: trace.server_name } : {});
  return { connection, incoming, outgoing, random };
}

/**
 * The one seam of the ticket tests: a ticket's contents are the server's own business (NSS's are its own format), so
 * the server's ticket protection is a table holding the trace's ticket bytes for the state our server seals.
 */
class TraceTicketSealer implements TicketSealer {
  readonly sealed: Uint8Array[] = [];
  constructor(readonly ticket: Uint8Array) {}
  seal(plaintext: Uint8Array): Uint8Array {
    this.sealed.push(plaintext);
    return this.ticket;
  }
  open(ticket: Uint8Array): Uint8Array | undefined {
    return hex(ticket) === hex(this.ticket) ? this.sealed[this.sealed.length - 1] : undefined;
  }
}

describe.each(providers)('RFC 8448 §3 (Simple 1-RTT), our client, %s provider', (_name, makeProvider) => {
  it('sends the trace\'s ClientHello, Finished, data and close_notify, and reads the server\'s records', () => {
    const [clientHello, serverHello, serverFlight, clientFinished, ticket, clientData, serverData, clientClose, serverClose] = records(SIMPLE);
    const client = endpoint('client', makeProvider, SIMPLE);
    // draws: the X25519 key share's private key, then the random (no session id: no compatibility mode).
    client.random.load(fromHex(SIMPLE.client.x25519_private_key!), fromHex(SIMPLE.client.random!));
    expectWantRead(() => client.connection.doHandshake());
    expect(emitted(client.outgoing)).toEqual([hex(clientHello!)]);

    client.incoming.write(concat(serverHello!, serverFlight!));
    client.connection.doHandshake();
    expect(emitted(client.outgoing)).toEqual([hex(clientFinished!)]);
    expect(client.random.remaining).toBe(0);
    expect(client.connection.cipher()?.[0]).toBe('TLS_AES_128_GCM_SHA256');
    expect(client.connection.requestedServerName()).toBe('server');
    expect(client.connection.getPeerCertificate({ binary: true })).toEqual(fromHex(SIMPLE.server.certificate_der));
    expect(client.connection.getPeerCertificate()).toHaveProperty('subject'); // verified against the trace's anchor

    client.incoming.write(ticket!);
    expectWantRead(() => client.connection.read());
    expect(client.connection.sessionTickets).toHaveLength(1);
    expect(client.connection.sessionTickets[0]!.lifetime).toBe(30);
    // The session: RFC 8448 §3's resumption PSK, from the resumption master secret and the ticket's nonce.
    const session = client.connection.session!;
    expect(hex(session.psk!)).toBe(SIMPLE.new_session_ticket!.resumption_psk);
    expect(hex(session.ticket)).toBe(SIMPLE.new_session_ticket!.ticket);
    expect([session.lifetime, session.maxEarlyData, session.ticketAgeAdd.toString(16)]).toEqual([30, 1024, SIMPLE.new_session_ticket!.ticket_age_add]);

    const data = fromHex(SIMPLE.application_data!.client_to_server);
    expect(client.connection.write(data)).toBe(data.length);
    expect(emitted(client.outgoing)).toEqual([hex(clientData!)]);
    client.incoming.write(serverData!);
    expect(client.connection.read()).toEqual(fromHex(SIMPLE.application_data!.server_to_client));

    expectWantRead(() => client.connection.unwrap());
    expect(emitted(client.outgoing)).toEqual([hex(clientClose!)]);
    client.incoming.write(serverClose!);
    client.connection.unwrap();
    expect(ZeroReturnError.isInstance(caught(() => client.connection.read()))).toBe(true);
  });
});

describe.each(providers)('RFC 8448 §5 (HelloRetryRequest), our client, %s provider', (_name, makeProvider) => {
  it('sends both ClientHellos, its Finished and close_notify as in the trace', () => {
    const [hello1, retry, hello2, serverHello, serverFlight, clientFinished, clientClose, serverClose] = records(HRR);
    const client = endpoint('client', makeProvider, HRR);
    // draws: the X25519 private key, the random; after the HelloRetryRequest, the P-256 private scalar.
    client.random.load(fromHex(HRR.client.x25519_private_key!), fromHex(HRR.client.random!), fromHex(HRR.client.secp256r1_private_key!));
    expectWantRead(() => client.connection.doHandshake());
    expect(emitted(client.outgoing)).toEqual([hex(hello1!)]);

    client.incoming.write(retry!);
    expectWantRead(() => client.connection.doHandshake());
    expect(emitted(client.outgoing)).toEqual([hex(hello2!)]);

    client.incoming.write(concat(serverHello!, serverFlight!));
    client.connection.doHandshake();
    expect(emitted(client.outgoing)).toEqual([hex(clientFinished!)]);
    expect(client.random.remaining).toBe(0);
    expect(client.connection.helloRetried).toBe(true);
    expect(client.connection.group()).toBe('secp256r1');

    expectWantRead(() => client.connection.unwrap());
    expect(emitted(client.outgoing)).toEqual([hex(clientClose!)]);
    client.incoming.write(serverClose!);
    client.connection.unwrap();
  });
});

// The server signs with RSA-PSS, whose salt only the portable provider takes from the injected random source
// (node:crypto has no hook for it): the server role runs on the portable provider.
const portable = providers.find(([name]) => name === 'portable')![1];

describe('RFC 8448 §3 (Simple 1-RTT), our server, portable provider', () => {
  it('answers the trace\'s ClientHello with the trace\'s ServerHello and flight, and reads the client\'s records', () => {
    const { server } = simpleServerThroughTicket();
    const [, , , , , clientData, serverData, clientClose, serverClose] = records(SIMPLE);
    server.incoming.write(clientData!);
    expect(server.connection.read()).toEqual(fromHex(SIMPLE.application_data!.client_to_server));
    // With the ticket at sequence 0, our records are numbered as the trace's: byte for byte.
    server.connection.write(fromHex(SIMPLE.application_data!.server_to_client));
    expect(emitted(server.outgoing)).toEqual([hex(serverData!)]);
    server.incoming.write(clientClose!);
    expect(ZeroReturnError.isInstance(caught(() => server.connection.read()))).toBe(true);
    server.connection.unwrap();
    expect(emitted(server.outgoing)).toEqual([hex(serverClose!)]);
  });
});

/**
 * §3 as our server: the trace's ServerHello and flight, then — after the client's Finished — its NewSessionTicket
 * (RFC 8446 §4.6.1): lifetime 30 s (ticketLifetime), ticket_age_add from the random source, nonce 00 00 (our counter),
 * the trace's ticket bytes (the seam), and the early_data extension (max_early_data_size 1024), which only a server
 * configured for 0-RTT sends: 0-RTT is not in this branch yet, so the one difference allowed is that extension.
 */
function simpleServerThroughTicket(
  clock?: { now: number },
  keylog?: (line: string) => void,
): { server: Endpoint; context: TLSContext; sealer: TraceTicketSealer; random: ScriptedRandom } {
  const sealer = new TraceTicketSealer(fromHex(SIMPLE.new_session_ticket!.ticket));
  const random = fixedRandom();
  const context = serverContext(portable({ random }), SIMPLE, clock === undefined ? undefined : () => new Date(clock.now));
  context.setTicketSealer(sealer);
  if (keylog !== undefined) context.setKeylogCallback(keylog);
  return { server: finishSimpleServer(context, sealer, random, records(SIMPLE)), context, sealer, random };
}

function finishSimpleServer(context: TLSContext, sealer: TraceTicketSealer, random: ScriptedRandom, trace: readonly Uint8Array[]): Endpoint {
  const [clientHello, serverHello, serverFlight, clientFinished, ticketRecord] = trace;
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const server: Endpoint = { connection: context.wrapBio(incoming, outgoing), incoming, outgoing, random };
  // draws: the X25519 private key (answering the client's share), the random, the RSA-PSS salt; then, for the
  // ticket, its ticket_age_add.
  const nst = SIMPLE.new_session_ticket!;
  random.load(fromHex(SIMPLE.server.x25519_private_key!), fromHex(SIMPLE.server.random!), fromHex(SIMPLE.server_certificate_verify_pss_salt), fromHex(nst.ticket_age_add));
  incoming.write(clientHello!);
  expectWantRead(() => server.connection.doHandshake());
  expect(emitted(outgoing)).toEqual([hex(serverHello!), hex(serverFlight!)]);

  incoming.write(clientFinished!);
  server.connection.doHandshake();
  expect(random.remaining).toBe(0);
  expect(sealer.sealed).toHaveLength(1);
  // Our NewSessionTicket, opened under the trace's server application key at sequence 0, against the trace's.
  const keys = new RecordKeys(portable(), suiteByName('TLS_AES_128_GCM_SHA256')!, fromHex(SIMPLE.secrets.server_application_traffic_secret_0!));
  const ours = emitted(outgoing);
  expect(ours).toHaveLength(1);
  const [ourRecord] = parseRecords(fromHex(ours[0]!));
  const [traceRecord] = parseRecords(ticketRecord!);
  const opened = keys.open(0, ourRecord!);
  const expected = keys.open(0, traceRecord!);
  expect(opened.type).toBe(expected.type);
  const ourTicket = decodeNewSessionTicket13(opened.content.subarray(4));
  const traceTicket = decodeNewSessionTicket13(expected.content.subarray(4));
  // Byte for byte, early_data (max_early_data_size 1024) included: the context's maxEarlyData.
  expect(traceTicket.extensions).toEqual([{ type: ExtensionType.early_data, data: fromHex('00000400') }]);
  expect(hex(opened.content)).toBe(hex(expected.content));
  expect(ourTicket).toEqual(traceTicket);
  return server;
}

describe('RFC 8448 §5 (HelloRetryRequest), our server, portable provider', () => {
  it('sends the trace\'s HelloRetryRequest, ServerHello, flight and close_notify', () => {
    const [hello1, retry, hello2, serverHello, serverFlight, clientFinished, clientClose, serverClose] = records(HRR);
    const server = endpoint('server', portable, HRR);
    server.incoming.write(hello1!);
    expectWantRead(() => server.connection.doHandshake());
    expect(emitted(server.outgoing)).toEqual([hex(retry!)]);

    // draws: the P-256 private scalar (answering the second hello's share), the random, the RSA-PSS salt.
    server.random.load(fromHex(HRR.server.secp256r1_private_key!), fromHex(HRR.server.random!), fromHex(HRR.server_certificate_verify_pss_salt));
    server.incoming.write(hello2!);
    expectWantRead(() => server.connection.doHandshake());
    expect(emitted(server.outgoing)).toEqual([hex(serverHello!), hex(serverFlight!)]);
    expect(server.random.remaining).toBe(0);

    server.incoming.write(clientFinished!);
    server.connection.doHandshake();
    expect(server.connection.helloRetried).toBe(true);
    server.incoming.write(clientClose!);
    expect(ZeroReturnError.isInstance(caught(() => server.connection.read()))).toBe(true);
    server.connection.unwrap();
    expect(emitted(server.outgoing)).toEqual([hex(serverClose!)]);
  });
});

describe.each(providers)('RFC 8448 §4 (Resumed), our client, %s provider', (_name, makeProvider) => {
  it("resumes §3's session: the ClientHello with its binder, the server's flight, the application data and close_notify", () => {
    const clock = { now: TICKET_TIME };
    const now = () => new Date(clock.now);
    // §3 through its ticket, on a client whose clock reads the trace's time.
    const [clientHello, serverHello, serverFlight, , ticket] = records(SIMPLE);
    const first = clientContext(makeProvider({ random: fixedRandom(fromHex(SIMPLE.client.x25519_private_key!), fromHex(SIMPLE.client.random!)) }), SIMPLE, now);
    const firstIn = new MemoryBIO();
    const firstOut = new MemoryBIO();
    const firstConnection = first.wrapBio(firstIn, firstOut, { serverHostname: 'server' });
    expectWantRead(() => firstConnection.doHandshake());
    expect(emitted(firstOut)).toEqual([hex(clientHello!)]);
    firstIn.write(concat(serverHello!, serverFlight!, ticket!));
    expectWantRead(() => firstConnection.read());
    const session = firstConnection.session!;

    // §4: another context of the same configuration (its wire lists are §4's, with padding).
    clock.now += RESUMED.ticket_age_ms;
    const random = fixedRandom(fromHex(RESUMED.client_x25519_private_key), fromHex(RESUMED.client_random));
    const context = clientContext(makeProvider({ random }), SIMPLE, now, {
      clientHelloPadding: true,
      testingOnlyWireCodepoints: { signatureAlgorithms: NSS_SIGNATURE_ALGORITHMS, supportedGroups: NSS_GROUPS, clientHelloExtensions: [RENEGOTIATION_INFO] },
    });
    const secrets = new Map<string, string>();
    context.setKeylogCallback((line) => secrets.set(line.split(' ')[0]!, line.split(' ')[2]!));
    const incoming = new MemoryBIO();
    const outgoing = new MemoryBIO();
    const connection = context.wrapBio(incoming, outgoing, { serverHostname: 'server', session });
    // 0-RTT: the application's early data makes the ClientHello offer early_data, and follows it.
    const early = fromHex(RESUMED.early_data);
    expect(connection.writeEarlyData(early)).toBe(early.length);
    expect(connection.earlyDataStatus).toBe('pending');
    expectWantRead(() => connection.doHandshake());
    // The ClientHello byte for byte (pre_shared_key last, obfuscated age fad6aacb, binder over the truncated hello),
    // then the 0-RTT record under the client_early_traffic_secret.
    expect(emitted(outgoing)).toEqual([RESUMED.client_hello_record, RESUMED.early_data_record.hex]);
    expect(RESUMED.client_hello_record.endsWith(RESUMED.binder.binder)).toBe(true);
    expect(random.remaining).toBe(0);
    expect(secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')).toBe(RESUMED.client_early_traffic_secret);
    expect(secrets.get('EARLY_EXPORTER_SECRET')).toBe(RESUMED.early_exporter_master_secret);

    const answer = RESUMED.server_answer;
    incoming.write(concat(fromHex(answer.server_hello_record!), fromHex(answer.server_handshake_record!)));
    connection.doHandshake();
    expect(connection.sessionReused).toBe(true);
    expect(connection.getPeerCertificate({ binary: true })).toEqual(fromHex(SIMPLE.server.certificate_der));
    expect(connection.earlyDataStatus).toBe('accepted');
    // The server accepted the early data (early_data in its EncryptedExtensions): EndOfEarlyData under the early
    // keys, then Finished under the handshake keys, byte for byte.
    expect(emitted(outgoing).join('')).toBe(answer.client_end_of_early_data_and_finished_records);
    // The application keys hash the transcript through the server's Finished: the trace's records, byte for byte.
    const data = fromHex(answer.client_application_data!);
    expect(connection.write(data)).toBe(data.length);
    expect(emitted(outgoing)).toEqual([answer.client_application_data_record]);
    incoming.write(fromHex(answer.server_application_data_record!));
    expect(hex(connection.read())).toBe(answer.server_application_data);
    expectWantRead(() => connection.unwrap());
    expect(emitted(outgoing)).toEqual([answer.client_close_notify_record]);
    incoming.write(fromHex(answer.server_close_notify_record!));
    connection.unwrap();
  });
});

describe('RFC 8448 §4 (Resumed), our server, portable provider', () => {
  it("takes §4's ClientHello with §3's ticket: the trace's ServerHello (pre_shared_key), and the trace's handshake keys", () => {
    const clock = { now: TICKET_TIME };
    const secrets = new Map<string, string>();
    const { context, random } = simpleServerThroughTicket(clock, (line) => secrets.set(line.split(' ')[0]!, line.split(' ')[2]!));
    clock.now += RESUMED.ticket_age_ms;
    random.load(fromHex(RESUMED.server_x25519_private_key), fromHex(RESUMED.server_random));
    const incoming = new MemoryBIO();
    const outgoing = new MemoryBIO();
    const server = context.wrapBio(incoming, outgoing);
    incoming.write(concat(fromHex(RESUMED.client_hello_record), fromHex(RESUMED.early_data_record.hex)));
    // 0-RTT: the early data is readable at once, before the client's Finished.
    expect(hex(server.readEarlyData())).toBe(RESUMED.early_data);
    expect(server.earlyDataStatus).toBe('accepted');
    expect(server.handshakeComplete).toBe(false);
    expect(random.remaining).toBe(0);
    expect(secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')).toBe(RESUMED.client_early_traffic_secret);
    expect(secrets.get('EARLY_EXPORTER_SECRET')).toBe(RESUMED.early_exporter_master_secret);
    const answer = RESUMED.server_answer;
    // The binder verified, the ticket opened, the ClientHello fresh and new: the ServerHello (pre_shared_key,
    // selected_identity 0) and the flight (EncryptedExtensions with early_data, Finished) byte for byte.
    expect(emitted(outgoing)).toEqual([answer.server_hello_record, answer.server_handshake_record]);
    // EndOfEarlyData under the early keys, the client's Finished under its handshake keys; then the trace's data.
    incoming.write(fromHex(answer.client_end_of_early_data_and_finished_records!));
    expect(hex(server.readEarlyData())).toBe('');
    // Our server then issues a ticket (the trace's sends none after §4): its ticket_age_add is the one draw left.
    random.load(new Uint8Array(4));
    server.doHandshake();
    expect(server.sessionReused).toBe(true);
    incoming.write(fromHex(answer.client_application_data_record!));
    expect(hex(server.read())).toBe(answer.client_application_data);
  });
});
