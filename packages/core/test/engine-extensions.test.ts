/**
 * The engine's extension and limit options, client against server in memory, once per crypto provider:
 * record_size_limit (RFC 8449), signature_algorithms_cert (RFC 8446 §4.2.3) and the server's chain choice, the
 * HelloRetryRequest cookie (§4.2.2), retryForPreferredGroup, ClientHello padding (RFC 7685), and the AEAD usage
 * limit's KeyUpdate (§5.5) end to end.
 */
import { InvalidArgumentError, TLSVersion } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { TLSContext, type TLSContextOptions } from '../src/context.js';
import type { CryptoProvider } from '../src/crypto/provider.js';
import {
  ContentType,
  ExtensionType,
  HandshakeType,
  SignatureSchemeId,
  decodeClientHello,
  decodeHandshake,
  decodeSignatureSchemes,
  findExtension,
  type ClientHello,
} from '../src/msgs/index.js';
import { suiteByName } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, pki, readOrNull, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { DirectionTap, fromHex, parseRecords, type Logical } from './helpers/wire.js';

const SUITE = suiteByName('TLS_AES_128_GCM_SHA256')!;

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
}

/** A pair whose every byte is also decoded by a tap per direction, with the key log's secrets. */
class TappedPair extends ConnectionPair {
  readonly keylog: Map<string, Uint8Array>;
  readonly up: DirectionTap;
  readonly down: DirectionTap;
  readonly upRecords: Logical[] = [];
  readonly downRecords: Logical[] = [];
  /** Whole raw records as they crossed, for size checks. */
  readonly upWire: Uint8Array[] = [];
  readonly downWire: Uint8Array[] = [];

  constructor(provider: CryptoProvider, client: TLSContext, server: TLSContext, keylog = new Map<string, Uint8Array>()) {
    // Whole flights: the taps decode what each transfer() moved.
    super(logKeys(client, keylog), logKeys(server, keylog), { fragment: false });
    this.keylog = keylog;
    this.up = new DirectionTap(provider, SUITE, 'CLIENT', this.keylog);
    this.down = new DirectionTap(provider, SUITE, 'SERVER', this.keylog);
  }

  override transfer(): number {
    const up = this.clientOut.read();
    const down = this.serverOut.read();
    if (up.length > 0) {
      this.serverIn.write(up);
      this.upRecords.push(...this.up.decode(up));
      this.upWire.push(...parseRecords(up).map((r) => r.fragment));
    }
    if (down.length > 0) {
      this.clientIn.write(down);
      this.downRecords.push(...this.down.decode(down));
      this.downWire.push(...parseRecords(down).map((r) => r.fragment));
    }
    return up.length + down.length;
  }
}

function logKeys(context: TLSContext, keylog: Map<string, Uint8Array>): TLSContext {
  context.setKeylogCallback((line) => {
    const [label, , secret] = line.split(' ');
    keylog.set(label!, fromHex(secret!));
  });
  return context;
}

/** The first ClientHello a client context sends. */
function clientHelloOf(context: TLSContext, server: TLSContext): ClientHello {
  const pair = new ConnectionPair(context, server);
  caught(() => pair.client.doHandshake());
  const [record] = parseRecords(pair.clientOut.read());
  return decodeClientHello(decodeHandshake(record!.fragment).body);
}

function schemesOf(hello: ClientHello, type: number): number[] | undefined {
  const data = findExtension(hello.extensions, type);
  return data === undefined ? undefined : decodeSignatureSchemes(data);
}

describe.each(providers)('engine options, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();
  const client = (options: TLSContextOptions = {}) => clientContext(provider, { cipherSuites: [SUITE.name], ...options });
  const server = (options: TLSContextOptions = {}) => serverContext(provider, options);

  describe('record_size_limit (RFC 8449)', () => {
    it('keeps every protected record the client sends within the server\'s limit of 64 (content + type byte)', () => {
      const pair = new TappedPair(provider, client(), server({ recordSizeLimit: 64 }));
      pair.handshake();
      const data = pattern(1000);
      expect(pair.send('client', data)).toEqual(data);
      const protectedUp = pair.upRecords.filter((r) => r.epoch >= 0);
      expect(protectedUp.length).toBeGreaterThan(1000 / 63); // the Finished, then 16 data records
      for (const record of protectedUp) expect(record.content.length + 1 + record.padding).toBeLessThanOrEqual(64);
      // The other direction keeps the protocol's limit: one record for the same data.
      expect(pair.send('server', data)).toEqual(data);
      expect(pair.downRecords.filter((r) => r.type === ContentType.application_data)).toHaveLength(1);
    });

    it('keeps the server\'s handshake flight and data within the client\'s limit of 200', () => {
      const pair = new TappedPair(provider, client({ recordSizeLimit: 200 }), server());
      pair.handshake();
      const data = pattern(5000);
      expect(pair.send('server', data)).toEqual(data);
      const protectedDown = pair.downRecords.filter((r) => r.epoch >= 0);
      // The flight (a two-certificate chain) needs several records under the limit.
      expect(protectedDown.filter((r) => r.epoch === 0).length).toBeGreaterThan(2);
      for (const record of protectedDown) expect(record.content.length + 1).toBeLessThanOrEqual(200);
      // The ServerHello is in plaintext, which RFC 8449 §4 leaves out of the limit; it is small anyway.
      expect(pair.downRecords[0]!.epoch).toBe(-1);
    });

    it('refuses a protected record over its own limit with record_overflow', () => {
      const pair = new TappedPair(provider, client({ recordSizeLimit: 64 }), server());
      pair.handshake();
      pair.server.write(pattern(100)); // sent as 63 + 37 bytes
      const records = pair.down.decode(pair.serverOut.read());
      expect(records.map((r) => r.content.length)).toEqual([63, 37]);
      // Re-sealed as one record of 100 bytes under the same key, in the first record's place.
      const merged: Logical = { ...records[0]!, content: pattern(100) };
      pair.clientIn.write(pair.down.encode([merged]));
      const error = caught(() => pair.client.read());
      expect([error.reason, error.alert?.name]).toEqual(['RECORD_OVERFLOW', 'record_overflow']);
    });

    it('refuses a ClientHello record_size_limit below 64 with illegal_parameter', () => {
      const pair = new ConnectionPair(client(), server());
      caught(() => pair.client.doHandshake());
      const hello = pair.clientOut.read();
      const at = indexOfBytes(hello, [0x00, 0x1c, 0x00, 0x02, 0x40, 0x01]);
      expect(at).toBeGreaterThan(0);
      hello.set([0x00, 0x3f], at + 4); // 63
      pair.serverIn.write(hello);
      const error = caught(() => pair.server.doHandshake());
      expect([error.reason, error.alert?.name]).toEqual(['ILLEGAL_PARAMETER', 'illegal_parameter']);
    });

    it.each([
      [63, 'below 64'],
      [16386, 'over TLS 1.3\'s 2^14 + 1'],
    ])('refuses a server record_size_limit of %i (%s) with illegal_parameter', (limit) => {
      const pair = new TappedPair(provider, client(), server());
      caught(() => pair.client.doHandshake());
      pair.serverIn.write(pair.clientOut.read());
      caught(() => pair.server.doHandshake());
      const flight = pair.down.decode(pair.serverOut.read());
      const index = flight.findIndex((r) => r.epoch === 0);
      const content = flight[index]!.content.slice();
      const at = indexOfBytes(content, [0x00, 0x1c, 0x00, 0x02, 0x40, 0x01]);
      expect(at).toBeGreaterThan(0); // in EncryptedExtensions, the first message of the protected flight
      content.set([limit >>> 8, limit & 0xff], at + 4);
      flight[index] = { ...flight[index]!, content };
      pair.clientIn.write(pair.down.encode(flight));
      const error = caught(() => pair.client.doHandshake());
      expect([error.reason, error.alert?.name]).toEqual(['ILLEGAL_PARAMETER', 'illegal_parameter']);
    });

    it('refuses to announce a limit outside 64..16385', () => {
      for (const recordSizeLimit of [63, 16386, 100.5]) {
        expect(() => new TLSContext('client', { provider, recordSizeLimit })).toThrow(InvalidArgumentError);
      }
    });
  });

  describe('signature_algorithms_cert (RFC 8446 §4.2.3)', () => {
    it('is sent by default with RSASSA-PKCS1-v1_5, which a TLS 1.3-only signature_algorithms then leaves out', () => {
      const hello = clientHelloOf(client({ minimumVersion: TLSVersion.TLSv1_3 }), server());
      const handshake = schemesOf(hello, ExtensionType.signature_algorithms)!;
      const certificates = schemesOf(hello, ExtensionType.signature_algorithms_cert)!;
      expect(certificates).toContain(SignatureSchemeId.rsa_pkcs1_sha256);
      expect(handshake).not.toContain(SignatureSchemeId.rsa_pkcs1_sha256);
      expect(handshake).toContain(SignatureSchemeId.rsa_pss_rsae_sha256);
    });

    it('a TLS 1.2-only hello carries none of the TLS 1.3 extensions, post_handshake_auth included', () => {
      const only12 = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2, postHandshakeAuth: true };
      const types = clientHelloOf(client(only12), server()).extensions.map((e) => e.type);
      for (const type of [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.post_handshake_auth]) {
        expect(types).not.toContain(type);
      }
      expect(clientHelloOf(client({ postHandshakeAuth: true }), server()).extensions.map((e) => e.type)).toContain(ExtensionType.post_handshake_auth);
    });

    it('keeps RSASSA-PKCS1-v1_5 in signature_algorithms while TLS 1.2 is in range (a ServerKeyExchange may use it)', () => {
      const hello = clientHelloOf(client({ minimumVersion: TLSVersion.TLSv1_2 }), server());
      expect(schemesOf(hello, ExtensionType.signature_algorithms)).toContain(SignatureSchemeId.rsa_pkcs1_sha256);
    });

    it('is left out when the lists are the same, or with certificateSignatureSchemes: null', () => {
      const same = clientHelloOf(client({ signatureSchemes: ['ed25519'], certificateSignatureSchemes: ['ed25519'] }), server());
      expect(schemesOf(same, ExtensionType.signature_algorithms_cert)).toBeUndefined();
      const single = clientHelloOf(client({ certificateSignatureSchemes: null }), server());
      expect(schemesOf(single, ExtensionType.signature_algorithms_cert)).toBeUndefined();
      expect(schemesOf(single, ExtensionType.signature_algorithms)).toContain(SignatureSchemeId.rsa_pkcs1_sha256);
    });

    // Both leaves have P-256 keys (the same CertificateVerify scheme); only their issuers' signatures differ.
    function twoChains(): TLSContext {
      const context = new TLSContext('server', { provider });
      context.loadCertChain(pki('via-rsa-pkcs1.pem'), pki('via-rsa-pkcs1.key'));
      context.loadCertChain(pki('via-ed25519.pem'), pki('via-ed25519.key'));
      return context;
    }
    const leafOf = (name: string) => pki(name);

    it.each([
      [['ed25519'] as const, 'via-ed25519.pem'],
      [['rsa_pkcs1_sha512'] as const, 'via-rsa-pkcs1.pem'],
      [['ecdsa_secp384r1_sha384'] as const, 'via-rsa-pkcs1.pem'], // neither fits: the first loaded (RFC 8446 §4.4.2.2)
    ])('makes the server choose the chain signed with %j', (certificateSignatureSchemes, expected) => {
      const context = new TLSContext('client', {
        provider,
        verifyMode: 'none',
        signatureSchemes: ['ecdsa_secp256r1_sha256'],
        certificateSignatureSchemes: [...certificateSignatureSchemes],
      });
      const pair = new ConnectionPair(context, twoChains());
      pair.handshake();
      const der = pair.client.getPeerCertificate({ binary: true })!;
      expect(pemBody(leafOf(expected))).toEqual(Buffer.from(der).toString('base64'));
    });

    it('still serves a chain whose intermediate it cannot parse (ranked as not fitting)', () => {
      const context = new TLSContext('server', { provider });
      const leaf = Uint8Array.from(Buffer.from(pemBody(pki('server-ecdsa.pem')), 'base64'));
      context.loadCertChain([leaf, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])], pki('server-ecdsa.key'));
      const pair = new ConnectionPair(new TLSContext('client', { provider, verifyMode: 'none' }), context);
      // The server sends it (no internal error on its side); our client then refuses the broken certificate.
      expect(caught(() => pair.handshake()).reason).toBe('BAD_CERTIFICATE');
      expect(caught(() => pair.server.doHandshake()).alert).toMatchObject({ name: 'bad_certificate', received: true });
    });

    it('falls back to signature_algorithms for certificates when signature_algorithms_cert is absent', () => {
      const context = new TLSContext('client', {
        provider,
        verifyMode: 'none',
        signatureSchemes: ['ecdsa_secp256r1_sha256', 'ed25519'],
        certificateSignatureSchemes: null,
      });
      const pair = new ConnectionPair(context, twoChains());
      pair.handshake();
      expect(Buffer.from(pair.client.getPeerCertificate({ binary: true })!).toString('base64')).toEqual(pemBody(leafOf('via-ed25519.pem')));
    });
  });

  describe('HelloRetryRequest', () => {
    // The client sends an X25519 share; the server only takes P-256.
    const retryingServer = (options: TLSContextOptions = {}) => server({ groups: ['secp256r1'], ...options });

    it('carries the cookie callback\'s bytes, which the client echoes (RFC 8446 §4.2.2)', () => {
      const cookie = pattern(300);
      const context = retryingServer();
      let calls = 0;
      context.setHelloRetryCookieCallback(() => {
        calls++;
        return cookie;
      });
      const pair = new ConnectionPair(client({ groups: ['x25519', 'secp256r1'] }), context);
      pair.handshake();
      expect(pair.client.helloRetried).toBe(true);
      expect(calls).toBe(1);
    });

    it('refuses a second ClientHello whose cookie differs with illegal_parameter', () => {
      const context = retryingServer();
      context.setHelloRetryCookieCallback(() => pattern(40));
      const pair = new ConnectionPair(client({ groups: ['x25519', 'secp256r1'] }), context);
      caught(() => pair.client.doHandshake());
      pair.transfer();
      caught(() => pair.server.doHandshake());
      pair.transfer();
      caught(() => pair.client.doHandshake());
      const hello2 = pair.clientOut.read();
      const at = indexOfBytes(hello2, [...pattern(40)]);
      expect(at).toBeGreaterThan(0);
      hello2[at + 10]! ^= 1;
      pair.serverIn.write(hello2);
      const error = caught(() => pair.server.doHandshake());
      expect([error.reason, error.alert?.name]).toEqual(['ILLEGAL_PARAMETER', 'illegal_parameter']);
    });

    it('refuses a second ClientHello that changed another extension with illegal_parameter (RFC 8446 §4.1.2)', () => {
      const pair = new ConnectionPair(client({ groups: ['x25519', 'secp256r1'], signatureSchemes: ['ecdsa_secp256r1_sha256', 'ed25519'] }), retryingServer());
      caught(() => pair.client.doHandshake());
      pair.transfer();
      caught(() => pair.server.doHandshake());
      pair.transfer();
      caught(() => pair.client.doHandshake());
      const hello2 = pair.clientOut.read();
      const at = indexOfBytes(hello2, [0x04, 0x03, 0x08, 0x07]); // signature_algorithms: P-256 ECDSA, Ed25519
      expect(at).toBeGreaterThan(0);
      hello2.set([0x05, 0x03], at); // now P-384 ECDSA
      pair.serverIn.write(hello2);
      const error = caught(() => pair.server.doHandshake());
      expect([error.reason, error.alert?.name]).toEqual(['ILLEGAL_PARAMETER', 'illegal_parameter']);
    });

    it('with retryForPreferredGroup, asks for the group it prefers although the client sent another share', () => {
      const groups = ['secp256r1', 'x25519'] as const;
      const strict = new ConnectionPair(client({ groups: ['x25519', 'secp256r1'] }), server({ groups: [...groups], retryForPreferredGroup: true }));
      strict.handshake();
      expect([strict.client.helloRetried, strict.client.group()]).toEqual([true, 'secp256r1']);
      const thrifty = new ConnectionPair(client({ groups: ['x25519', 'secp256r1'] }), server({ groups: [...groups] }));
      thrifty.handshake();
      expect([thrifty.client.helloRetried, thrifty.client.group()]).toEqual([false, 'x25519']);
    });
  });

  it('lets the testing-only wire lists add codepoints, never drop or reorder ours', () => {
    const groups = ['x25519', 'secp256r1'] as const;
    expect(() => new TLSContext('client', { provider, groups: [...groups], testingOnlyWireCodepoints: { supportedGroups: [0x17, 0x1d] } })).toThrow(InvalidArgumentError);
    expect(() => new TLSContext('client', { provider, groups: [...groups], testingOnlyWireCodepoints: { supportedGroups: [0x1d, 0x19] } })).toThrow(InvalidArgumentError);
    const hello = clientHelloOf(client({ groups: [...groups], testingOnlyWireCodepoints: { supportedGroups: [0x1d, 0x19, 0x17, 0x100] } }), server());
    expect([...findExtension(hello.extensions, ExtensionType.supported_groups)!]).toEqual([0, 8, 0, 0x1d, 0, 0x19, 0, 0x17, 1, 0]);
  });

  it('reports the suites in common with the client in sharedCiphers(), on a server after the handshake', () => {
    const pair = new ConnectionPair(client({ cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] }), server());
    expect(pair.server.sharedCiphers()).toBeNull();
    pair.handshake();
    expect(pair.server.sharedCiphers()?.map(([name]) => name)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']);
    expect(pair.client.sharedCiphers()).toBeNull();
  });

  it('pads a ClientHello of 256..511 bytes to 512 with clientHelloPadding (RFC 7685)', () => {
    const options: TLSContextOptions = { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519', 'secp256r1'] };
    const length = (hello: ClientHello) => 4 + encodeLength(hello);
    const plain = clientHelloOf(client(options), server());
    expect(length(plain)).toBeGreaterThanOrEqual(256);
    expect(length(plain)).toBeLessThan(512);
    const padded = clientHelloOf(client({ ...options, clientHelloPadding: true }), server());
    expect(length(padded)).toBe(512);
    expect(padded.extensions.at(-1)!.type).toBe(ExtensionType.padding);
    expect(padded.extensions.at(-1)!.data.every((byte) => byte === 0)).toBe(true);
    // And the padded hello completes a handshake.
    const pair = new ConnectionPair(client({ ...options, clientHelloPadding: true }), server());
    pair.handshake();
  });

  it('sends a KeyUpdate after limits.maxRecordsPerKey records under one key, and the peer reads across it (RFC 8446 §5.5)', () => {
    const limit = 4;
    const pair = new TappedPair(provider, client({ limits: { maxRecordsPerKey: limit } }), server());
    pair.handshake();
    const chunks = Array.from({ length: 21 }, (_, i) => pattern(100 + i));
    for (const chunk of chunks) expect(pair.client.write(chunk)).toBe(chunk.length);
    pair.transfer();
    const received: Uint8Array[] = [];
    for (let chunk = readOrNull(pair.server); chunk !== null; chunk = readOrNull(pair.server)) received.push(chunk);
    expect(Buffer.concat(received)).toEqual(Buffer.concat(chunks));

    const traffic = pair.upRecords.filter((r) => r.epoch >= 1);
    const keyUpdates = traffic.filter((r) => r.type === ContentType.handshake);
    // After records 4, 8, 12, 16 and 20 under a key: a KeyUpdate before the next data record (none after the 21st).
    expect(keyUpdates).toHaveLength(5);
    for (const update of keyUpdates) {
      expect(update.seq).toBe(limit); // the limit's worth of data, then the KeyUpdate under the same key
      expect([...update.content]).toEqual([HandshakeType.key_update, 0, 0, 1, 0]); // update_not_requested
    }
    for (const record of traffic.filter((r) => r.type === ContentType.application_data)) expect(record.seq).toBeLessThan(limit);
    expect(pair.up.next.epoch).toBe(6); // traffic secret 0 and five updates
    // The server keeps its own keys (nothing was requested) and still talks to the client.
    const reply = pattern(50);
    expect(pair.send('server', reply)).toEqual(reply);
    expect(pair.downRecords.some((r) => r.epoch >= 1 && r.type === ContentType.handshake && r.content[0] === HandshakeType.key_update)).toBe(false);
  });
});

function indexOfBytes(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function pemBody(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

function encodeLength(hello: ClientHello): number {
  // The body's length: version, random, session id, suites, compression, extensions (type, length, data each).
  let length = 2 + 32 + 1 + hello.legacySessionId.length + 2 + 2 * hello.cipherSuites.length + 1 + hello.legacyCompressionMethods.length + 2;
  for (const extension of hello.extensions) length += 4 + extension.data.length;
  return length;
}
