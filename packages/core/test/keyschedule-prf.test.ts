/**
 * The TLS 1.2 PRF (RFC 5246 §5) against published vectors, once per provider, and the TLS 1.2 message codecs
 * (ServerKeyExchange, ClientKeyExchange, Certificate, CertificateRequest, the empty messages).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProtocolError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { HashName } from '../src/crypto/provider.js';
import { Transcript, extendedMasterSecret, finishedVerifyData12, keyBlock12, prf12 } from '../src/keyschedule/index.js';
import {
  decodeCertificate12,
  decodeCertificateRequest12,
  decodeClientKeyExchangeEcdhe,
  decodeEmptyMessage,
  decodeServerKeyExchangeEcdhe,
  encodeCertificate12,
  encodeCertificateRequest12,
  encodeClientKeyExchangeEcdhe,
  encodeServerEcdhParams,
  encodeServerKeyExchangeEcdhe,
} from '../src/msgs/index.js';
import { providers } from './helpers/providers.js';
import { fromHex } from './helpers/wire.js';

interface PrfCase {
  readonly hash: HashName;
  readonly secret: string;
  readonly label: string;
  readonly seed: string;
  readonly output: string;
}
const vectors = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'vectors', 'tls12-prf.json'), 'utf8'),
) as { cases: PrfCase[] };

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe.each(providers)('TLS 1.2 PRF, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  it.each(vectors.cases.map((c) => [c.hash, c] as const))('P_%s matches the published output byte for byte', (_hash, c) => {
    const hash = provider.hashes[c.hash]!;
    const out = prf12(hash, fromHex(c.secret), c.label, fromHex(c.seed), c.output.length / 2);
    expect(hex(out)).toBe(c.output);
    // Any prefix is the same stream cut short.
    expect(hex(prf12(hash, fromHex(c.secret), c.label, fromHex(c.seed), 17))).toBe(c.output.slice(0, 34));
  });

  it('derives EMS, key block and Finished as labelled PRF outputs (RFC 7627 §4, RFC 5246 §6.3, §7.4.9)', () => {
    const hash = provider.hashes.sha256!;
    const pms = fromHex('11'.repeat(32));
    const sessionHash = fromHex('22'.repeat(32));
    const cr = fromHex('33'.repeat(32));
    const sr = fromHex('44'.repeat(32));
    const ms = extendedMasterSecret(hash, pms, sessionHash);
    expect(ms).toEqual(prf12(hash, pms, 'extended master secret', sessionHash, 48));
    const block = keyBlock12(hash, ms, cr, sr, 16, 4);
    const stream = prf12(hash, ms, 'key expansion', new Uint8Array([...sr, ...cr]), 40);
    expect([block.clientWriteKey, block.serverWriteKey, block.clientWriteIv, block.serverWriteIv].map(hex)).toEqual([
      hex(stream.subarray(0, 16)),
      hex(stream.subarray(16, 32)),
      hex(stream.subarray(32, 36)),
      hex(stream.subarray(36, 40)),
    ]);
    expect(finishedVerifyData12(hash, ms, 'server', sessionHash)).toEqual(prf12(hash, ms, 'server finished', sessionHash, 12));
  });
});

describe('Transcript.retainMessages (what a TLS 1.2 CertificateVerify signs, RFC 5246 §7.4.8)', () => {
  it('keeps the messages held before the hash was chosen and every one after, and refuses to start late', () => {
    const provider = providers[0]![1]();
    const transcript = new Transcript();
    transcript.add(fromHex('0100000101'));
    transcript.retainMessages();
    transcript.selectHash(provider.hashes.sha256!);
    transcript.add(fromHex('0200000102'));
    expect(hex(transcript.messages())).toBe('01000001010200000102');
    expect(hex(transcript.current())).toBe(hex(provider.hashes.sha256!.digest(fromHex('01000001010200000102'))));
    const late = new Transcript(provider.hashes.sha256!);
    expect(() => late.retainMessages()).toThrow(/after selectHash/);
  });
});

describe('TLS 1.2 message codecs', () => {
  it('ServerKeyExchange (ECDHE, RFC 8422 §5.4) round-trips and exposes the signed params', () => {
    const point = fromHex('04' + 'ab'.repeat(64));
    const body = encodeServerKeyExchangeEcdhe({ namedGroup: 0x17, publicKey: point, scheme: 0x0403, signature: fromHex('3045aa') });
    const decoded = decodeServerKeyExchangeEcdhe(body);
    expect(decoded).toMatchObject({ namedGroup: 0x17, scheme: 0x0403 });
    expect(decoded.publicKey).toEqual(point);
    expect(decoded.params).toEqual(encodeServerEcdhParams(0x17, point));
    expect(() => decodeServerKeyExchangeEcdhe(new Uint8Array([1, 0, 0x17, 1, 4]))).toThrow(ProtocolError); // explicit_prime
    expect(() => decodeServerKeyExchangeEcdhe(new Uint8Array([...body, 0]))).toThrow(/DECODE_ERROR|trailing|bytes/i);
  });

  it('ClientKeyExchange, Certificate, CertificateRequest and the empty messages', () => {
    expect(decodeClientKeyExchangeEcdhe(encodeClientKeyExchangeEcdhe(fromHex('0102')))).toEqual(fromHex('0102'));
    expect(() => decodeClientKeyExchangeEcdhe(new Uint8Array([0]))).toThrow(ProtocolError);
    const chain = [fromHex('3082aa'), fromHex('3082bbcc')];
    expect(decodeCertificate12(encodeCertificate12(chain))).toEqual(chain);
    expect(decodeCertificate12(encodeCertificate12([]))).toEqual([]);
    expect(() => decodeCertificate12(encodeCertificate12(chain), { maxEntries: 1 })).toThrow(/more than 1/);
    const request = { certificateTypes: [64, 1], schemes: [0x0403, 0x0804], authorities: [fromHex('3000')] };
    expect(decodeCertificateRequest12(encodeCertificateRequest12(request))).toEqual(request);
    expect(() => decodeEmptyMessage(new Uint8Array(1), 'ServerHelloDone')).toThrow(ProtocolError);
    expect(() => decodeEmptyMessage(new Uint8Array(0), 'HelloRequest')).not.toThrow();
  });
});
