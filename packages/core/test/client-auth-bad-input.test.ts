/**
 * Client authentication on bad input: the client's Certificate/CertificateVerify/Finished flight opened with the key
 * log, edited, re-sealed and delivered to the server; and a post-handshake CertificateRequest to a client that did
 * not offer post_handshake_auth. Each case must end in the named ProtocolError and alert, once per crypto provider.
 */
import { AlertError, ProtocolError, type TLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSContext } from '../src/context.js';
import { ContentType, ExtensionType, HandshakeType, encodeHandshake } from '../src/msgs/index.js';
import { TLS13_SUITES } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, pki, readOrNull, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { DirectionTap, fromHex, oneMessagePerRecord, type Logical } from './helpers/wire.js';

const SUITE = TLS13_SUITES.find((suite) => suite.name === 'TLS_AES_128_GCM_SHA256')!;

function handshakeType(record: Logical): number | undefined {
  return record.type === ContentType.handshake ? record.content[0] : undefined;
}

function body(record: Logical): Uint8Array {
  return record.content.subarray(4);
}

function expectDetected(error: TLSError, reason: string, alert: string): void {
  expect({ protocol: ProtocolError.isInstance(error), reason: error.reason, alert: error.alert?.name, sent: error.alert?.sent }).toEqual({
    protocol: true,
    reason,
    alert,
    sent: true,
  });
}

describe.each(providers)('client authentication on bad input, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  /** A pair whose client holds client.pem and whose server requires a certificate, with both key logs and a tap. */
  function bench(clientOptions: Parameters<typeof clientContext>[1] = {}, serverOptions: Parameters<typeof serverContext>[1] = {}) {
    const keylog = new Map<string, Uint8Array>();
    const client = clientContext(provider, { cipherSuites: [SUITE.name], ...clientOptions });
    client.loadCertChain(pki('client.pem'), pki('client.key'));
    const server: TLSContext = serverContext(provider, { verifyMode: 'required', ...serverOptions });
    server.loadVerifyLocations({ cadata: pki('ca.pem') });
    for (const context of [client, server]) {
      context.setKeylogCallback((line) => {
        const [label, , secret] = line.split(' ');
        keylog.set(label!, fromHex(secret!));
      });
    }
    const pair = new ConnectionPair(client, server);
    const up = new DirectionTap(provider, SUITE, 'CLIENT', keylog);
    return { pair, up };
  }

  /** Runs the handshake to the client's second flight and returns it one message per record, decoded. */
  function clientSecondFlight(b: ReturnType<typeof bench>): Logical[] {
    const { pair, up } = b;
    caught(() => pair.client.doHandshake());
    pair.transfer();
    caught(() => pair.server.doHandshake());
    pair.transfer();
    pair.client.doHandshake();
    return oneMessagePerRecord(up.decode(pair.clientOut.read()));
  }

  /** Delivers `records` to the server and returns the error its handshake ends with. */
  function deliver(b: ReturnType<typeof bench>, records: readonly Logical[]): TLSError {
    // Protected records renumbered from 0 (the client's handshake keys are fresh), whichever were dropped.
    b.pair.serverIn.write(b.up.encode(records, new Map([[0, 0]])));
    return caught(() => b.pair.server.doHandshake());
  }

  it('the flight as sent is accepted (the bench itself changes nothing)', () => {
    const b = bench();
    const flight = clientSecondFlight(b);
    expect(flight.map(handshakeType).filter((t) => t !== undefined)).toEqual([HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished]);
    b.pair.serverIn.write(b.up.encode(flight));
    b.pair.server.doHandshake();
    expect(b.pair.server.getPeerCertificate()).not.toBeNull();
  });

  it('a Certificate with a request context the server did not send: illegal_parameter', () => {
    const b = bench();
    const flight = clientSecondFlight(b).map((record) => {
      if (handshakeType(record) !== HandshakeType.certificate) return record;
      const original = body(record); // context<0..255> (empty), then the certificate list
      const edited = new Uint8Array(original.length + 1);
      edited.set([1, 0x42]);
      edited.set(original.subarray(1), 2);
      return { ...record, content: encodeHandshake(HandshakeType.certificate, edited) };
    });
    expectDetected(deliver(b, flight), 'ILLEGAL_PARAMETER', 'illegal_parameter');
  });

  it('a CertificateVerify whose signature does not verify: decrypt_error', () => {
    const b = bench();
    const flight = clientSecondFlight(b).map((record) => {
      if (handshakeType(record) !== HandshakeType.certificate_verify) return record;
      const edited = body(record).slice();
      edited[edited.length - 1]! ^= 0x01;
      return { ...record, content: encodeHandshake(HandshakeType.certificate_verify, edited) };
    });
    expectDetected(deliver(b, flight), 'BAD_SIGNATURE', 'decrypt_error');
  });

  it('a CertificateVerify with a scheme the server did not request (rsa_pkcs1_sha256): illegal_parameter', () => {
    const b = bench();
    const flight = clientSecondFlight(b).map((record) => {
      if (handshakeType(record) !== HandshakeType.certificate_verify) return record;
      const edited = body(record).slice();
      edited.set([0x04, 0x01]);
      return { ...record, content: encodeHandshake(HandshakeType.certificate_verify, edited) };
    });
    expectDetected(deliver(b, flight), 'WRONG_SIGNATURE_TYPE', 'illegal_parameter');
  });

  it('a certificate without its CertificateVerify: unexpected_message', () => {
    const b = bench();
    const flight = clientSecondFlight(b).filter((record) => handshakeType(record) !== HandshakeType.certificate_verify);
    expectDetected(deliver(b, flight), 'UNEXPECTED_MESSAGE', 'unexpected_message');
  });

  it('Finished without any Certificate: unexpected_message', () => {
    const b = bench();
    const flight = clientSecondFlight(b).filter((record) => {
      const type = handshakeType(record);
      return type !== HandshakeType.certificate && type !== HandshakeType.certificate_verify;
    });
    expectDetected(deliver(b, flight), 'UNEXPECTED_MESSAGE', 'unexpected_message');
  });

  it('a post-handshake CertificateRequest to a client that did not offer post_handshake_auth: unexpected_message', () => {
    // The extension is on the wire (the test seam) but the client context did not enable it.
    const client = clientContext(provider, {
      testingOnlyWireCodepoints: { clientHelloExtensions: [{ type: ExtensionType.post_handshake_auth, data: new Uint8Array(0) }] },
    });
    const server = serverContext(provider, { verifyMode: 'optional', postHandshakeAuth: true });
    server.loadVerifyLocations({ cadata: pki('ca.pem') });
    const pair = new ConnectionPair(client, server);
    pair.handshake();
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expectDetected(caught(() => readOrNull(pair.client)), 'UNEXPECTED_MESSAGE', 'unexpected_message');
    pair.transfer();
    const serverError = caught(() => pair.server.read());
    expect(AlertError.isInstance(serverError) && serverError.alert?.name).toBe('unexpected_message');
  });
});
