/**
 * 0-RTT (RFC 8446 §4.2.10) at the engine level, our client against our server over memory BIOs, both providers.
 *
 * First what needs no resumption: a server that cannot accept a client's early data (no PSK it knows) skips the
 * client's 0-RTT records — by trial decryption after a 1-RTT answer, by outer type after a HelloRetryRequest — within
 * a bounded allowance, and finishes the handshake. There the client's early_data offer comes from the test seam
 * (without a session our client never offers 0-RTT); the skipped records are what a real client would send:
 * application_data records sealed under keys the server does not have. Then 0-RTT on resumed connections: accepted,
 * rejected (0-RTT off, another ALPN protocol, a HelloRetryRequest), a replayed first flight, too much early data.
 */
import { createHash, createHmac } from 'node:crypto';
import { AlertError, ProtocolError, TLSVersion } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { EarlyDataAntiReplay } from '../src/anti-replay.js';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import type { TLSContext, TLSContextOptions } from '../src/context.js';
import { ContentType, ExtensionType } from '../src/msgs/index.js';
import type { TLSSession } from '../src/session/session.js';
import { suiteById } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { RecordKeys, frame, fromHex } from './helpers/wire.js';

const enc = new TextEncoder();
const EARLY_DATA_OFFER = { type: ExtensionType.early_data, data: new Uint8Array(0), before: ExtensionType.supported_versions };

/** What a 0-RTT record looks like to a server without its keys: application_data of `length` opaque bytes. */
/** TLS-Exporter (RFC 8446 §7.5) written out with node:crypto's HMAC: HKDF-Expand-Label over Derive-Secret. */
function tlsExporter(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const digest = (data: Uint8Array) => new Uint8Array(createHash(hash).update(data).digest());
  const expandLabel = (key: Uint8Array, name: string, hashValue: Uint8Array, size: number): Uint8Array => {
    const fullLabel = enc.encode(`tls13 ${name}`);
    const info = new Uint8Array([size >> 8, size & 0xff, fullLabel.length, ...fullLabel, hashValue.length, ...hashValue]);
    const out: number[] = [];
    let block = new Uint8Array(0);
    for (let i = 1; out.length < size; i++) {
      block = new Uint8Array(createHmac(hash, key).update(block).update(info).update(new Uint8Array([i])).digest());
      out.push(...block);
    }
    return new Uint8Array(out.slice(0, size));
  };
  const derived = expandLabel(secret, label, digest(new Uint8Array(0)), digest(new Uint8Array(0)).length);
  return expandLabel(derived, 'exporter', digest(context), length);
}

function opaqueRecord(length: number, seed: number): Uint8Array {
  return frame(ContentType.application_data, Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff));
}

describe.each(providers)('0-RTT the server cannot accept (%s provider)', (_name, createProvider) => {
  const provider = createProvider();

  /** A pair whose client offers early_data; after its ClientHello, `early` records reach the server first. */
  function offerWithEarlyRecords(early: readonly Uint8Array[], serverOptions = {}) {
    const client = clientContext(provider, { testingOnlyWireCodepoints: { clientHelloExtensions: [EARLY_DATA_OFFER] } });
    const pair = new ConnectionPair(client, serverContext(provider, serverOptions));
    expect(() => pair.client.doHandshake()).toThrow(); // WantRead: the ClientHello is out
    pair.serverIn.write(pair.clientOut.read());
    for (const record of early) pair.serverIn.write(record);
    return pair;
  }

  it('skips records that fail to decrypt after a 1-RTT answer, then completes (RFC 8446 §4.2.10)', () => {
    const pair = offerWithEarlyRecords([opaqueRecord(1000, 1), opaqueRecord(17, 2), opaqueRecord(5000, 3)], { maxEarlyData: 0 });
    pair.handshake();
    expect(pair.server.earlyDataStatus).toBe('rejected');
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0));
    expect(new TextDecoder().decode(pair.send('client', enc.encode('after 0-RTT')))).toBe('after 0-RTT');
    expect(new TextDecoder().decode(pair.send('server', enc.encode('answer')))).toBe('answer');
  });

  it('gives up with unexpected_message past the skip allowance (limits.maxSkippedEarlyData)', () => {
    const records = [opaqueRecord(1017, 1), opaqueRecord(1017, 2)]; // 1000 + 1000 counted bytes
    const pair = offerWithEarlyRecords(records, { limits: { maxSkippedEarlyData: 1500 } });
    expect(caught(() => pair.handshake()).reason).toBe('TOO_MUCH_EARLY_DATA');
    const serverError = caught(() => pair.server.doHandshake());
    expect({ reason: serverError.reason, alert: serverError.alert?.name, sent: serverError.alert?.sent }).toEqual({
      reason: 'TOO_MUCH_EARLY_DATA',
      alert: 'unexpected_message',
      sent: true,
    });
    expect(ProtocolError.isInstance(serverError)).toBe(true);
    // The client, whose handshake completed on the server's flight, hears of it as the alert that follows.
    const clientError = caught(() => pair.client.read());
    expect({ kind: AlertError.isInstance(clientError), alert: clientError.alert?.name }).toEqual({ kind: true, alert: 'unexpected_message' });
  });

  it('with maxEarlyData above the skip limit, skips up to maxEarlyData', () => {
    const pair = offerWithEarlyRecords([opaqueRecord(16_401, 1), opaqueRecord(16_401, 2)], { maxEarlyData: 40_000 });
    pair.handshake();
    expect(pair.server.earlyDataStatus).toBe('rejected');
  });

  it('a record that fails to decrypt once the skipping is over is bad_record_mac', () => {
    const pair = offerWithEarlyRecords([opaqueRecord(100, 1)]);
    pair.handshake();
    pair.serverIn.write(opaqueRecord(100, 9));
    const error = caught(() => pair.server.read());
    expect({ reason: error.reason, alert: error.alert?.name }).toEqual({ reason: 'BAD_RECORD_MAC', alert: 'bad_record_mac' });
  });

  it('after a HelloRetryRequest, skips application_data records until the second ClientHello (RFC 8446 §4.2.10)', () => {
    // The server prefers P-256; the client's only share is X25519: a HelloRetryRequest.
    const client = clientContext(provider, { testingOnlyWireCodepoints: { clientHelloExtensions: [EARLY_DATA_OFFER] } });
    const server = serverContext(provider, { groups: ['secp256r1', 'x25519'], retryForPreferredGroup: true });
    const pair = new ConnectionPair(client, server);
    expect(() => pair.client.doHandshake()).toThrow();
    pair.serverIn.write(pair.clientOut.read());
    pair.serverIn.write(opaqueRecord(3000, 1));
    pair.serverIn.write(opaqueRecord(200, 2));
    expect(() => pair.server.doHandshake()).toThrow(); // WantRead: HelloRetryRequest sent, early records skipped
    expect(pair.server.earlyDataStatus).toBe('rejected');
    // The seam would put early_data in the second ClientHello too, which RFC 8446 §4.2.10 forbids: the server says so.
    pair.clientIn.write(pair.serverOut.read());
    expect(() => pair.client.doHandshake()).toThrow();
    pair.serverIn.write(pair.clientOut.read());
    const error = caught(() => pair.server.doHandshake());
    expect(error.reason).toBe('ILLEGAL_PARAMETER');
  });

  it('a server whose client offers no early data reports not_sent, and readEarlyData() ends at once', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider, { maxEarlyData: 1024 }));
    pair.handshake();
    expect(pair.server.earlyDataStatus).toBe('not_sent');
    expect(pair.client.earlyDataStatus).toBe('not_sent');
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0));
  });

  it('a client without a session sends no early data: writeEarlyData() takes nothing and the handshake is a plain one', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider, { maxEarlyData: 1024 }));
    expect(pair.client.writeEarlyData(enc.encode('GET /'))).toBe(0);
    pair.handshake();
    expect(pair.client.earlyDataStatus).toBe('not_sent');
    expect(pair.client.writeEarlyData(enc.encode('GET /'))).toBe(0);
  });

  it('a TLS 1.2 handshake has no early data: readEarlyData() ends once the version is chosen', () => {
    const pair = new ConnectionPair(clientContext(provider, { maximumVersion: TLSVersion.TLSv1_2 }), serverContext(provider, { maxEarlyData: 1024 }));
    expect(() => pair.client.doHandshake()).toThrow();
    pair.transfer();
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0));
    expect(pair.server.handshakeComplete).toBe(false);
    pair.handshake();
    expect(pair.server.version()).toBe('TLSv1.2');
    expect(pair.server.earlyDataStatus).toBe('not_sent');
  });

  it('early data calls on the wrong side are refused', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    expect(caught(() => pair.server.writeEarlyData(new Uint8Array(1))).reason).toBe('INVALID_ARGUMENT');
    expect(caught(() => pair.client.readEarlyData()).reason).toBe('INVALID_ARGUMENT');
    expect(caught(() => pair.server.readEarlyData(0)).reason).toBe('INVALID_ARGUMENT');
    expect(caught(() => pair.client.writeEarlyData('text' as unknown as Uint8Array)).reason).toBe('INVALID_ARGUMENT');
  });

  it('an early_data extension with a body in the ClientHello is decode_error', () => {
    const bad = { ...EARLY_DATA_OFFER, data: new Uint8Array([0, 0, 0, 1]) };
    const pair = new ConnectionPair(clientContext(provider, { testingOnlyWireCodepoints: { clientHelloExtensions: [bad] } }), serverContext(provider));
    caught(() => pair.handshake());
    const error = caught(() => pair.server.doHandshake());
    expect({ reason: error.reason, alert: error.alert?.name }).toEqual({ reason: 'DECODE_ERROR', alert: 'decode_error' });
  });
});

describe.each(providers)('0-RTT on a resumed connection, our client and our server (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const clientOptions: TLSContextOptions = { minimumVersion: TLSVersion.TLSv1_3 };
  const request = enc.encode('GET /early HTTP/1.1\r\nHost: localhost\r\n\r\n');

  /** A full handshake and an exchange (TLS 1.3 tickets come after the handshake); returns the client's session. */
  function firstSession(client: TLSContext, server: TLSContext): TLSSession {
    const pair = new ConnectionPair(client, server);
    pair.handshake();
    pair.send('server', enc.encode('tickets'));
    return pair.client.session!;
  }

  /** A resumption of `session` whose client writes `early` as 0-RTT data; its first flight is at the server. */
  function resumeWithEarlyData(client: TLSContext, server: TLSContext, session: TLSSession, early: Uint8Array) {
    const pair = new ConnectionPair(client, server, { session });
    const taken = pair.client.writeEarlyData(early);
    pair.transfer();
    return { pair, taken };
  }

  it('is accepted: the server reads it before the handshake completes, apart from 1-RTT data; both log the early secrets', () => {
    const lines: string[] = [];
    const client = clientContext(provider, clientOptions);
    client.setKeylogCallback((line) => lines.push(`client ${line}`));
    const server = serverContext(provider, { maxEarlyData: 4096 });
    server.setKeylogCallback((line) => lines.push(`server ${line}`));
    const session = firstSession(client, server);
    expect(session.maxEarlyData).toBe(4096);

    lines.length = 0;
    const { pair, taken } = resumeWithEarlyData(client, server, session, request);
    expect(taken).toBe(request.length);
    expect(pair.client.earlyDataStatus).toBe('pending');
    // 0-RTT: the request is readable on the server's first call, a round trip before the client's Finished.
    expect(pair.server.readEarlyData()).toEqual(request);
    expect(pair.server.handshakeComplete).toBe(false);
    expect(pair.server.earlyDataStatus).toBe('accepted');
    pair.handshake();
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0));
    expect(pair.client.earlyDataStatus).toBe('accepted');
    expect(pair.client.sessionReused && pair.server.sessionReused).toBe(true);
    // 1-RTT data is read with read(), never mixed with the early data.
    expect(pair.send('client', enc.encode('one-rtt'))).toEqual(enc.encode('one-rtt'));
    expect(pair.send('server', enc.encode('answer'))).toEqual(enc.encode('answer'));
    expect(pair.client.writeEarlyData(request)).toBe(0); // too late now

    const secret = (side: string, label: string) => lines.filter((line) => line.startsWith(`${side} ${label} `)).map((line) => line.slice(side.length + 1));
    for (const label of ['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']) {
      expect(secret('client', label)).toHaveLength(1);
      expect(secret('server', label)).toEqual(secret('client', label));
    }
  });

  it('exports early keying material (RFC 8446 §7.5): the same bytes on both sides, from the early exporter secret, unlike the 1-RTT exporter', () => {
    const lines: string[] = [];
    const client = clientContext(provider, clientOptions);
    client.setKeylogCallback((line) => lines.push(line));
    const server = serverContext(provider, { maxEarlyData: 4096 });
    const session = firstSession(client, server);
    lines.length = 0;
    const { pair } = resumeWithEarlyData(client, server, session, request);
    const context = enc.encode('request 1');
    // The client has it with its first flight, before any answer; the server once it accepted the early data.
    const early = pair.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 48, context);
    expect(pair.client.earlyDataStatus).toBe('pending');
    expect(pair.server.readEarlyData()).toEqual(request); // the server takes the first flight
    expect(pair.server.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 48, context)).toEqual(early);

    // Computed here from the key log's secret with node:crypto's HMAC, not with the engine's key schedule.
    const [, , secretHex] = lines.find((line) => line.startsWith('EARLY_EXPORTER_SECRET '))!.split(' ');
    const hash = suiteById(session.cipherSuite)!.hash === 'sha384' ? 'sha384' : 'sha256';
    expect(early).toEqual(tlsExporter(hash, fromHex(secretHex!), 'EXPERIMENTAL-early', context, 48));
    expect(pair.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 48)).toEqual(tlsExporter(hash, fromHex(secretHex!), 'EXPERIMENTAL-early', new Uint8Array(0), 48));

    pair.handshake();
    // Still there after the handshake, and not the 1-RTT exporter's bytes.
    expect(pair.server.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 48, context)).toEqual(early);
    expect(pair.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 48, context)).toEqual(early);
    expect(pair.client.exportKeyingMaterial('EXPERIMENTAL-early', 48, context)).not.toEqual(early);
  });

  it('has no early exporter without 0-RTT, or once the early data is rejected (NO_EARLY_EXPORTER)', () => {
    const noEarlyExporter = { name: 'InvalidArgumentError', reason: 'NO_EARLY_EXPORTER' };
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider, { maxEarlyData: 4096 });
    const plain = new ConnectionPair(client, server);
    plain.handshake();
    expect(caught(() => plain.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 32))).toMatchObject(noEarlyExporter);
    expect(caught(() => plain.server.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 32))).toMatchObject(noEarlyExporter);

    const keys = [provider.randomBytes(32)];
    const issuing = serverContext(provider, { maxEarlyData: 4096 });
    issuing.setTicketKeys(keys);
    const off = serverContext(provider);
    off.setTicketKeys(keys);
    const { pair } = resumeWithEarlyData(client, off, firstSession(client, issuing), request);
    expect(pair.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 32)).toHaveLength(32); // offered, not yet answered
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0)); // the server takes the first flight: rejected
    expect(pair.server.earlyDataStatus).toBe('rejected');
    expect(caught(() => pair.server.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 32))).toMatchObject(noEarlyExporter);
    pair.handshake();
    expect(pair.client.earlyDataStatus).toBe('rejected');
    expect(caught(() => pair.client.exportEarlyKeyingMaterial('EXPERIMENTAL-early', 32))).toMatchObject(noEarlyExporter);
  });

  it('takes no more than the ticket allows (max_early_data_size)', () => {
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider, { maxEarlyData: 1000 });
    const big = new Uint8Array(3000).fill(0x61);
    const { pair, taken } = resumeWithEarlyData(client, server, firstSession(client, server), big);
    expect(taken).toBe(1000);
    expect(pair.client.writeEarlyData(big)).toBe(0);
    pair.handshake();
    let early = 0;
    for (let chunk = pair.server.readEarlyData(); chunk.length > 0; chunk = pair.server.readEarlyData()) early += chunk.length;
    expect(early).toBe(1000);
  });

  it('is rejected by a server with 0-RTT off (same ticket keys): the session resumes, the data is dropped and can be sent again', () => {
    const keys = [provider.randomBytes(32)];
    const client = clientContext(provider, clientOptions);
    const issuing = serverContext(provider, { maxEarlyData: 4096 });
    issuing.setTicketKeys(keys);
    const off = serverContext(provider);
    off.setTicketKeys(keys);
    const { pair, taken } = resumeWithEarlyData(client, off, firstSession(client, issuing), request);
    expect(taken).toBe(request.length);
    pair.handshake();
    expect([pair.client.earlyDataStatus, pair.server.earlyDataStatus]).toEqual(['rejected', 'rejected']);
    expect(pair.client.sessionReused && pair.server.sessionReused).toBe(true);
    expect(pair.server.readEarlyData()).toEqual(new Uint8Array(0));
    expect(pair.send('client', request)).toEqual(request);
  });

  it('is rejected when the ALPN protocol would change (RFC 8446 §4.2.10)', () => {
    const keys = [provider.randomBytes(32)];
    const client = clientContext(provider, { ...clientOptions, alpnProtocols: ['h2', 'http/1.1'] });
    const h2 = serverContext(provider, { maxEarlyData: 4096, alpnProtocols: ['h2'] });
    h2.setTicketKeys(keys);
    const http11 = serverContext(provider, { maxEarlyData: 4096, alpnProtocols: ['http/1.1'] });
    http11.setTicketKeys(keys);
    const session = firstSession(client, h2);
    expect(session.alpn).toBe('h2');
    const { pair } = resumeWithEarlyData(client, http11, session, request);
    pair.handshake();
    expect(pair.client.selectedAlpnProtocol()).toBe('http/1.1');
    expect([pair.client.earlyDataStatus, pair.server.earlyDataStatus]).toEqual(['rejected', 'rejected']);
  });

  it('is rejected after a HelloRetryRequest; the resumption goes on', () => {
    const client = clientContext(provider, { ...clientOptions, groups: ['secp256r1', 'x25519'], keyShareGroups: ['secp256r1'] });
    const server = serverContext(provider, { maxEarlyData: 4096, groups: ['x25519'] });
    const { pair, taken } = resumeWithEarlyData(client, server, firstSession(client, server), request);
    expect(taken).toBe(request.length);
    pair.handshake();
    expect(pair.client.helloRetried).toBe(true);
    expect([pair.client.earlyDataStatus, pair.server.earlyDataStatus]).toEqual(['rejected', 'rejected']);
    expect(pair.client.sessionReused && pair.server.sessionReused).toBe(true);
    expect(pair.send('client', request)).toEqual(request);
  });

  it('a replayed first flight is rejected by default (anti-replay), also by another context sharing the register', () => {
    const keys = [provider.randomBytes(32)];
    const antiReplay = new EarlyDataAntiReplay();
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider, { maxEarlyData: 4096, earlyDataAntiReplay: antiReplay });
    server.setTicketKeys(keys);
    const twin = serverContext(provider, { maxEarlyData: 4096, earlyDataAntiReplay: antiReplay });
    twin.setTicketKeys(keys);
    const session = firstSession(client, server);
    const pair = new ConnectionPair(client, server, { session });
    pair.client.writeEarlyData(request);
    const flight = pair.clientOut.read();
    pair.serverIn.write(flight.slice());
    expect(pair.server.readEarlyData()).toEqual(request);

    // An attacker sends the same bytes to the server again, and to its twin.
    for (const target of [server, twin]) {
      const incoming = new MemoryBIO();
      const replay = target.wrapBio(incoming, new MemoryBIO());
      incoming.write(flight.slice());
      expect(replay.readEarlyData()).toEqual(new Uint8Array(0));
      expect(replay.earlyDataStatus).toBe('rejected');
    }
    expect(antiReplay.refused).toBe(2);
    // The genuine connection completes with its early data accepted.
    pair.transfer();
    pair.handshake();
    expect(pair.client.earlyDataStatus).toBe('accepted');
  });

  it('more early data than the ticket allows is unexpected_message (RFC 8446 §4.2.10)', () => {
    let earlySecret: Uint8Array | undefined;
    const client = clientContext(provider, clientOptions);
    client.setKeylogCallback((line) => {
      const [label, , secret] = line.split(' ');
      if (label === 'CLIENT_EARLY_TRAFFIC_SECRET') earlySecret = fromHex(secret!);
    });
    const server = serverContext(provider, { maxEarlyData: 100 });
    const session = firstSession(client, server);
    const { pair, taken } = resumeWithEarlyData(client, server, session, new Uint8Array(100));
    expect(taken).toBe(100);
    // A client that does not keep to the limit: one more early record, sealed under the early keys (sequence 1).
    const keys = new RecordKeys(provider, suiteById(session.cipherSuite)!, earlySecret!);
    pair.serverIn.write(keys.seal(1, ContentType.application_data, new Uint8Array(1)));
    const error = caught(() => pair.server.doHandshake());
    expect({ reason: error.reason, alert: error.alert?.name }).toEqual({ reason: 'TOO_MUCH_EARLY_DATA', alert: 'unexpected_message' });
  });

  it('an accepted 0-RTT record that does not decrypt is bad_record_mac, not skipped (RFC 8446 §4.2.10)', () => {
    const client = clientContext(provider, clientOptions);
    const server = serverContext(provider, { maxEarlyData: 4096 });
    const { pair } = resumeWithEarlyData(client, server, firstSession(client, server), request);
    pair.serverIn.write(opaqueRecord(100, 3));
    const error = caught(() => {
      for (;;) pair.server.readEarlyData();
    });
    expect({ reason: error.reason, alert: error.alert?.name }).toEqual({ reason: 'BAD_RECORD_MAC', alert: 'bad_record_mac' });
  });

  it('a client that sent early data fails when the server answers with TLS 1.2 (RFC 8446 §D.3)', () => {
    const client = clientContext(provider);
    const server = serverContext(provider, { maxEarlyData: 4096 });
    const tls12 = serverContext(provider, { maximumVersion: TLSVersion.TLSv1_2 });
    const { pair } = resumeWithEarlyData(client, tls12, firstSession(client, server), request);
    expect(caught(() => pair.handshake()).reason).toBeDefined();
    expect(caught(() => pair.client.doHandshake()).reason).toBe('UNSUPPORTED_PROTOCOL');
  });
});
