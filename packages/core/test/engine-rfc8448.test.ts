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
 * Not byte for byte: §3's NewSessionTicket is issued by NSS's server; ours issues none yet (resumption is issue 6),
 * so our server's later records use sequence numbers one lower than the trace's. For those (the application data
 * and the close_notify) the test checks that they open under the trace's server application key at our sequence
 * numbers and carry the trace's content.
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
import { ExtensionType } from '../src/msgs/index.js';
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
  readonly records: readonly TraceRecord[];
}

function load(name: string): Trace {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8')) as Trace;
}

const SIMPLE = load('rfc8448-simple-1rtt.json');
const HRR = load('rfc8448-hrr.json');

// What NSS offers and we do not implement (see the header): inserted by the seam around our own codepoints.
const NSS_SIGNATURE_ALGORITHMS = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
const NSS_GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
const RENEGOTIATION_INFO = { type: ExtensionType.renegotiation_info, data: new Uint8Array([0]), before: ExtensionType.supported_groups };
const SESSION_TICKET = { type: ExtensionType.session_ticket, data: new Uint8Array(0), before: ExtensionType.key_share };

/** The client's configuration in both traces: NSS's suites, our implemented part of its schemes. */
function clientOptions(provider: CryptoProvider, trace: Trace): TLSContextOptions {
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
  };
}

function clientContext(provider: CryptoProvider, trace: Trace): TLSContext {
  const context = new TLSContext('client', clientOptions(provider, trace));
  context.loadVerifyLocations({ cadata: fromHex(trace.server.certificate_der) });
  // The trace's key is RSA-1024, below the validator's 2048-bit floor: accept exactly that one failure, as a
  // pyOpenSSL verify callback would, and nothing else.
  context.setVerifyCallback((_connection, _cert, errno, depth, ok) => ok || (errno === X509VerifyCode.X509_V_ERR_EE_KEY_TOO_SMALL && depth === 0));
  return context;
}

function serverContext(provider: CryptoProvider, trace: Trace): TLSContext {
  const context = new TLSContext('server', {
    provider,
    // §5's server prefers P-256, which is why it asks the client (who sent an X25519 share) to retry.
    groups: trace === HRR ? ['secp256r1', 'secp384r1', 'x25519'] : ['x25519', 'secp256r1', 'secp384r1'],
    retryForPreferredGroup: true,
    announceGroups: true,
    // §5's NSS server sends no NewSessionTicket; §3's (one ticket) is checked in its own test below.
    sessionTickets: false,
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
    const [clientHello, serverHello, serverFlight, clientFinished, , clientData, , clientClose] = records(SIMPLE);
    const server = endpoint('server', portable, SIMPLE);
    // draws: the X25519 private key (answering the client's share), the random, the RSA-PSS salt.
    server.random.load(fromHex(SIMPLE.server.x25519_private_key!), fromHex(SIMPLE.server.random!), fromHex(SIMPLE.server_certificate_verify_pss_salt));
    server.incoming.write(clientHello!);
    expectWantRead(() => server.connection.doHandshake());
    expect(emitted(server.outgoing)).toEqual([hex(serverHello!), hex(serverFlight!)]);
    expect(server.random.remaining).toBe(0);

    server.incoming.write(clientFinished!);
    server.connection.doHandshake();
    // The trace's server sends a NewSessionTicket here; ours sends none (resumption is issue 6).
    expect(server.outgoing.pending).toBe(0);

    server.incoming.write(clientData!);
    expect(server.connection.read()).toEqual(fromHex(SIMPLE.application_data!.client_to_server));

    // Our records from here are numbered from 0, the trace's from 1 (after its ticket): they must open under the
    // trace's server application key at our numbers and carry the trace's content.
    const suite = suiteByName('TLS_AES_128_GCM_SHA256')!;
    const keys = new RecordKeys(portable(), suite, fromHex(SIMPLE.secrets.server_application_traffic_secret_0!));
    const expected = (record: TraceRecord) => ({ type: record.inner_content_type, content: record.content });
    const opened = (seq: number) => {
      const [record] = parseRecords(server.outgoing.read());
      const { type, content } = keys.open(seq, record!);
      return { type, content: hex(content) };
    };
    server.connection.write(fromHex(SIMPLE.application_data!.server_to_client));
    expect(opened(0)).toEqual(expected(SIMPLE.records[6]!));
    server.incoming.write(clientClose!);
    expect(ZeroReturnError.isInstance(caught(() => server.connection.read()))).toBe(true);
    server.connection.unwrap();
    expect(opened(1)).toEqual(expected(SIMPLE.records[8]!));
  });
});

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
