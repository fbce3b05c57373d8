/**
 * Published test vectors, run unchanged against every crypto provider.
 *
 * Our own transcriptions live in `test/vectors/*.json` (sources in `test/vectors/README.md`); Project Wycheproof is
 * read in place from the shared vectors directory. Every check collects its failures by vector id and then asserts
 * how many vectors it ran, so a parsing slip that skips a file cannot pass silently. The choices made for Wycheproof's
 * `acceptable` results and for vectors a TLS stack cannot even express are documented in the README and beside the
 * code that makes them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { hkdfExpand, hkdfExtract } from '../src/crypto/hkdf.js';
import type {
  AeadName,
  CryptoProvider,
  GroupName,
  HashAlgorithm,
  HashName,
  KeyExchangeGroup,
  SignatureScheme,
  SignatureSchemeName,
} from '../src/crypto/provider.js';
import { fixedRandom, providers, type ProviderFactory, type ScriptedRandom } from './helpers/providers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OWN_VECTORS = path.join(HERE, 'vectors');
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
/** The shared, unedited Wycheproof files (see ../shared/vectors/README.md); overridable for other checkouts. */
const WYCHEPROOF =
  process.env.TLSBIO_WYCHEPROOF_DIR ?? path.resolve(REPO_ROOT, '..', 'shared', 'vectors', 'wycheproof');

// ---- bytes ----------------------------------------------------------------------------------------------------

function h(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error(`bad hex in a vector file: ${hex.slice(0, 40)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

function x(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Left-pads a big-endian integer (Wycheproof writes them as signed DER integers, sometimes with a 00) to `size`. */
function scalar(hex: string, size: number): Uint8Array {
  const bytes = h(hex);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  if (trimmed.length > size) throw new Error(`scalar ${hex} does not fit ${size} bytes`);
  const out = new Uint8Array(size);
  out.set(trimmed, size - trimmed.length);
  return out;
}

// ---- checking -------------------------------------------------------------------------------------------------

/** Returns a description of the mismatch, or undefined when `actual` is `expectedHex`. */
function same(label: string, actual: Uint8Array | null | undefined, expectedHex: string): string | undefined {
  if (actual == null) return `${label}: got ${String(actual)}, want ${expectedHex.slice(0, 64)}`;
  const got = x(actual);
  return got === expectedHex.toLowerCase()
    ? undefined
    : `${label}: got ${got.slice(0, 64)}…, want ${expectedHex.slice(0, 64)}…`;
}

function describeError(error: unknown): string {
  if (error instanceof ProtocolError || error instanceof InvalidArgumentError) return `${error.name}(${error.reason})`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** undefined when `run` throws ProtocolError(INVALID_KEY_SHARE), the only outcome allowed for a bad key share. */
function rejectsShare(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError && error.reason === 'INVALID_KEY_SHARE') return undefined;
    return `threw ${describeError(error)} instead of ProtocolError(INVALID_KEY_SHARE)`;
  }
  return 'accepted a share that must be rejected';
}

/** Runs checks, collects failures by vector id, and counts what ran. */
class Tally {
  private executed = 0;
  private readonly failures: string[] = [];

  check(id: string | number, body: () => string | undefined): void {
    this.executed++;
    let problem: string | undefined;
    try {
      problem = body();
    } catch (error) {
      problem = `threw ${describeError(error)}`;
    }
    if (problem !== undefined) this.failures.push(`${id}: ${problem}`);
  }

  /** Every check passed, and exactly `expected` vectors ran (never zero). */
  finish(expected: number): void {
    expect(this.failures.slice(0, 25)).toEqual([]);
    expect(this.failures.length).toBe(0);
    expect(expected).toBeGreaterThan(0);
    expect(this.executed).toBe(expected);
  }
}

// ---- vector files ---------------------------------------------------------------------------------------------

function loadOwn<T>(name: string): T {
  const vectors = JSON.parse(readFileSync(path.join(OWN_VECTORS, name), 'utf8')) as T & { source?: unknown };
  if (typeof vectors.source !== 'string' || vectors.source.trim() === '') throw new Error(`${name} names no source`);
  return vectors;
}

interface WycheproofTest {
  tcId: number;
  comment?: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}
interface Selected<G> {
  group: G;
  test: WycheproofTest;
}

function loadWycheproof(name: string): WycheproofFile {
  const file = path.join(WYCHEPROOF, name);
  if (!existsSync(file)) throw new Error(`Wycheproof file missing: ${file} (set TLSBIO_WYCHEPROOF_DIR)`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as WycheproofFile;
  // The header count is our reference for "nothing was lost while parsing".
  expect(parsed.testGroups.reduce((sum, group) => sum + group.tests.length, 0)).toBe(parsed.numberOfTests);
  return parsed;
}

/**
 * The tests of the groups `keep` selects, checked to be exactly `expected` many; the rest of the file is accounted
 * for, so `selected + left out == numberOfTests`.
 */
function select<G extends WycheproofGroup>(
  file: WycheproofFile,
  expected: number,
  keep: (group: G) => boolean = () => true,
): Selected<G>[] {
  const selected: Selected<G>[] = [];
  let leftOut = 0;
  for (const group of file.testGroups as G[]) {
    if (keep(group)) for (const test of group.tests) selected.push({ group, test });
    else leftOut += group.tests.length;
  }
  expect(selected.length).toBe(expected);
  expect(selected.length + leftOut).toBe(file.numberOfTests);
  return selected;
}

const text = (test: WycheproofTest, field: string): string => {
  const value = test[field];
  if (typeof value !== 'string') throw new Error(`tcId ${test.tcId}: field ${field} is not a string`);
  return value;
};

// ---- provider access ------------------------------------------------------------------------------------------

/** A provider whose random source is a script the test fills before each key-share operation. */
function scripted(create: ProviderFactory): { provider: CryptoProvider; random: ScriptedRandom } {
  const random = fixedRandom();
  return { provider: create({ random }), random };
}

function hashOf(provider: CryptoProvider, name: HashName): HashAlgorithm {
  const hash = provider.hashes[name];
  if (!hash) throw new Error(`provider ${provider.name} lacks ${name}`);
  return hash;
}

function groupOf(provider: CryptoProvider, name: GroupName): KeyExchangeGroup {
  const group = provider.groups[name];
  if (!group) throw new Error(`provider ${provider.name} lacks group ${name}`);
  return group;
}

function schemeOf(provider: CryptoProvider, name: SignatureSchemeName): SignatureScheme {
  const scheme = provider.signatures[name];
  if (!scheme) throw new Error(`provider ${provider.name} lacks signature scheme ${name}`);
  return scheme;
}

/**
 * Seals and opens one AEAD vector. A valid vector must seal to exactly `ciphertext || tag`, open back to the
 * plaintext, and fail to open (null, not a throw) once one tag bit is flipped; an invalid one must fail to open.
 */
function checkAead(
  provider: CryptoProvider,
  name: AeadName,
  v: { key: string; nonce: string; aad: string; plaintext: string; ciphertext: string; tag: string },
  valid: boolean,
): string | undefined {
  const aead = provider.aeads[name];
  if (!aead) return `provider lacks ${name}`;
  const key = aead.importKey(h(v.key));
  const nonce = h(v.nonce);
  const aad = h(v.aad);
  const sealed = h(v.ciphertext + v.tag);
  if (!valid) {
    const opened = key.open(nonce, sealed, aad);
    return opened === null ? undefined : `opened a forged record to ${x(opened).slice(0, 32)}`;
  }
  const problem =
    same('seal', key.seal(nonce, h(v.plaintext), aad), v.ciphertext + v.tag) ??
    same('open', key.open(nonce, sealed, aad), v.plaintext);
  if (problem) return problem;
  const forged = sealed.slice();
  forged[forged.length - 1] = (sealed[sealed.length - 1] as number) ^ 0x01;
  return key.open(nonce, forged, aad) === null ? undefined : 'opened a record whose tag was altered';
}

// ---- the ECDH test data is wrapped in SPKI; TLS key shares are raw points ---------------------------------------

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One strict-DER TLV at `offset` (definite, minimal lengths; low tag numbers), or null. */
function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = der[offset] as number;
  if ((tag & 0x1f) === 0x1f) return null;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || start + count > limit || der[start] === 0) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] as number);
    if (length < 0x80) return null;
    start += count;
  }
  return start + length > limit ? null : { tag, start, end: start + length };
}

const EC_PUBLIC_KEY_OID = '2a8648ce3d0201'; // 1.2.840.10045.2.1, RFC 5480 §2.1.1

/**
 * An id-ecPublicKey SPKI in strict DER: its named-curve OID (hex of the OID content; null for explicit parameters)
 * and the point from the BIT STRING. Null when the DER is not strict, which is what Wycheproof's InvalidAsn cases
 * exercise.
 */
function parseEcSpki(der: Uint8Array): { curveOid: string | null; point: Uint8Array } | null {
  const spki = readTlv(der, 0, der.length);
  if (!spki || spki.tag !== 0x30 || spki.end !== der.length) return null;
  const algorithm = readTlv(der, spki.start, spki.end);
  if (!algorithm || algorithm.tag !== 0x30) return null;
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (!oid || oid.tag !== 0x06 || x(der.subarray(oid.start, oid.end)) !== EC_PUBLIC_KEY_OID) return null;
  const parameters = readTlv(der, oid.end, algorithm.end);
  if (!parameters || parameters.end !== algorithm.end || (parameters.tag !== 0x06 && parameters.tag !== 0x30))
    return null;
  const bits = readTlv(der, algorithm.end, spki.end);
  if (!bits || bits.tag !== 0x03 || bits.end !== spki.end || bits.end === bits.start || der[bits.start] !== 0)
    return null;
  return {
    curveOid: parameters.tag === 0x06 ? x(der.subarray(parameters.start, parameters.end)) : null,
    point: der.subarray(bits.start + 1, bits.end),
  };
}

interface NistCurve {
  group: 'secp256r1' | 'secp384r1';
  oid: string;
  size: number;
  p: bigint;
  b: bigint;
}

// SEC 2 §2.4.2 and §2.5.1 (a = -3 for both).
const NIST_CURVES: Record<'secp256r1' | 'secp384r1', NistCurve> = {
  secp256r1: {
    group: 'secp256r1',
    oid: '2a8648ce3d030107',
    size: 32,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  secp384r1: {
    group: 'secp384r1',
    oid: '2b81040022',
    size: 48,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
};

/** Whether `point` is an uncompressed point (0x04 || X || Y) on `curve`: y² = x³ − 3x + b (mod p). */
function isOnCurve(curve: NistCurve, point: Uint8Array): boolean {
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) return false;
  const px = BigInt(`0x${x(point.subarray(1, 1 + curve.size))}`);
  const py = BigInt(`0x${x(point.subarray(1 + curve.size))}`);
  if (px >= curve.p || py >= curve.p) return false;
  const mod = (value: bigint) => ((value % curve.p) + curve.p) % curve.p;
  return mod(py * py) === mod(px * px * px - 3n * px + curve.b);
}

/** The Wycheproof flag each reason for leaving a case out must come with (the OID edits are InvalidAsn cases). */
const LEFT_OUT_FLAG = {
  'not strict DER': 'InvalidAsn',
  'explicit curve parameters': 'UnnamedCurve',
  'point also on the target curve': 'InvalidAsn',
} as const;

/** How many valid ECDH cases per curve also run through the client side. */
const CLIENT_SIDE_VALID_SAMPLE = 40;

type EcdhPlan =
  | { run: true; point: Uint8Array; expect: 'shared' | 'reject' }
  | { run: false; why: 'not strict DER' | 'explicit curve parameters' | 'point also on the target curve' };

/**
 * What a TLS key share can make of one Wycheproof ECDH case. A key share is a bare uncompressed point (RFC 8446
 * §4.2.8.2); the SPKI wrapper, its curve OID and explicit parameters never reach the group. So:
 * - a wrapper that is not strict DER (InvalidAsn) or carries explicit parameters (UnnamedCurve): not expressible;
 * - the target curve's OID: the point is the share. valid → the exact secret; invalid → rejected; acceptable
 *   (a compressed point, or zeros appended inside the BIT STRING) → rejected, because a TLS share is exactly
 *   0x04 || X || Y;
 * - another curve's OID (WrongCurve, ModifiedGroup): the point is sent as a share for our curve and must be rejected,
 *   unless it happens to be a valid point of our curve too, in which case the defect is only in the OID.
 */
function planEcdh(curve: NistCurve, test: WycheproofTest): EcdhPlan {
  const spki = parseEcSpki(h(text(test, 'public')));
  if (!spki) return { run: false, why: 'not strict DER' };
  if (spki.curveOid === null) return { run: false, why: 'explicit curve parameters' };
  if (spki.curveOid === curve.oid) {
    if (test.result === 'valid') return { run: true, point: spki.point, expect: 'shared' };
    if (test.result === 'acceptable' && !test.flags.includes('CompressedPoint') && !test.flags.includes('InvalidAsn')) {
      throw new Error(`tcId ${test.tcId}: an acceptable case this plan does not cover: ${test.flags.join(',')}`);
    }
    return { run: true, point: spki.point, expect: 'reject' };
  }
  if (isOnCurve(curve, spki.point)) return { run: false, why: 'point also on the target curve' };
  return { run: true, point: spki.point, expect: 'reject' };
}

// ---- the suite --------------------------------------------------------------------------------------------------

it('every vector file names its source and is listed in test/vectors/README.md', () => {
  const files = readdirSync(OWN_VECTORS).filter((name) => name.endsWith('.json'));
  const readme = readFileSync(path.join(OWN_VECTORS, 'README.md'), 'utf8');
  expect(files.length).toBe(10);
  for (const name of files) {
    expect(() => loadOwn(name), name).not.toThrow();
    expect(readme, name).toContain(`\`${name}\``);
  }
});

describe.each(providers)('%s provider: published vectors', (_name, create) => {
  describe('RFC vectors (test/vectors)', () => {
    it('RFC 5869 HKDF (A.1-A.3)', () => {
      const file = loadOwn<{
        tests: {
          id: string;
          hash: HashName;
          ikm: string;
          salt: string;
          info: string;
          length: number;
          prk: string;
          okm: string;
        }[];
      }>('rfc5869-hkdf.json');
      const provider = create();
      const tally = new Tally();
      for (const v of file.tests) {
        tally.check(v.id, () => {
          const hash = hashOf(provider, v.hash);
          const prk = hkdfExtract(hash, h(v.salt), h(v.ikm));
          return same('PRK', prk, v.prk) ?? same('OKM', hkdfExpand(hash, prk, h(v.info), v.length), v.okm);
        });
      }
      tally.finish(3);
    });

    it('RFC 4231 HMAC-SHA-256/384/512 (test cases 1-7)', () => {
      type Case = { id: string; key: string; data: string; truncateToBytes?: number } & Record<
        'hmacSha256' | 'hmacSha384' | 'hmacSha512',
        string
      >;
      const file = loadOwn<{ tests: Case[] }>('rfc4231-hmac.json');
      const provider = create();
      const tally = new Tally();
      for (const v of file.tests) {
        for (const [hashName, field] of [
          ['sha256', 'hmacSha256'],
          ['sha384', 'hmacSha384'],
          ['sha512', 'hmacSha512'],
        ] as const) {
          tally.check(`${v.id} ${hashName}`, () => {
            const mac = hashOf(provider, hashName).hmac(h(v.key), h(v.data));
            if (mac.length !== hashOf(provider, hashName).outputLength) return `MAC is ${mac.length} bytes`;
            return same('MAC', mac.subarray(0, v.truncateToBytes ?? mac.length), v[field]);
          });
        }
      }
      tally.finish(21);
    });

    it('RFC 7748 X25519 (§5.2 single and iterated, §6.1)', () => {
      type File = {
        scalarMultiplication: { id: string; scalar: string; u: string; output: string }[];
        iterated: { start: string; after: { iterations: number; k: string }[] };
        diffieHellman: Record<'alicePrivate' | 'alicePublic' | 'bobPrivate' | 'bobPublic' | 'sharedSecret', string>;
      };
      const file = loadOwn<File>('rfc7748-x25519.json');
      const { provider, random } = scripted(create);
      const x25519 = groupOf(provider, 'x25519');
      // The server side computes X25519(drawn scalar, peer u): exactly the function of §5.
      const scalarMult = (k: Uint8Array, u: Uint8Array): Uint8Array => {
        random.load(k);
        const { sharedSecret } = x25519.accept(u);
        expect(random.remaining).toBe(0);
        return sharedSecret;
      };
      const tally = new Tally();
      for (const v of file.scalarMultiplication)
        tally.check(v.id, () => same('X25519(k, u)', scalarMult(h(v.scalar), h(v.u)), v.output));

      tally.check('§5.2 iterated', () => {
        let k = h(file.iterated.start);
        let u = h(file.iterated.start);
        const last = Math.max(...file.iterated.after.map((a) => a.iterations));
        for (let i = 1; i <= last; i++) {
          [k, u] = [scalarMult(k, u), k];
          const published = file.iterated.after.find((a) => a.iterations === i);
          const problem = published && same(`after ${i}`, k, published.k);
          if (problem) return problem;
        }
        return undefined;
      });

      const dh = file.diffieHellman;
      tally.check('§6.1 client (Alice)', () => {
        random.load(h(dh.alicePrivate));
        const exchange = x25519.start();
        return (
          same('public key', exchange.publicKey, dh.alicePublic) ??
          same('K', exchange.complete(h(dh.bobPublic)), dh.sharedSecret)
        );
      });
      tally.check('§6.1 server (Bob)', () => {
        random.load(h(dh.bobPrivate));
        const result = x25519.accept(h(dh.alicePublic));
        return same('public key', result.publicKey, dh.bobPublic) ?? same('K', result.sharedSecret, dh.sharedSecret);
      });
      tally.finish(5);
    });

    it('RFC 8439 AEAD_CHACHA20_POLY1305 (§2.8.2, A.5)', () => {
      const file = loadOwn<{
        tests: {
          id: string;
          key: string;
          nonce: string;
          aad: string;
          plaintext: string;
          ciphertext: string;
          tag: string;
        }[];
      }>('rfc8439-chacha20-poly1305.json');
      const provider = create();
      const tally = new Tally();
      for (const v of file.tests) tally.check(v.id, () => checkAead(provider, 'chacha20_poly1305', v, true));
      tally.finish(2);
    });

    it('McGrew-Viega GCM test cases with 96-bit IVs (1-4, 13-16)', () => {
      type Case = {
        id: string;
        algorithm: 'aes_128_gcm' | 'aes_256_gcm';
        key: string;
        iv: string;
        aad: string;
        plaintext: string;
        ciphertext: string;
        tag: string;
      };
      const file = loadOwn<{ tests: Case[] }>('gcm-mcgrew-viega.json');
      const provider = create();
      const tally = new Tally();
      for (const v of file.tests)
        tally.check(v.id, () => checkAead(provider, v.algorithm, { ...v, nonce: v.iv }, true));
      tally.finish(8);
    });

    it('X25519MLKEM768 composed from ML-KEM-768 and RFC 7748 §6.1 vectors', () => {
      type File = {
        mlkem768: Record<'seed' | 'm' | 'encapsulationKey' | 'ciphertext' | 'sharedSecret', string>;
        x25519: Record<'clientPrivate' | 'clientPublic' | 'serverPrivate' | 'serverPublic' | 'sharedSecret', string>;
      };
      const { mlkem768: kem, x25519: dh } = loadOwn<File>('x25519mlkem768-composed.json');
      const { provider, random } = scripted(create);
      const hybrid = groupOf(provider, 'X25519MLKEM768');
      const tally = new Tally();
      // draft-ietf-tls-ecdhe-mlkem §3: every field puts the ML-KEM part first for X25519MLKEM768.
      const clientShare = kem.encapsulationKey + dh.clientPublic;
      const serverShare = kem.ciphertext + dh.serverPublic;
      const secret = kem.sharedSecret + dh.sharedSecret;
      tally.check('client', () => {
        random.load(h(kem.seed), h(dh.clientPrivate));
        const exchange = hybrid.start();
        if (random.remaining !== 0) return 'did not draw the seed and the X25519 key';
        return (
          same('client share', exchange.publicKey, clientShare) ??
          same('shared secret', exchange.complete(h(serverShare)), secret)
        );
      });
      tally.check('server', () => {
        random.load(h(kem.m), h(dh.serverPrivate));
        const result = hybrid.accept(h(clientShare));
        if (random.remaining !== 0) return 'did not draw m and the X25519 key';
        return (
          same('server share', result.publicKey, serverShare) ?? same('shared secret', result.sharedSecret, secret)
        );
      });
      tally.finish(2);
    });
  });

  describe('Wycheproof', () => {
    type AeadGroup = WycheproofGroup & { ivSize: number; keySize: number; tagSize: number };
    const aeadCase = (test: WycheproofTest) => ({
      key: text(test, 'key'),
      nonce: text(test, 'iv'),
      aad: text(test, 'aad'),
      plaintext: text(test, 'msg'),
      ciphertext: text(test, 'ct'),
      tag: text(test, 'tag'),
    });

    it('AES-GCM: 96-bit IV, 128- and 256-bit keys, 128-bit tag', () => {
      const provider = create();
      // TLS nonces are 12 bytes (RFC 8446 §5.3) and AES-192 is no TLS suite: other groups cannot reach a provider.
      const tests = select<AeadGroup>(
        loadWycheproof('aes_gcm_test.json'),
        133,
        (g) => g.ivSize === 96 && g.tagSize === 128 && (g.keySize === 128 || g.keySize === 256),
      );
      const tally = new Tally();
      for (const { group, test } of tests) {
        tally.check(test.tcId, () =>
          checkAead(
            provider,
            group.keySize === 128 ? 'aes_128_gcm' : 'aes_256_gcm',
            aeadCase(test),
            test.result === 'valid',
          ),
        );
      }
      tally.finish(tests.length);
    });

    it('ChaCha20-Poly1305: 96-bit nonce', () => {
      const provider = create();
      // The InvalidNonceSize groups use nonce lengths a TLS record never has; they are left out.
      const tests = select<AeadGroup>(
        loadWycheproof('chacha20_poly1305_test.json'),
        316,
        (g) => g.ivSize === 96 && g.tagSize === 128,
      );
      const tally = new Tally();
      for (const { test } of tests)
        tally.check(test.tcId, () => checkAead(provider, 'chacha20_poly1305', aeadCase(test), test.result === 'valid'));
      tally.finish(tests.length);
    });

    it('X25519 through the group, both sides', () => {
      const { provider, random } = scripted(create);
      const x25519 = groupOf(provider, 'x25519');
      const tests = select(loadWycheproof('x25519_test.json'), 518);
      const tally = new Tally();
      for (const { test } of tests) {
        const peer = h(text(test, 'public'));
        const shared = text(test, 'shared');
        // RFC 8446 §7.4.2 (and RFC 7748 §6.1) make an all-zero secret a failed exchange: the LowOrderPublic /
        // ZeroSharedSecret cases (acceptable in Wycheproof) must be rejected. Every other case, acceptable or not
        // (Twist, NonCanonicalPublic, SmallPublicKey with a non-zero secret), is X25519 as RFC 7748 §5 defines it
        // for any 32-byte input and must give exactly the published secret.
        const mustReject = /^(00)+$/.test(shared);
        if (test.result === 'invalid') throw new Error(`tcId ${test.tcId}: X25519 has no invalid cases to plan for`);
        tally.check(`${test.tcId} server`, () => {
          random.load(h(text(test, 'private')));
          if (mustReject) return rejectsShare(() => x25519.accept(peer));
          return same('shared', x25519.accept(peer).sharedSecret, shared);
        });
        tally.check(`${test.tcId} client`, () => {
          random.load(h(text(test, 'private')));
          const exchange = x25519.start();
          if (mustReject) return rejectsShare(() => exchange.complete(peer));
          return same('shared', exchange.complete(peer), shared);
        });
      }
      tally.finish(2 * tests.length);
    });

    describe.each([
      [
        'secp256r1',
        'ecdh_secp256r1_test.json',
        612,
        { run: 382, 'not strict DER': 198, 'explicit curve parameters': 14, 'point also on the target curve': 18 },
        92,
      ],
      [
        'secp384r1',
        'ecdh_secp384r1_test.json',
        1047,
        { run: 817, 'not strict DER': 198, 'explicit curve parameters': 14, 'point also on the target curve': 18 },
        86,
      ],
    ] as const)('ECDH %s', (groupName, fileName, total, expectedPlan, expectedClientChecks) => {
      it('raw uncompressed points through the group (server side all, client side sampled)', () => {
        const curve = NIST_CURVES[groupName];
        const { provider, random } = scripted(create);
        const group = groupOf(provider, groupName);
        const tests = select(loadWycheproof(fileName), total);
        const counts: Record<string, number> = {
          run: 0,
          'not strict DER': 0,
          'explicit curve parameters': 0,
          'point also on the target curve': 0,
        };
        const tally = new Tally();
        let sampledValid = 0;
        let clientChecks = 0;
        for (const { test } of tests) {
          const plan = planEcdh(curve, test);
          if (!plan.run) {
            counts[plan.why] = (counts[plan.why] ?? 0) + 1;
            // Only ASN.1-level defects may be left out, and a valid case always runs.
            expect(test.result, `tcId ${test.tcId}`).not.toBe('valid');
            expect(test.flags, `tcId ${test.tcId}`).toContain(LEFT_OUT_FLAG[plan.why]);
            continue;
          }
          counts.run = (counts.run ?? 0) + 1;
          const privateKey = scalar(text(test, 'private'), curve.size);
          if (plan.expect === 'shared') {
            // Our on-curve check agrees with every valid point, which is what makes it a fair judge above.
            expect(isOnCurve(curve, plan.point)).toBe(true);
          }
          tally.check(`${test.tcId} server`, () => {
            random.load(privateKey);
            if (plan.expect === 'reject') return rejectsShare(() => group.accept(plan.point));
            return same('shared', group.accept(plan.point).sharedSecret, text(test, 'shared'));
          });
          // The client side (start + complete) repeats the same agreement: every rejection goes through it too,
          // the hundreds of valid edge cases only for a sample, to keep P-384 on the portable provider in seconds.
          if (plan.expect === 'shared' && sampledValid++ >= CLIENT_SIDE_VALID_SAMPLE) continue;
          clientChecks++;
          tally.check(`${test.tcId} client`, () => {
            random.load(privateKey);
            const exchange = group.start();
            if (plan.expect === 'reject') return rejectsShare(() => exchange.complete(plan.point));
            return same('shared', exchange.complete(plan.point), text(test, 'shared'));
          });
        }
        expect(counts).toEqual(expectedPlan);
        expect(clientChecks).toBe(expectedClientChecks);
        tally.finish(expectedPlan.run + expectedClientChecks);
      });
    });

    type KeyedGroup = WycheproofGroup & { publicKeyDer: string };
    const verifySuites: readonly (readonly [string, string, SignatureSchemeName, number])[] = [
      ['ECDSA P-256/SHA-256 (DER)', 'ecdsa_secp256r1_sha256_test.json', 'ecdsa_secp256r1_sha256', 484],
      ['ECDSA P-384/SHA-384 (DER)', 'ecdsa_secp384r1_sha384_test.json', 'ecdsa_secp384r1_sha384', 504],
      ['RSA-PSS 2048 SHA-256 MGF1 salt 32', 'rsa_pss_2048_sha256_mgf1_32_test.json', 'rsa_pss_rsae_sha256', 108],
      ['RSA-PSS 3072 SHA-256 MGF1 salt 32', 'rsa_pss_3072_sha256_mgf1_32_test.json', 'rsa_pss_rsae_sha256', 108],
      ['RSA PKCS#1 v1.5 2048 SHA-256', 'rsa_signature_2048_sha256_test.json', 'rsa_pkcs1_sha256', 259],
      ['RSA PKCS#1 v1.5 3072 SHA-256', 'rsa_signature_3072_sha256_test.json', 'rsa_pkcs1_sha256', 259],
      ['RSA PKCS#1 v1.5 2048 SHA-384', 'rsa_signature_2048_sha384_test.json', 'rsa_pkcs1_sha384', 258],
      ['Ed25519', 'ed25519_test.json', 'ed25519', 151],
    ];
    it.each(verifySuites)('%s verify', (_label, fileName, schemeName, expected) => {
      const provider = create();
      const scheme = schemeOf(provider, schemeName);
      const tests = select<KeyedGroup>(loadWycheproof(fileName), expected);
      const keys = new Map<KeyedGroup, ReturnType<CryptoProvider['importPublicKey']>>();
      const tally = new Tally();
      for (const { group, test } of tests) {
        tally.check(test.tcId, () => {
          let key = keys.get(group);
          if (!key) {
            key = provider.importPublicKey(h(group.publicKeyDer));
            keys.set(group, key);
          }
          if (!scheme.supportsKey(key)) return `${schemeName} does not support the group's key`;
          // The only acceptable cases are RSA PKCS#1 MissingNull (DigestInfo without the NULL parameter). RFC 8017
          // §8.2.2 compares the whole encoding, which has the NULL, so it must not verify.
          if (test.result === 'acceptable' && !(test.flags.length === 1 && test.flags[0] === 'MissingNull')) {
            return `acceptable case with flags ${test.flags.join(',')} has no planned outcome`;
          }
          const verdict = scheme.verify(key, h(text(test, 'msg')), h(text(test, 'sig')));
          const wanted = test.result === 'valid';
          return verdict === wanted
            ? undefined
            : `verify gave ${String(verdict)}, want ${String(wanted)} (${test.flags.join(',')})`;
        });
      }
      tally.finish(tests.length);
    });

    it.each([
      ['sha256', 'hkdf_sha256_test.json', 86],
      ['sha384', 'hkdf_sha384_test.json', 83],
    ] as const)('HKDF-%s (shared hkdf.ts over the provider HMAC)', (hashName, fileName, expected) => {
      const hash = hashOf(create(), hashName);
      const tests = select(loadWycheproof(fileName), expected);
      const tally = new Tally();
      for (const { test } of tests) {
        tally.check(test.tcId, () => {
          const derive = () =>
            hkdfExpand(
              hash,
              hkdfExtract(hash, h(text(test, 'salt')), h(text(test, 'ikm'))),
              h(text(test, 'info')),
              test.size as number,
            );
          if (test.result === 'valid') return same('OKM', derive(), text(test, 'okm'));
          try {
            derive();
          } catch (error) {
            return error instanceof InvalidArgumentError ? undefined : `threw ${describeError(error)}`;
          }
          return 'derived more than 255 * HashLen bytes';
        });
      }
      tally.finish(tests.length);
    });

    it.each([
      ['sha256', 'hmac_sha256_test.json', 174],
      ['sha384', 'hmac_sha384_test.json', 174],
    ] as const)('HMAC-%s (tags truncated as the group says)', (hashName, fileName, expected) => {
      const hash = hashOf(create(), hashName);
      const tests = select<WycheproofGroup & { tagSize: number }>(loadWycheproof(fileName), expected);
      const tally = new Tally();
      for (const { group, test } of tests) {
        tally.check(test.tcId, () => {
          const tag = hash.hmac(h(text(test, 'key')), h(text(test, 'msg'))).subarray(0, group.tagSize / 8);
          const matches = x(tag) === text(test, 'tag');
          return matches === (test.result === 'valid')
            ? undefined
            : `tag ${matches ? 'matched' : 'differed'} (${test.result})`;
        });
      }
      tally.finish(tests.length);
    });

    // The providers expose ML-KEM-768 only inside X25519MLKEM768, so the KEM vectors run through the hybrid group
    // with the RFC 7748 §6.1 keys as the X25519 half, and the ML-KEM part of each field is compared.
    const dh = loadOwn<{
      diffieHellman: Record<'alicePrivate' | 'alicePublic' | 'bobPrivate' | 'bobPublic' | 'sharedSecret', string>;
    }>('rfc7748-x25519.json').diffieHellman;

    it('ML-KEM-768 key generation and decapsulation through X25519MLKEM768 (client side)', () => {
      const { provider, random } = scripted(create);
      const hybrid = groupOf(provider, 'X25519MLKEM768');
      const file = loadWycheproof('mlkem_768_test.json');
      const tests = select(file, 193);
      // A private key (seed) of the wrong length cannot happen in TLS: the client always draws 64 bytes itself.
      const runnable = tests.filter(({ test }) => text(test, 'seed').length === 128);
      expect(tests.length - runnable.length).toBe(20);
      const tally = new Tally();
      for (const { test } of runnable) {
        tally.check(test.tcId, () => {
          random.load(h(text(test, 'seed')), h(dh.alicePrivate));
          const exchange = hybrid.start();
          const share = exchange.publicKey;
          const problem =
            same('ek', share.subarray(0, 1184), text(test, 'ek')) ??
            same('X25519 half', share.subarray(1184), dh.alicePublic);
          if (problem) return problem;
          const serverShare = cat(h(text(test, 'c')), h(dh.bobPublic));
          // Wrong-length ciphertexts are the only invalid cases with a proper seed; they make a wrong-length share.
          if (test.result !== 'valid') return rejectsShare(() => exchange.complete(serverShare));
          const secret = exchange.complete(serverShare);
          return (
            same('ML-KEM secret', secret.subarray(0, 32), text(test, 'K')) ??
            same('X25519 secret', secret.subarray(32), dh.sharedSecret)
          );
        });
      }
      tally.finish(173);
    });

    it('ML-KEM-768 encapsulation through X25519MLKEM768 (server side)', () => {
      const { provider, random } = scripted(create);
      const hybrid = groupOf(provider, 'X25519MLKEM768');
      const tests = select(loadWycheproof('mlkem_768_encaps_test.json'), 265);
      const tally = new Tally();
      for (const { test } of tests) {
        tally.check(test.tcId, () => {
          random.load(h(text(test, 'm')), h(dh.bobPrivate));
          const clientShare = cat(h(text(test, 'ek')), h(dh.alicePublic));
          // Invalid: keys of the wrong length, and keys failing the FIPS 203 §7.2 modulus check ("not reduced").
          if (test.result !== 'valid') {
            return rejectsShare(() => hybrid.accept(clientShare));
          }
          const result = hybrid.accept(clientShare);
          return (
            same('ciphertext', result.publicKey.subarray(0, 1088), text(test, 'c')) ??
            same('X25519 half', result.publicKey.subarray(1088), dh.bobPublic) ??
            same('ML-KEM secret', result.sharedSecret.subarray(0, 32), text(test, 'K')) ??
            same('X25519 secret', result.sharedSecret.subarray(32), dh.sharedSecret)
          );
        });
      }
      tally.finish(tests.length);
    });
  });
});
