/**
 * The TLS 1.3 key schedule and transcript hash against RFC 8448's traces, on both crypto providers.
 *
 * From the traces' inputs only (ephemeral private keys, handshake messages) the suite recomputes the (EC)DHE secret
 * with the provider's group, every transcript hash with `Transcript`, and every secret, key, IV and Finished value
 * with `KeySchedule13` and friends, comparing each byte for byte with the vectors (test/vectors/rfc8448-*.json,
 * sources in test/vectors/README.md). Every protected record of the traces must then open with the derived keys and
 * re-seal to the same bytes, and the server's CertificateVerify must verify over `certificateVerifyInput`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { DerReader, TagClass, UniversalTag } from '../src/asn1/der.js';
import { hkdfExpand } from '../src/crypto/hkdf.js';
import type { CryptoProvider, HashAlgorithm } from '../src/crypto/provider.js';
import {
  KeySchedule13,
  Label,
  Transcript,
  certificateVerifyInput,
  deriveSecret,
  exportKeyingMaterial13,
  finishedKey,
  finishedVerifyData,
  hkdfExpandLabel,
  hkdfLabel,
  nextTrafficSecret,
  resumptionPsk,
  trafficKeys,
} from '../src/keyschedule/index.js';
import { fixedRandom, providers } from './helpers/providers.js';

// ---- the vector files ----

type Hex = string;
interface KeysJson {
  key: Hex;
  iv: Hex;
}
interface RecordJson {
  direction: 'client_to_server' | 'server_to_client';
  carries: string;
  hex: Hex;
  protected: boolean;
  keys?: 'server_handshake' | 'client_handshake' | 'server_application' | 'client_application';
  sequence_number?: number;
  inner_content_type?: number;
  content?: Hex;
  inner_plaintext?: Hex;
}
interface TraceJson {
  source: string;
  server: {
    certificate_der: Hex;
    spki_der: Hex;
    rsa_private_key: { pkcs8_der: Hex; pkcs1_der: Hex; modulus: Hex; private_exponent: Hex };
  };
  server_certificate_verify_pss_salt: Hex;
  certificate_verify_signed_content: Hex;
  certificate_verify_signature: Hex;
  ecdhe_shared_secret: Hex;
  handshake_messages: Record<string, Hex>;
  transcript_hashes: Record<string, Hex>;
  secrets: Record<
    | 'early_secret'
    | 'derived_for_handshake'
    | 'handshake_secret'
    | 'client_handshake_traffic_secret'
    | 'server_handshake_traffic_secret'
    | 'derived_for_master'
    | 'master_secret'
    | 'client_application_traffic_secret_0'
    | 'server_application_traffic_secret_0'
    | 'exporter_master_secret'
    | 'resumption_master_secret',
    Hex
  >;
  traffic_keys: Record<'server_handshake' | 'client_handshake' | 'server_application' | 'client_application', KeysJson>;
  finished: Record<'server' | 'client', { finished_key: Hex; verify_data: Hex }>;
  records: RecordJson[];
}
interface Simple1RttJson extends TraceJson {
  client: { random: Hex; x25519_private_key: Hex; x25519_public_key: Hex };
  server: TraceJson['server'] & { x25519_private_key: Hex; x25519_public_key: Hex };
  hkdf_label_info: Record<string, { label: string; context: Hex; length: number; info: Hex }>;
  new_session_ticket: { ticket_nonce: Hex; resumption_psk: Hex };
}
interface HrrJson extends TraceJson {
  client: { x25519_private_key: Hex; x25519_public_key: Hex; secp256r1_private_key: Hex; secp256r1_public_key: Hex };
  server: TraceJson['server'] & { secp256r1_private_key: Hex; secp256r1_public_key: Hex };
  message_hash: Hex;
}
interface EarlyJson {
  source: string;
  psk: Hex;
  early_secret: Hex;
  binder: { client_hello_prefix: Hex; binder_hash: Hex; binder_key: Hex; finished_key: Hex; binder: Hex };
  client_hello: Hex;
  client_early_traffic_secret: Hex;
  early_exporter_master_secret: Hex;
  client_early_traffic_keys: KeysJson;
  early_data_record: RecordJson;
}

const VECTORS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vectors');
function load<T extends { source: string }>(name: string): T {
  const file = JSON.parse(readFileSync(path.join(VECTORS, name), 'utf8')) as T;
  if (typeof file.source !== 'string' || file.source === '') throw new Error(`${name} names no source`);
  return file;
}
const s3 = load<Simple1RttJson>('rfc8448-simple-1rtt.json');
const s5 = load<HrrJson>('rfc8448-hrr.json');
const s4 = load<EarlyJson>('rfc8448-resumed-0rtt-early.json');

const h = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};
const EMPTY = new Uint8Array(0);

/** What a test wants to see: the names and values in hex, so a failure shows which value differs. */
function same(actual: Record<string, Uint8Array>, expected: Record<string, Hex>): void {
  expect(Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, hex(v)]))).toEqual(expected);
}

/** nonce = write_iv XOR the 64-bit sequence number, left-padded to the IV length (RFC 8446 §5.3). */
function recordNonce(iv: Uint8Array, sequence: number): Uint8Array {
  const nonce = iv.slice();
  for (let i = 0, n = sequence; i < 8; i++, n = Math.floor(n / 256)) nonce[nonce.length - 1 - i]! ^= n % 256;
  return nonce;
}

/** Opens a protected record with AES-128-GCM (the traces' suite), requiring it to re-seal to the same bytes. */
function openRecord(provider: CryptoProvider, keys: { key: Uint8Array; iv: Uint8Array }, record: RecordJson): string {
  const bytes = h(record.hex);
  const header = bytes.subarray(0, 5);
  const body = bytes.subarray(5);
  const aead = provider.aeads.aes_128_gcm!.importKey(keys.key);
  const nonce = recordNonce(keys.iv, record.sequence_number!);
  const inner = aead.open(nonce, body, header);
  expect(inner, record.carries).not.toBeNull();
  expect(hex(aead.seal(nonce, inner!, header)), `${record.carries} re-sealed`).toBe(hex(body));
  return hex(inner!);
}

/** The SubjectPublicKeyInfo of an X.509 certificate: tbsCertificate's 7th field (RFC 5280 §4.1). */
function spkiOf(certificateDer: Uint8Array): Uint8Array {
  const outer = new DerReader(certificateDer, 'certificate');
  const certificate = outer.contents(outer.expect(TagClass.universal, UniversalTag.SEQUENCE, 'Certificate'));
  const fields = certificate.contents(certificate.expect(TagClass.universal, UniversalTag.SEQUENCE, 'TBSCertificate'));
  if (fields.nextIs(TagClass.contextSpecific, 0)) fields.read('version');
  for (const what of ['serialNumber', 'signature', 'issuer', 'validity', 'subject']) fields.read(what);
  return fields.expect(TagClass.universal, UniversalTag.SEQUENCE, 'subjectPublicKeyInfo').encoded;
}

// ---- RSA-PSS by hand: reproduce the trace's signature from the stored salt ----

const big = (b: Uint8Array): bigint => BigInt('0x' + (hex(b) || '0'));
function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (base %= modulus; exponent > 0n; exponent >>= 1n, base = (base * base) % modulus) {
    if (exponent & 1n) result = (result * base) % modulus;
  }
  return result;
}
/** RFC 8017 §9.1.1 EMSA-PSS-ENCODE with SHA-256 and MGF1-SHA-256, then RSASP1; 1024-bit modulus, 128-byte output. */
function pssSignWithSalt(
  sha256: HashAlgorithm,
  message: Uint8Array,
  salt: Uint8Array,
  n: bigint,
  d: bigint,
): Uint8Array {
  const emLen = 128;
  const mHash = sha256.digest(message);
  const H = sha256.digest(concat(new Uint8Array(8), mHash, salt));
  const db = concat(new Uint8Array(emLen - salt.length - 32 - 2), [1], salt);
  let mask: Uint8Array = EMPTY;
  for (let counter = 0; mask.length < db.length; counter++) {
    mask = concat(mask, sha256.digest(concat(H, [0, 0, 0, counter])));
  }
  const em = concat(db.map((x, i) => x ^ mask[i]!), H, [0xbc]);
  em[0]! &= 0x7f; // emBits = 1023: the leftmost bit is cleared
  return h(modPow(big(em), d, n).toString(16).padStart(2 * emLen, '0'));
}

// ---- the suites ----

describe.each(providers)('%s provider', (_name, create) => {
  const random = fixedRandom();
  const provider = create({ random });
  const sha256 = provider.hashes.sha256!;

  /** The transcript hash after each message, under the names the vectors use. */
  function transcriptHashes(messages: [string, Hex][], transcript: Transcript): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, message] of messages) {
      transcript.add(h(message));
      out[`through_${name}`] = hex(transcript.current());
    }
    return out;
  }

  /** Every secret from the shared secret and the transcript hashes, the way the handshake derives them. */
  function schedule(trace: TraceJson): Record<string, Uint8Array> {
    const th = trace.transcript_hashes;
    const ks = new KeySchedule13(sha256);
    const early = ks.stageSecret();
    ks.enterHandshake(h(trace.ecdhe_shared_secret));
    const handshake = ks.stageSecret();
    const hs = {
      client_handshake_traffic_secret: ks.clientHandshakeTrafficSecret(h(th['through_server_hello']!)),
      server_handshake_traffic_secret: ks.serverHandshakeTrafficSecret(h(th['through_server_hello']!)),
    };
    ks.enterMaster();
    return {
      early_secret: early,
      derived_for_handshake: deriveSecret(sha256, early, Label.derived, sha256.digest(EMPTY)),
      handshake_secret: handshake,
      ...hs,
      derived_for_master: deriveSecret(sha256, handshake, Label.derived, sha256.digest(EMPTY)),
      master_secret: ks.stageSecret(),
      client_application_traffic_secret_0: ks.clientApplicationTrafficSecret(h(th['through_server_finished']!)),
      server_application_traffic_secret_0: ks.serverApplicationTrafficSecret(h(th['through_server_finished']!)),
      exporter_master_secret: ks.exporterMasterSecret(h(th['through_server_finished']!)),
      resumption_master_secret: ks.resumptionMasterSecret(h(th['through_client_finished']!)),
    };
  }

  function keysAndFinished(trace: TraceJson): void {
    const s = trace.secrets;
    const keys = {
      server_handshake: trafficKeys(sha256, 16, h(s.server_handshake_traffic_secret)),
      client_handshake: trafficKeys(sha256, 16, h(s.client_handshake_traffic_secret)),
      server_application: trafficKeys(sha256, 16, h(s.server_application_traffic_secret_0)),
      client_application: trafficKeys(sha256, 16, h(s.client_application_traffic_secret_0)),
    };
    expect(Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, { key: hex(v.key), iv: hex(v.iv) }]))).toEqual(
      trace.traffic_keys,
    );
    const th = trace.transcript_hashes;
    const finished = {
      server: {
        finished_key: hex(finishedKey(sha256, h(s.server_handshake_traffic_secret))),
        verify_data: hex(
          finishedVerifyData(sha256, h(s.server_handshake_traffic_secret), h(th['through_certificate_verify']!)),
        ),
      },
      client: {
        finished_key: hex(finishedKey(sha256, h(s.client_handshake_traffic_secret))),
        verify_data: hex(
          finishedVerifyData(sha256, h(s.client_handshake_traffic_secret), h(th['through_server_finished']!)),
        ),
      },
    };
    expect(finished).toEqual(trace.finished);
    // ...and they are the bodies of the trace's Finished messages
    expect(trace.handshake_messages['server_finished']).toBe('14000020' + finished.server.verify_data);
    expect(trace.handshake_messages['client_finished']).toBe('14000020' + finished.client.verify_data);
  }

  function recordsOpen(trace: TraceJson): void {
    const keys = (name: NonNullable<RecordJson['keys']>) => {
      const secret = {
        server_handshake: trace.secrets.server_handshake_traffic_secret,
        client_handshake: trace.secrets.client_handshake_traffic_secret,
        server_application: trace.secrets.server_application_traffic_secret_0,
        client_application: trace.secrets.client_application_traffic_secret_0,
      }[name];
      return trafficKeys(sha256, 16, h(secret));
    };
    const protectedRecords = trace.records.filter((r) => r.protected);
    expect(protectedRecords.length).toBeGreaterThan(3);
    for (const record of protectedRecords) {
      const inner = openRecord(provider, keys(record.keys!), record);
      expect(inner, record.carries).toBe(record.inner_plaintext);
      expect(inner, record.carries).toBe(record.content! + record.inner_content_type!.toString(16).padStart(2, '0'));
    }
  }

  function certificateVerify(trace: TraceJson): void {
    const spki = spkiOf(h(trace.server.certificate_der));
    expect(hex(spki)).toBe(trace.server.spki_der);
    const content = certificateVerifyInput('server', h(trace.transcript_hashes['through_certificate']!));
    expect(hex(content)).toBe(trace.certificate_verify_signed_content);
    const key = provider.importPublicKey(spki);
    const scheme = provider.signatures.rsa_pss_rsae_sha256!;
    const signature = h(trace.certificate_verify_signature);
    expect(scheme.verify(key, content, signature)).toBe(true);
    // the context string matters: the same signature is no client CertificateVerify
    const asClient = certificateVerifyInput('client', h(trace.transcript_hashes['through_certificate']!));
    expect(scheme.verify(key, asClient, signature)).toBe(false);
    const tampered = content.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(scheme.verify(key, tampered, signature)).toBe(false);
    // the CertificateVerify message is scheme (0x0804) || length || signature
    const message = '0f000084' + '0804' + '0080' + trace.certificate_verify_signature;
    expect(trace.handshake_messages['certificate_verify']).toBe(message);
  }

  function rsaKey(trace: TraceJson): void {
    const key = trace.server.rsa_private_key;
    for (const der of [key.pkcs8_der, key.pkcs1_der]) {
      const privateKey = provider.importPrivateKey(h(der));
      expect(privateKey.type).toBe('rsa');
      expect(privateKey.bits).toBe(1024);
      expect(hex(privateKey.publicKey.spki)).toBe(trace.server.spki_der);
    }
    // With the recovered salt, the key reproduces the trace's signature byte for byte.
    const signature = pssSignWithSalt(
      sha256,
      h(trace.certificate_verify_signed_content),
      h(trace.server_certificate_verify_pss_salt),
      big(h(key.modulus)),
      big(h(key.private_exponent)),
    );
    expect(hex(signature)).toBe(trace.certificate_verify_signature);
  }

  describe('RFC 8448 §3, simple 1-RTT handshake', () => {
    it('x25519 from the trace keys gives the shared secret on both sides', () => {
      const x25519 = provider.groups.x25519!;
      random.load(h(s3.client.x25519_private_key));
      const client = x25519.start();
      expect(hex(client.publicKey)).toBe(s3.client.x25519_public_key);
      random.load(h(s3.server.x25519_private_key));
      const server = x25519.accept(client.publicKey);
      expect(hex(server.publicKey)).toBe(s3.server.x25519_public_key);
      expect(hex(server.sharedSecret)).toBe(s3.ecdhe_shared_secret);
      expect(hex(client.complete(server.publicKey))).toBe(s3.ecdhe_shared_secret);
      expect(random.remaining).toBe(0);
    });

    it('Transcript gives every transcript hash of the trace', () => {
      const m = s3.handshake_messages;
      const transcript = new Transcript(sha256);
      transcript.add(h(m['client_hello']!));
      const got = transcriptHashes(
        [
          ['server_hello', m['server_hello']!],
          ['encrypted_extensions', m['encrypted_extensions']!],
          ['certificate', m['certificate']!],
          ['certificate_verify', m['certificate_verify']!],
          ['server_finished', m['server_finished']!],
          ['client_finished', m['client_finished']!],
        ],
        transcript,
      );
      const { empty, ...expected } = s3.transcript_hashes;
      expect(got).toEqual(expected);
      expect(hex(sha256.digest(EMPTY))).toBe(empty);
      expect(transcript.messageCount).toBe(7);
    });

    it('KeySchedule13 derives every secret of the trace', () => {
      same(schedule(s3), s3.secrets);
    });

    it('traffic keys, IVs, finished keys and verify_data match the trace and its Finished messages', () => {
      keysAndFinished(s3);
    });

    it('the HkdfLabel structures printed in the trace, and HKDF-Expand-Label over them', () => {
      const prk = h(s3.secrets.handshake_secret);
      for (const [name, v] of Object.entries(s3.hkdf_label_info).filter(([k]) => k !== '_note')) {
        expect(hex(hkdfLabel(v.label, h(v.context), v.length)), name).toBe(v.info);
        expect(hex(hkdfExpandLabel(sha256, prk, v.label, h(v.context), v.length)), name).toBe(
          hex(hkdfExpand(sha256, prk, h(v.info), v.length)),
        );
      }
    });

    it("the NewSessionTicket's PSK", () => {
      const psk = resumptionPsk(sha256, h(s3.secrets.resumption_master_secret), h(s3.new_session_ticket.ticket_nonce));
      expect(hex(psk)).toBe(s3.new_session_ticket.resumption_psk);
    });

    it('every protected record opens with the derived keys and re-seals to the same bytes', () => {
      recordsOpen(s3);
    });

    it("the server's CertificateVerify verifies over certificateVerifyInput with the certificate's key", () => {
      certificateVerify(s3);
    });

    it('the RSA key imports from PKCS#8 and PKCS#1, and with the stored salt reproduces the signature', () => {
      rsaKey(s3);
    });
  });

  describe('RFC 8448 §5, HelloRetryRequest', () => {
    it('P-256 from the trace keys gives the shared secret on both sides', () => {
      const p256 = provider.groups.secp256r1!;
      random.load(h(s5.client.secp256r1_private_key));
      const client = p256.start();
      expect(hex(client.publicKey)).toBe(s5.client.secp256r1_public_key);
      random.load(h(s5.server.secp256r1_private_key));
      const server = p256.accept(client.publicKey);
      expect(hex(server.publicKey)).toBe(s5.server.secp256r1_public_key);
      expect(hex(server.sharedSecret)).toBe(s5.ecdhe_shared_secret);
      expect(hex(client.complete(server.publicKey))).toBe(s5.ecdhe_shared_secret);
      // and the first ClientHello's x25519 share comes from the trace's x25519 key
      random.load(h(s5.client.x25519_private_key));
      expect(hex(provider.groups.x25519!.start().publicKey)).toBe(s5.client.x25519_public_key);
      expect(random.remaining).toBe(0);
    });

    it('Transcript applies the message_hash rule (client side: ClientHello1 kept before the hash is known)', () => {
      const m = s5.handshake_messages;
      const transcript = new Transcript();
      transcript.add(h(m['client_hello_1']!));
      expect(transcript.hash).toBeUndefined();
      transcript.selectHash(sha256); // the HelloRetryRequest names the suite
      expect(hex(transcript.current())).toBe(s5.transcript_hashes['client_hello_1']);
      transcript.replaceWithMessageHash();
      // the transcript is now exactly the synthetic message_hash message
      expect(hex(transcript.current())).toBe(hex(sha256.digest(h(s5.message_hash))));
      expect(s5.message_hash).toBe('fe000020' + s5.transcript_hashes['client_hello_1']);
      transcript.selectHash(sha256); // the ServerHello may select the same hash again
      const got = transcriptHashes(
        [
          ['hello_retry_request', m['hello_retry_request']!],
          ['client_hello_2', m['client_hello_2']!],
          ['server_hello', m['server_hello']!],
          ['encrypted_extensions', m['encrypted_extensions']!],
          ['certificate', m['certificate']!],
          ['certificate_verify', m['certificate_verify']!],
          ['server_finished', m['server_finished']!],
          ['client_finished', m['client_finished']!],
        ],
        transcript,
      );
      const { empty: _empty, client_hello_1: _ch1, ...expected } = s5.transcript_hashes;
      expect(got).toEqual(expected);
    });

    it('Transcript applies the message_hash rule (server side: hash known from the start)', () => {
      const m = s5.handshake_messages;
      const transcript = new Transcript(sha256);
      transcript.add(h(m['client_hello_1']!));
      transcript.replaceWithMessageHash();
      transcript.add(h(m['hello_retry_request']!));
      transcript.add(h(m['client_hello_2']!));
      transcript.add(h(m['server_hello']!));
      expect(hex(transcript.current())).toBe(s5.transcript_hashes['through_server_hello']);
      // without the rule the hash differs: the test above is not passing by accident
      const plain = new Transcript(sha256);
      for (const name of ['client_hello_1', 'hello_retry_request', 'client_hello_2', 'server_hello']) {
        plain.add(h(m[name]!));
      }
      expect(hex(plain.current())).not.toBe(s5.transcript_hashes['through_server_hello']);
    });

    it('KeySchedule13 derives every secret of the trace', () => {
      same(schedule(s5), s5.secrets);
    });

    it('traffic keys, IVs, finished keys and verify_data match the trace and its Finished messages', () => {
      keysAndFinished(s5);
    });

    it('every protected record opens with the derived keys and re-seals to the same bytes', () => {
      recordsOpen(s5);
    });

    it("the server's CertificateVerify verifies over certificateVerifyInput with the certificate's key", () => {
      certificateVerify(s5);
    });

    it('the stored salt reproduces the signature', () => {
      rsaKey(s5);
    });
  });

  describe('RFC 8448 §4, resumption PSK: binder and early secrets', () => {
    it('the early secret, binder key, binder and Transcript.currentWith before the hash is chosen', () => {
      const ks = new KeySchedule13(sha256, h(s4.psk));
      expect(hex(ks.stageSecret())).toBe(s4.early_secret);
      const binderKey = ks.binderKey('resumption');
      expect(hex(binderKey)).toBe(s4.binder.binder_key);
      expect(hex(finishedKey(sha256, binderKey))).toBe(s4.binder.finished_key);
      // the client's first ClientHello: no suite chosen yet, the PSK's hash is named
      const transcript = new Transcript();
      const binderHash = transcript.currentWith(h(s4.binder.client_hello_prefix), sha256);
      expect(hex(binderHash)).toBe(s4.binder.binder_hash);
      expect(transcript.messageCount).toBe(0);
      const binder = finishedVerifyData(sha256, binderKey, binderHash);
      expect(hex(binder)).toBe(s4.binder.binder);
      // the binder list closes the ClientHello: u16 list length 0x21, u8 binder length 0x20, binder
      expect(s4.client_hello).toBe(s4.binder.client_hello_prefix + '002120' + s4.binder.binder);
    });

    it('client_early_traffic_secret and early_exporter_master_secret; the early data record opens', () => {
      const ks = new KeySchedule13(sha256, h(s4.psk));
      const transcript = new Transcript(sha256);
      transcript.add(h(s4.client_hello));
      const early = ks.clientEarlyTrafficSecret(transcript.current());
      expect(hex(early)).toBe(s4.client_early_traffic_secret);
      expect(hex(ks.earlyExporterMasterSecret(transcript.current()))).toBe(s4.early_exporter_master_secret);
      const keys = trafficKeys(sha256, 16, early);
      expect({ key: hex(keys.key), iv: hex(keys.iv) }).toEqual(s4.client_early_traffic_keys);
      expect(openRecord(provider, keys, s4.early_data_record)).toBe(s4.early_data_record.inner_plaintext);
    });

    it('currentWith with a hash already selected forks the running hash and leaves the transcript alone', () => {
      const transcript = new Transcript(sha256);
      const prefix = h(s4.binder.client_hello_prefix);
      expect(hex(transcript.currentWith(prefix))).toBe(s4.binder.binder_hash);
      expect(hex(transcript.currentWith(prefix, sha256))).toBe(s4.binder.binder_hash);
      expect(hex(transcript.current())).toBe(hex(sha256.digest(EMPTY)));
    });
  });

  describe('derivations without a published vector, against a hand computation', () => {
    const secret = h(s3.secrets.server_application_traffic_secret_0);
    /** HkdfLabel written out byte by byte (RFC 8446 §7.1), independently of hkdfLabel(). */
    const label = (length: number, text: string, context: Uint8Array) =>
      concat([length >> 8, length & 255, 6 + text.length], ascii('tls13 ' + text), [context.length], context);

    it('nextTrafficSecret is HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)', () => {
      const next = nextTrafficSecret(sha256, secret);
      expect(hex(next)).toBe(hex(hkdfExpand(sha256, secret, label(32, 'traffic upd', EMPTY), 32)));
      expect(hex(next)).not.toBe(hex(secret));
      expect(hex(nextTrafficSecret(sha256, next))).not.toBe(hex(next));
    });

    it('exportKeyingMaterial13 follows RFC 8446 §7.5', () => {
      const ems = h(s3.secrets.exporter_master_secret);
      const exporterLabel = 'EXPORTER-tlsbio-test';
      const context = Uint8Array.from({ length: 10 }, (_, i) => i);
      for (const length of [0, 1, 32, 33, 100]) {
        // Derive-Secret(Secret, label, "") then HKDF-Expand-Label(., "exporter", Hash(context_value), key_length)
        const derived = hkdfExpand(sha256, ems, label(32, exporterLabel, sha256.digest(EMPTY)), 32);
        const expected = hkdfExpand(sha256, derived, label(length, 'exporter', sha256.digest(context)), length);
        const exported = exportKeyingMaterial13(sha256, ems, exporterLabel, context, length);
        expect(hex(exported), `${length}`).toBe(hex(expected));
      }
      const out32 = exportKeyingMaterial13(sha256, ems, exporterLabel, EMPTY, 32);
      // the length is part of the label: a shorter export is not a prefix of a longer one
      expect(hex(exportKeyingMaterial13(sha256, ems, exporterLabel, EMPTY, 16))).not.toBe(hex(out32.subarray(0, 16)));
      // label and context both matter
      expect(hex(exportKeyingMaterial13(sha256, ems, 'EXPORTER-other', EMPTY, 32))).not.toBe(hex(out32));
      expect(hex(exportKeyingMaterial13(sha256, ems, exporterLabel, Uint8Array.of(0), 32))).not.toBe(hex(out32));
    });

    it('exportKeyingMaterial13 refuses bad arguments with InvalidArgumentError', () => {
      const ems = h(s3.secrets.exporter_master_secret);
      const bad: [string, () => unknown][] = [
        ['label too long', () => exportKeyingMaterial13(sha256, ems, 'x'.repeat(250), EMPTY, 32)],
        ['length above 255 * 32', () => exportKeyingMaterial13(sha256, ems, 'EXPORTER', EMPTY, 255 * 32 + 1)],
        ['negative length', () => exportKeyingMaterial13(sha256, ems, 'EXPORTER', EMPTY, -1)],
        ['fractional length', () => exportKeyingMaterial13(sha256, ems, 'EXPORTER', EMPTY, 1.5)],
        ['context not bytes', () => exportKeyingMaterial13(sha256, ems, 'EXPORTER', 'ab' as unknown as Uint8Array, 32)],
        ['label not a string', () => exportKeyingMaterial13(sha256, ems, 7 as unknown as string, EMPTY, 32)],
      ];
      for (const [what, call] of bad) expect(call, what).toThrow(InvalidArgumentError);
      // the largest allowed label still works
      expect(exportKeyingMaterial13(sha256, ems, 'x'.repeat(249), EMPTY, 32)).toHaveLength(32);
    });

    it('hkdfLabel: one HkdfLabel, UTF-8 for non-ASCII labels, and range checks', () => {
      expect(hex(hkdfLabel('key', EMPTY, 16))).toBe('001009746c733133206b657900');
      expect(hex(hkdfLabel('é', Uint8Array.of(1, 2), 0x0102))).toBe('010208746c73313320c3a9020102');
      expect(hex(hkdfLabel('x'.repeat(249), EMPTY, 1)).slice(0, 6)).toBe('0001ff');
      expect(() => hkdfLabel('x'.repeat(250), EMPTY, 1)).toThrow(InvalidArgumentError);
      expect(() => hkdfLabel('é'.repeat(125), EMPTY, 1)).toThrow(InvalidArgumentError); // 250 bytes in UTF-8
      expect(() => hkdfLabel('key', new Uint8Array(256), 1)).toThrow(InvalidArgumentError);
      expect(hkdfLabel('key', new Uint8Array(255), 1)).toHaveLength(3 + 9 + 1 + 255);
      expect(() => hkdfLabel('key', EMPTY, 65536)).toThrow(InvalidArgumentError);
      expect(() => hkdfLabel('key', EMPTY, -1)).toThrow(InvalidArgumentError);
    });

    it('certificateVerifyInput: 64 spaces, the context string, 0x00, the hash', () => {
      const th = Uint8Array.from({ length: 48 }, (_, i) => i);
      for (const signer of ['server', 'client'] as const) {
        const expected = concat(new Uint8Array(64).fill(0x20), ascii(`TLS 1.3, ${signer} CertificateVerify`), [0], th);
        expect(hex(certificateVerifyInput(signer, th))).toBe(hex(expected));
      }
    });

    it('SHA-384 suites: sizes follow Hash.length', () => {
      const sha384 = provider.hashes.sha384!;
      const ks = new KeySchedule13(sha384);
      expect(ks.stageSecret()).toHaveLength(48);
      ks.enterHandshake(new Uint8Array(32));
      const th = sha384.digest(ascii('transcript'));
      const c = ks.clientHandshakeTrafficSecret(th);
      expect(c).toHaveLength(48);
      expect(finishedVerifyData(sha384, c, th)).toHaveLength(48);
      const keys = trafficKeys(sha384, 32, c);
      expect([keys.key.length, keys.iv.length]).toEqual([32, 12]);
      expect(() => ks.serverHandshakeTrafficSecret(sha256.digest(EMPTY))).toThrow(InvalidArgumentError);
      expect(new Transcript(sha384).current()).toHaveLength(48);
    });
  });

  describe('misuse is an internal error', () => {
    const internal = (call: () => unknown): void => {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
      expect((caught as ProtocolError).reason).toBe('INTERNAL_ERROR');
      expect((caught as ProtocolError).fault).toBe('local');
    };
    const th = sha256.digest(EMPTY);

    it('KeySchedule13: each derivation only at its stage, forwards only', () => {
      const ks = new KeySchedule13(sha256);
      expect(ks.stage).toBe('early');
      internal(() => ks.clientHandshakeTrafficSecret(th));
      internal(() => ks.clientApplicationTrafficSecret(th));
      internal(() => ks.enterMaster());
      ks.enterHandshake(new Uint8Array(32));
      expect(ks.stage).toBe('handshake');
      internal(() => ks.binderKey('external'));
      internal(() => ks.clientEarlyTrafficSecret(th));
      internal(() => ks.earlyExporterMasterSecret(th));
      internal(() => ks.enterHandshake(new Uint8Array(32)));
      internal(() => ks.resumptionMasterSecret(th));
      ks.enterMaster();
      expect(ks.stage).toBe('master');
      internal(() => ks.serverHandshakeTrafficSecret(th));
      internal(() => ks.enterMaster());
      internal(() => ks.enterHandshake(new Uint8Array(32)));
      expect(ks.exporterMasterSecret(th)).toHaveLength(32);
    });

    it('KeySchedule13: bad inputs are InvalidArgumentError', () => {
      expect(() => new KeySchedule13(sha256, new Uint8Array(0))).toThrow(InvalidArgumentError);
      const ks = new KeySchedule13(sha256);
      expect(() => ks.clientEarlyTrafficSecret(new Uint8Array(31))).toThrow(InvalidArgumentError);
      expect(() => ks.enterHandshake(new Uint8Array(0))).toThrow(InvalidArgumentError);
      expect(ks.stage).toBe('early');
    });

    it('the external and resumption binder keys differ', () => {
      const ks = new KeySchedule13(sha256, h(s4.psk));
      expect(hex(ks.binderKey('external'))).not.toBe(hex(ks.binderKey('resumption')));
      expect(hex(ks.binderKey('external'))).toBe(
        hex(deriveSecret(sha256, h(s4.early_secret), Label.extBinder, sha256.digest(EMPTY))),
      );
    });

    it('Transcript: reading before the hash is chosen, switching hashes, misplaced message_hash', () => {
      const transcript = new Transcript();
      internal(() => transcript.current());
      internal(() => transcript.replaceWithMessageHash());
      internal(() => transcript.currentWith(EMPTY));
      transcript.selectHash(sha256);
      internal(() => transcript.selectHash(provider.hashes.sha384!));
      internal(() => transcript.currentWith(EMPTY, provider.hashes.sha384!));
      internal(() => transcript.replaceWithMessageHash()); // no ClientHello1 yet
      transcript.add(h(s5.handshake_messages['client_hello_1']!));
      transcript.add(h(s5.handshake_messages['hello_retry_request']!));
      internal(() => transcript.replaceWithMessageHash()); // too late: the HRR is in already
      expect(() => transcript.currentWith('x' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    });

    it('Transcript keeps copies of messages added before the hash is chosen', () => {
      const buffer = h(s3.handshake_messages['client_hello']!);
      const transcript = new Transcript();
      transcript.add(buffer);
      buffer.fill(0); // the caller reuses its buffer
      transcript.selectHash(sha256);
      transcript.add(h(s3.handshake_messages['server_hello']!));
      expect(hex(transcript.current())).toBe(s3.transcript_hashes['through_server_hello']);
    });

    it('Transcript.release ends the transcript: every later use is an internal error, not a wrong hash', () => {
      const transcript = new Transcript(sha256);
      transcript.add(h(s3.handshake_messages['client_hello']!));
      transcript.release();
      internal(() => transcript.current());
      internal(() => transcript.currentWith(EMPTY, sha256));
      internal(() => transcript.add(h(s3.handshake_messages['server_hello']!)));
      internal(() => transcript.selectHash(sha256));
      internal(() => transcript.messages());
    });
  });
});
