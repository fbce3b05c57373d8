/**
 * 0-RTT (RFC 8446 §4.2.10) at the engine level, our client against our server over memory BIOs, both providers.
 *
 * This file covers what needs no resumption: a server that cannot accept a client's early data (no PSK it knows)
 * skips the client's 0-RTT records — by trial decryption after a 1-RTT answer, by outer type after a
 * HelloRetryRequest — within a bounded allowance, and finishes the handshake. The client's early_data offer comes
 * from the test seam here (without a session our client never offers 0-RTT); the skipped records are what a real
 * client would send: application_data records sealed under keys the server does not have.
 */
import { AlertError, ProtocolError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { ContentType, ExtensionType } from '../src/msgs/index.js';
import { ConnectionPair, caught, clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { frame } from './helpers/wire.js';

const enc = new TextEncoder();
const EARLY_DATA_OFFER = { type: ExtensionType.early_data, data: new Uint8Array(0), before: ExtensionType.supported_versions };

/** What a 0-RTT record looks like to a server without its keys: application_data of `length` opaque bytes. */
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

  it('early data calls on the wrong side are refused', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    expect(caught(() => pair.server.writeEarlyData(new Uint8Array(1))).reason).toBe('INVALID_ARGUMENT');
    expect(caught(() => pair.client.readEarlyData()).reason).toBe('INVALID_ARGUMENT');
  });

  it('an early_data extension with a body in the ClientHello is decode_error', () => {
    const bad = { ...EARLY_DATA_OFFER, data: new Uint8Array([0, 0, 0, 1]) };
    const pair = new ConnectionPair(clientContext(provider, { testingOnlyWireCodepoints: { clientHelloExtensions: [bad] } }), serverContext(provider));
    caught(() => pair.handshake());
    const error = caught(() => pair.server.doHandshake());
    expect({ reason: error.reason, alert: error.alert?.name }).toEqual({ reason: 'DECODE_ERROR', alert: 'decode_error' });
  });
});
