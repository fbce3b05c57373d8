import { readdirSync } from 'node:fs';
import { CertVerificationError, InvalidArgumentError, ProtocolError, isTLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { createNodeProvider } from '../src/node/crypto/index.js';
import {
  certificateSignatureScheme,
  certificateToDict,
  matchesHostname,
  parseCertificate,
  verifyCertificateChain,
  type Certificate,
} from '../src/x509/index.js';
import { derSequence } from '../src/asn1/der-writer.js';
import { pkiDer } from './fixtures/pki/synthetic.js';

// A seeded, bounded mutation pass over every fixture certificate: whatever the bytes, the parser raises only its two
// errors (BAD_CERTIFICATE for a peer's, BAD_DER for a local one), and a certificate it accepts goes through the
// dictionary, the scheme mapping, hostname matching and the chain check with nothing but CertVerificationError —
// never a TypeError, a RangeError or an error from deep inside.
// A longer run: X509_FUZZ_ROUNDS=5000 npx vitest run test/x509-fuzz
const ROUNDS_PER_INPUT = Number(process.env.X509_FUZZ_ROUNDS ?? 150);

function generator(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (state + 0x6d2b79f5) >>> 0; // mulberry32
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * limit);
  };
}

function mutate(input: Uint8Array, random: (limit: number) => number): Uint8Array {
  const out = Array.from(input);
  const position = random(out.length);
  switch (random(8)) {
    case 0: // flip one bit
      out[position] = out[position]! ^ (1 << random(8));
      break;
    case 1: // replace a byte with a value that matters to DER headers, or any
      out[position] = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0xff, 0x30, 0xa0, 0xa3, random(256)][random(11)]!;
      break;
    case 2: // truncate
      out.length = position;
      break;
    case 3: // delete a run
      out.splice(position, 1 + random(4));
      break;
    case 4: // insert a byte
      out.splice(position, 0, random(256));
      break;
    case 5: // duplicate a slice
      out.splice(position, 0, ...out.slice(position, position + 1 + random(32)));
      break;
    case 6: // swap two slices
      {
        const other = random(out.length);
        const length = 1 + random(16);
        const a = out.slice(position, position + length);
        const b = out.slice(other, other + length);
        out.splice(position, a.length, ...b);
        out.splice(other, b.length, ...a);
      }
      break;
    default: // several bit flips
      for (let i = 0, count = 2 + random(4); i < count; i++) {
        const at = random(out.length);
        out[at] = out[at]! ^ (1 << random(8));
      }
  }
  return Uint8Array.from(out);
}

const files = readdirSync(new URL('./fixtures/pki/', import.meta.url)).filter(
  (f) => f.endsWith('.pem') && !f.includes('chain'),
);

describe('x509 under mutation', () => {
  const provider = createNodeProvider();
  const anchors = ['ca.pem', 'ca-int.pem', 'ca-rsa.pem', 'ca-rsa-pss.pem', 'ca-ed25519.pem', 'ca-ed448.pem'].map((f) =>
    parseCertificate(pkiDer(f)),
  );
  const issuerKeys = anchors.flatMap((anchor) => {
    try {
      return [provider.importPublicKey(anchor.spki)];
    } catch {
      return []; // Ed448
    }
  });

  it(`raises only TLS errors, ${ROUNDS_PER_INPUT} mutations of each of ${files.length} certificates`, () => {
    const tally = { parsed: 0, refused: 0, verified: 0, verifyRefused: 0 };
    files.forEach((file, index) => {
      const random = generator(0x5eed + index);
      const original = pkiDer(file);
      for (let round = 0; round < ROUNDS_PER_INPUT; round++) {
        const input = mutate(original, random);
        let cert: Certificate | undefined;
        try {
          cert = parseCertificate(input, 'peer');
        } catch (error) {
          if (!ProtocolError.isInstance(error) || error.reason !== 'BAD_CERTIFICATE') {
            throw new Error(`${file} round ${round}: ${String(error)}`, { cause: error });
          }
          tally.refused++;
        }
        // A local certificate gives the same verdict, as BAD_DER.
        try {
          const local = parseCertificate(input, 'local');
          expect(cert, `${file} round ${round}`).toBeDefined();
          expect(local.der).toEqual(cert!.der);
        } catch (error) {
          if (!InvalidArgumentError.isInstance(error) || error.reason !== 'BAD_DER') {
            throw new Error(`${file} round ${round} (local): ${String(error)}`, { cause: error });
          }
          expect(cert, `${file} round ${round}`).toBeUndefined();
        }
        if (cert === undefined) continue;
        tally.parsed++;
        exercise(cert, original, `${file} round ${round}`);
      }
    });
    if (process.env.X509_FUZZ_ROUNDS !== undefined) console.log(tally);
    // Not vacuous: both verdicts happen, and accepted certificates reach the chain check.
    expect(tally.refused).toBeGreaterThan(files.length * ROUNDS_PER_INPUT * 0.5);
    expect(tally.parsed).toBeGreaterThan(files.length);
    expect(tally.verified + tally.verifyRefused).toBe(tally.parsed);
    expect(tally.verifyRefused).toBeGreaterThan(0);

    function exercise(cert: Certificate, original: Uint8Array, where: string): void {
      try {
        certificateToDict(cert);
        for (const key of issuerKeys) certificateSignatureScheme(cert, key);
        matchesHostname(cert, 'localhost');
        matchesHostname(cert, '::1');
      } catch (error) {
        throw new Error(`${where}: ${String(error)}`, { cause: error });
      }
      try {
        verifyCertificateChain([cert], { provider, trustAnchors: anchors, hostname: 'localhost' });
        // The signature covers every byte that matters: only a mutation that changed nothing can still verify.
        expect(Buffer.from(cert.der).equals(original), where).toBe(true);
        tally.verified++;
      } catch (error) {
        if (!CertVerificationError.isInstance(error))
          throw new Error(`${where} (verify): ${String(error)}`, { cause: error });
        tally.verifyRefused++;
      }
    }
  });

  it('raises only TLS errors when the intermediate of a constrained or multi-level chain is mutated', () => {
    // Corpus chains whose intermediates carry name constraints, path lengths and key identifiers: a mutated
    // intermediate that still parses goes through path building and every check with the real leaf below it.
    const corpus = (name: string): Uint8Array => pkiDer(`../corpus/${name}.pem`);
    const chains: Array<[leaf: string, intermediate: string]> = [
      ['leaf-nc-dns-ok', 'int-nc-dns'],
      ['leaf-nc-ip-ok', 'int-nc-ip'],
      ['leaf-nc-email-ok', 'int-nc-email'],
      ['leaf-nc-dir-ok', 'int-nc-dir'],
      ['leaf-pl1', 'int-pl1-sub'],
      ['rsa-leaf', 'rsa-int'],
    ];
    const roots = ['root', 'rsa-root'].map((name) => parseCertificate(corpus(name)));
    const extra = [parseCertificate(corpus('int-pl1'))];
    const tally = { refused: 0, verified: 0, verifyRefused: 0 };
    chains.forEach(([leafName, intName], index) => {
      const random = generator(0xc0de + index);
      const leaf = parseCertificate(corpus(leafName));
      const original = corpus(intName);
      for (let round = 0; round < ROUNDS_PER_INPUT; round++) {
        let intermediate: Certificate;
        try {
          intermediate = parseCertificate(mutate(original, random), 'peer');
        } catch (error) {
          if (!ProtocolError.isInstance(error)) throw new Error(`${intName} round ${round}: ${String(error)}`, { cause: error });
          tally.refused++;
          continue;
        }
        try {
          verifyCertificateChain([leaf, intermediate], { provider, trustAnchors: roots, intermediates: extra, purpose: 'any', now: new Date('2026-01-01T00:00:00Z') });
          // Only an unchanged intermediate (or one the path did not need) can verify.
          tally.verified++;
        } catch (error) {
          if (!CertVerificationError.isInstance(error)) throw new Error(`${intName} round ${round} (verify): ${String(error)}`, { cause: error });
          tally.verifyRefused++;
        }
      }
    });
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.verifyRefused).toBeGreaterThan(0);
  });

  it('refuses deep nesting and huge lengths in bounded time, without exhausting the stack', () => {
    const depth = 100_000;
    const nested = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) {
      nested[2 * i] = 0x30;
      nested[2 * i + 1] = 0x80; // indefinite length: BER
    }
    let definite: Uint8Array = new Uint8Array(0); // 2,000 SEQUENCEs, each correctly encoded inside the next
    for (let i = 0; i < 2000; i++) definite = derSequence(definite);
    const huge = Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00);
    const hugeLengthOctets = Uint8Array.of(0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    for (const input of [nested, definite, huge, hugeLengthOctets]) {
      let thrown: unknown;
      try {
        parseCertificate(input, 'peer');
      } catch (error) {
        thrown = error;
      }
      expect(ProtocolError.isInstance(thrown) && thrown.reason === 'BAD_CERTIFICATE', String(thrown)).toBe(true);
      expect((thrown as ProtocolError).alert?.name).toBe('bad_certificate');
    }
  });

  it('survives input that is not DER at all', () => {
    const random = generator(42);
    for (let round = 0; round < 500; round++) {
      const input = Uint8Array.from({ length: random(64) }, () => random(256));
      if (round % 2 === 0 && input.length > 2) {
        input[0] = 0x30; // a SEQUENCE header, so the parser gets past the first byte
        input[1] = input.length - 2;
      }
      try {
        parseCertificate(input, 'peer');
      } catch (error) {
        expect(isTLSError(error), String(error)).toBe(true);
      }
    }
  });
});
