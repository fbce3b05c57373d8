/**
 * Key import shared by every provider: PEM/DER in, {@link PrivateKeyMaterial} / {@link PublicKeyMaterial} out.
 * Providers turn the material into their own key objects, so the formats accepted and the errors raised do not
 * depend on the provider.
 *
 * Formats: PKCS #8 v1/v2 (RFC 5208, RFC 5958), SEC1 `ECPrivateKey` (RFC 5915), PKCS #1 `RSAPrivateKey` and
 * `RSAPublicKey` (RFC 8017 §A.1), SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). Algorithms: rsaEncryption,
 * id-RSASSA-PSS, id-ecPublicKey on P-256 and P-384, Ed25519. Everything is decoded with the strict DER reader, and
 * the values are checked enough that a provider never meets a malformed key: RSA moduli odd with p·q = n, EC scalars
 * in [1, n-1], EC points on their curve.
 *
 * Known limits, each refused with a clear error rather than half-supported:
 * - encrypted keys (PKCS #8 `ENCRYPTED PRIVATE KEY`, OpenSSL's `Proc-Type: 4,ENCRYPTED`): decrypt them first;
 * - id-RSASSA-PSS parameters (RFC 4055 §3.1) are accepted but not recorded: a key restricted to one hash is
 *   treated as an unrestricted RSA-PSS key;
 * - compressed EC points, explicit curve parameters, curves other than P-256/P-384, multi-prime RSA;
 * - the public key in an Ed25519 PKCS #8 v2 key is checked for size only: the material has no field for it, and
 *   providers derive the public key from the seed.
 */
import { InvalidArgumentError, type Reason } from '@tlsbio/errors';
import {
  DerReader,
  TagClass,
  UniversalTag,
  bitStringBytes,
  decodeDer,
  decodeNull,
  decodeOid,
  tagName,
  type DerElement,
} from '../asn1/der.js';
import { derBitString, derInteger, derNull, derOid, derSequence } from '../asn1/der-writer.js';
import { Oid, describeOid } from '../asn1/oids.js';
import { decodePem } from '../asn1/pem.js';
import type { PrivateKeyMaterial, PublicKeyMaterial, RsaPrivateMaterial, RsaPublicMaterial } from './key-material.js';
import type { CurveName } from './provider.js';
import { equalBytes } from './bytes.js';

type RsaPublicKeyMaterial = Extract<PublicKeyMaterial, { type: 'rsa' | 'rsa-pss' }>;
type EcPublicKeyMaterial = Extract<PublicKeyMaterial, { type: 'ec' }>;
type Ed25519PublicKeyMaterial = Extract<PublicKeyMaterial, { type: 'ed25519' }>;

// ---------------------------------------------------------------------------------------------------------------
// Curves: SEC 2 / FIPS 186-4 domain parameters, enough to range-check scalars and check points (a = -3 for both).

interface Curve {
  readonly name: CurveName;
  readonly oid: string;
  /** Field and scalar size in bytes. */
  readonly size: number;
  readonly p: bigint;
  readonly b: bigint;
  readonly n: bigint;
}

const P256: Curve = {
  name: 'P-256',
  oid: Oid.prime256v1,
  size: 32,
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

const P384: Curve = {
  name: 'P-384',
  oid: Oid.secp384r1,
  size: 48,
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

function curveByOid(oid: string): Curve | undefined {
  return oid === P256.oid ? P256 : oid === P384.oid ? P384 : undefined;
}

function curveByName(name: unknown): Curve | undefined {
  return name === 'P-256' ? P256 : name === 'P-384' ? P384 : undefined;
}

// RSA moduli outside these bounds are refused: below, no PSS or PKCS #1 signature with SHA-256 fits; above, a single
// verification costs seconds, which a peer could exploit.
const MIN_RSA_BITS = 512;
const MAX_RSA_BITS = 16384;
const ED25519_KEY_LENGTH = 32;

// ---------------------------------------------------------------------------------------------------------------
// Errors

function badDer(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, 'BAD_DER', message);
}

function unsupported(argument: string, message: string): never {
  throw new InvalidArgumentError(argument, 'UNSUPPORTED_KEY_TYPE', message);
}

const ENCRYPTED_MESSAGE =
  'encrypted private keys are not supported: decrypt the key first ' +
  '(for example `openssl pkey -in encrypted.pem -out key.pem`)';
const SUPPORTED_ALGORITHMS = 'supported: RSA, RSA-PSS, EC P-256 and P-384, Ed25519';

// ---------------------------------------------------------------------------------------------------------------
// Input: PEM text (string or bytes) or DER bytes, and which structure it holds.

type PrivateFormat = 'pkcs8' | 'sec1' | 'pkcs1';
type PublicFormat = 'spki' | 'pkcs1';

const PRIVATE_LABELS: ReadonlyMap<string, PrivateFormat> = new Map([
  ['PRIVATE KEY', 'pkcs8'],
  ['EC PRIVATE KEY', 'sec1'],
  ['RSA PRIVATE KEY', 'pkcs1'],
] as const);

const PUBLIC_LABELS: ReadonlyMap<string, PublicFormat> = new Map([
  ['PUBLIC KEY', 'spki'],
  ['RSA PUBLIC KEY', 'pkcs1'],
] as const);

// Labels of keys we recognise but refuse, with the reason.
const UNSUPPORTED_PRIVATE_LABELS: ReadonlyMap<string, string> = new Map([
  ['ENCRYPTED PRIVATE KEY', ENCRYPTED_MESSAGE],
  ['DSA PRIVATE KEY', `DSA keys are not supported (${SUPPORTED_ALGORITHMS})`],
  [
    'OPENSSH PRIVATE KEY',
    'OpenSSH private keys are not supported: convert to PKCS #8 (`ssh-keygen -p -m PKCS8 -f key`)',
  ],
]);

const UNSUPPORTED_PUBLIC_LABELS: ReadonlyMap<string, string> = new Map([
  ['DSA PUBLIC KEY', `DSA keys are not supported (${SUPPORTED_ALGORITHMS})`],
]);

interface KeyInput<F> {
  readonly format: F;
  readonly der: Uint8Array;
}

interface KeyInputRules<F> {
  readonly kind: 'private' | 'public';
  /** PEM labels we read, and the structure each holds. */
  readonly labels: ReadonlyMap<string, F>;
  /** PEM labels of keys we recognise but refuse, with the reason. */
  readonly unsupportedLabels: ReadonlyMap<string, string>;
  /** Tells the structure of DER input. */
  readonly detect: (der: Uint8Array, argument: string) => F;
}

function readKeyInput<F>(input: unknown, argument: string, rules: KeyInputRules<F>): KeyInput<F> {
  const { kind, labels, unsupportedLabels, detect } = rules;
  if (input instanceof Uint8Array) {
    // DER always starts with the SEQUENCE identifier; anything else is taken as PEM text.
    if (input[0] === 0x30) return { format: detect(input, argument), der: input };
  } else if (typeof input !== 'string') {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', 'must be a PEM string or DER/PEM bytes (Uint8Array)');
  }
  const blocks = decodePem(input, argument);
  const keys = blocks.filter((block) => labels.has(block.label) || unsupportedLabels.has(block.label));
  if (keys.length !== 1) {
    if (blocks.length === 0) {
      const what = typeof input === 'string' ? 'no PEM block found' : 'neither DER (a SEQUENCE) nor PEM';
      throw new InvalidArgumentError(argument, 'BAD_PEM', `${what}: expected a ${kind} key`);
    }
    const found = blocks.map((block) => block.label).join(', ');
    const message =
      keys.length === 0
        ? `no ${kind} key in the PEM input (found: ${found})`
        : `${keys.length} ${kind} keys in the PEM input; pass one`;
    throw new InvalidArgumentError(argument, 'BAD_PEM', message);
  }
  const block = keys[0]!;
  const refusal = unsupportedLabels.get(block.label);
  if (refusal !== undefined) unsupported(argument, refusal);
  // RFC 1421 §4.6.1.1: OpenSSL's legacy encrypted PEM ("traditional" format with a passphrase).
  if (/ENCRYPTED/i.test(block.headers.get('Proc-Type') ?? '')) unsupported(argument, ENCRYPTED_MESSAGE);
  if (block.headers.size > 0) {
    throw new InvalidArgumentError(argument, 'BAD_PEM', `unexpected PEM headers in ${block.label}`);
  }
  return { format: labels.get(block.label)!, der: block.der };
}

// The tags of the first few elements inside the outer SEQUENCE: enough to tell the formats apart.
function outlineOf(der: Uint8Array, argument: string): string[] {
  return decodeDer(der, argument, (reader) => {
    const outer = reader.expect(TagClass.universal, UniversalTag.SEQUENCE, 'key');
    const contents = reader.contents(outer);
    const tags: string[] = [];
    while (!contents.done && tags.length < 3) {
      const element = contents.read();
      tags.push(tagName(element.tagClass, element.tagNumber));
    }
    return tags;
  });
}

function detectPrivateFormat(der: Uint8Array, argument: string): PrivateFormat {
  const [first, second, third] = outlineOf(der, argument);
  if (first === 'INTEGER' && second === 'SEQUENCE') return 'pkcs8'; // version, privateKeyAlgorithm
  if (first === 'INTEGER' && second === 'OCTET STRING') return 'sec1'; // version, privateKey
  if (first === 'INTEGER' && second === 'INTEGER' && third === 'INTEGER') return 'pkcs1'; // version, n, e
  if (first === 'SEQUENCE' && second === 'OCTET STRING') unsupported(argument, ENCRYPTED_MESSAGE); // RFC 5958 §3
  if (first === 'SEQUENCE' && second === 'BIT STRING') {
    badDer(argument, 'this is a public key (SubjectPublicKeyInfo), not a private key');
  }
  if (first === 'INTEGER' && second === 'INTEGER') badDer(argument, 'this is an RSA public key, not a private key');
  return badDer(argument, 'not a PKCS #8, SEC1 or PKCS #1 private key');
}

function detectPublicFormat(der: Uint8Array, argument: string): PublicFormat {
  const outline = outlineOf(der, argument);
  const [first, second, third] = outline;
  if (outline.length === 2 && first === 'SEQUENCE' && second === 'BIT STRING') return 'spki';
  if (outline.length === 2 && first === 'INTEGER' && second === 'INTEGER') return 'pkcs1'; // n, e
  if (first === 'SEQUENCE' && second === 'SEQUENCE' && third === 'BIT STRING') {
    badDer(argument, 'this looks like an X.509 certificate, not a public key: pass its SubjectPublicKeyInfo');
  }
  if (first === 'INTEGER' || (first === 'SEQUENCE' && second === 'OCTET STRING')) {
    badDer(argument, 'this looks like a private key; pass a public key (SubjectPublicKeyInfo or PKCS #1)');
  }
  return badDer(argument, 'not a SubjectPublicKeyInfo or PKCS #1 RSA public key');
}

// ---------------------------------------------------------------------------------------------------------------
// AlgorithmIdentifier (RFC 5280 §4.1.1.2) and what it says about the key.

interface AlgorithmIdentifier {
  readonly oid: string;
  readonly parameters: DerElement | undefined;
}

type KeyKind =
  | { readonly type: 'rsa' | 'rsa-pss' }
  | { readonly type: 'ec'; readonly curve: Curve }
  | { readonly type: 'ed25519' };

function readAlgorithmIdentifier(reader: DerReader, what: string): AlgorithmIdentifier {
  return reader.sequence(what, (contents) => ({
    oid: contents.oid(`${what} algorithm`),
    parameters: contents.done ? undefined : contents.read(`${what} parameters`),
  }));
}

function keyKindOf(algorithm: AlgorithmIdentifier, argument: string): KeyKind {
  const { oid, parameters } = algorithm;
  switch (oid) {
    case Oid.rsaEncryption:
      // RFC 3279 §2.3.1 and RFC 8017 §A.1: the parameters SHALL be NULL.
      if (parameters === undefined) badDer(argument, 'rsaEncryption parameters must be NULL, not absent');
      decodeNull(parameters, argument, 'rsaEncryption parameters');
      return { type: 'rsa' };
    case Oid.rsassaPss:
      // RFC 4055 §3.1: absent means "any PSS parameters"; RSASSA-PSS-params restricts them. Accepted, not recorded.
      if (parameters !== undefined && !isUniversal(parameters, UniversalTag.SEQUENCE)) {
        badDer(argument, 'id-RSASSA-PSS parameters must be an RSASSA-PSS-params SEQUENCE');
      }
      return { type: 'rsa-pss' };
    case Oid.ecPublicKey:
      // RFC 5480 §2.1.1: the parameters are required and name the curve.
      if (parameters === undefined) badDer(argument, 'id-ecPublicKey without curve parameters');
      return { type: 'ec', curve: curveFromParameters(parameters, argument) };
    case Oid.ed25519:
      // RFC 8410 §3: the parameters MUST be absent.
      if (parameters !== undefined) badDer(argument, 'Ed25519 algorithm parameters must be absent');
      return { type: 'ed25519' };
    default:
      return unsupported(argument, `${describeOid(oid)} keys are not supported (${SUPPORTED_ALGORITHMS})`);
  }
}

function isUniversal(element: DerElement, tagNumber: number): boolean {
  return element.tagClass === TagClass.universal && element.tagNumber === tagNumber;
}

// ECParameters ::= CHOICE { namedCurve OID, implicitCurve NULL, specifiedCurve SpecifiedECDomain } (RFC 5480
// §2.1.1, SEC1 §C.2). PKIX allows only namedCurve; the others get a clear refusal.
function curveFromParameters(parameters: DerElement, argument: string): Curve {
  if (isUniversal(parameters, UniversalTag.OBJECT_IDENTIFIER)) {
    const oid = decodeOid(parameters, argument, 'namedCurve');
    const curve = curveByOid(oid);
    if (curve === undefined) {
      unsupported(argument, `EC curve ${describeOid(oid)} is not supported (supported: P-256, P-384)`);
    }
    return curve;
  }
  if (isUniversal(parameters, UniversalTag.SEQUENCE)) {
    unsupported(
      argument,
      'explicit EC curve parameters are not supported: encode the key with a named curve (P-256 or P-384)',
    );
  }
  if (isUniversal(parameters, UniversalTag.NULL)) {
    unsupported(argument, 'implicitly defined EC curves (implicitCurve) are not supported');
  }
  return badDer(argument, 'EC parameters must be a named curve OID');
}

// ---------------------------------------------------------------------------------------------------------------
// Integers and checks

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

function bitLength(magnitude: Uint8Array): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0] as number));
}

// Big-endian magnitude without leading zero bytes, as a fresh copy (material never aliases the caller's input).
function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.slice(start);
}


// Returns the modulus size in bits. `reason` is BAD_DER for decoded keys, INVALID_ARGUMENT for builder arguments.
function checkRsaPublic(rsa: RsaPublicMaterial, argument: string, reason: Reason): number {
  const { n, e } = rsa;
  const fail = (message: string): never => {
    throw new InvalidArgumentError(argument, reason, message);
  };
  if (n.length === 0 || e.length === 0) fail('RSA modulus and public exponent must be positive');
  if (((n[n.length - 1] as number) & 1) === 0) fail('RSA modulus must be odd');
  if (((e[e.length - 1] as number) & 1) === 0 || (e.length === 1 && e[0] === 1)) {
    fail('RSA public exponent must be odd and at least 3');
  }
  const bits = bitLength(n);
  if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
    unsupported(argument, `${bits}-bit RSA keys are not supported (${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits)`);
  }
  if (e.length > n.length || (e.length === n.length && bytesToBigInt(e) >= bytesToBigInt(n))) {
    fail('RSA public exponent must be smaller than the modulus');
  }
  return bits;
}

/**
 * Checks an uncompressed SEC1 point (SEC1 §2.3.3): 0x04 || X || Y, coordinates below p, on the curve
 * y² = x³ - 3x + b. Points are never compressed in TLS (RFC 8446 §4.2.8.2, RFC 8422 §5.1.2).
 */
function checkPoint(curve: Curve, point: Uint8Array, argument: string, reason: Reason, lengthReason: Reason): void {
  const fail = (why: Reason, message: string): never => {
    throw new InvalidArgumentError(argument, why, message);
  };
  const form = point[0];
  if (form === 0x02 || form === 0x03) {
    unsupported(
      argument,
      `compressed ${curve.name} points are not supported: TLS uses uncompressed points only (RFC 8446 §4.2.8.2); ` +
        're-encode the key (`openssl ec -conv_form uncompressed`)',
    );
  }
  if (form === 0x06 || form === 0x07) unsupported(argument, `hybrid-form ${curve.name} points are not supported`);
  if (form === 0x00 && point.length === 1) fail(reason, 'the point at infinity is not a public key');
  if (form !== 0x04) fail(reason, `${curve.name} point must start with 0x04 (uncompressed)`);
  if (point.length !== 1 + 2 * curve.size) {
    fail(lengthReason, `${curve.name} point must be ${1 + 2 * curve.size} bytes, got ${point.length}`);
  }
  const { p, b } = curve;
  const x = bytesToBigInt(point.subarray(1, 1 + curve.size));
  const y = bytesToBigInt(point.subarray(1 + curve.size));
  const onCurve = x < p && y < p && (y * y - (x * x * x - 3n * x + b)) % p === 0n;
  if (!onCurve) fail(reason, `the public key is not a point on ${curve.name}`);
}

// RFC 5915 §3: the private key is exactly ceiling(log2(n) / 8) bytes. Shorter ones (some encoders drop leading
// zeros) are left-padded; the scalar must lie in [1, n-1].
function ecScalar(curve: Curve, privateKey: Uint8Array, argument: string): Uint8Array {
  if (privateKey.length > curve.size) badDer(argument, `${curve.name} private key is longer than ${curve.size} bytes`);
  const d = new Uint8Array(curve.size);
  d.set(privateKey, curve.size - privateKey.length);
  const scalar = bytesToBigInt(d);
  if (scalar === 0n || scalar >= curve.n) badDer(argument, `${curve.name} private key is out of range`);
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// RSA (RFC 8017 §A.1)

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
function readRsaPublicKey(reader: DerReader): RsaPublicMaterial {
  return reader.sequence('RSAPublicKey', (key) => ({
    n: stripLeadingZeros(key.unsignedInteger('RSA modulus')),
    e: stripLeadingZeros(key.unsignedInteger('RSA publicExponent')),
  }));
}

// RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, prime1, prime2, exponent1,
//   exponent2, coefficient, otherPrimeInfos OPTIONAL }
function readRsaPrivateKey(reader: DerReader): RsaPrivateMaterial {
  return reader.sequence('RSAPrivateKey', (key) => {
    const version = key.smallInteger('RSAPrivateKey version');
    if (version === 1) unsupported(reader.argument, 'multi-prime RSA keys (RSAPrivateKey version 1) are not supported');
    if (version !== 0) key.fail(`unknown RSAPrivateKey version ${version}`);
    const next = (what: string) => stripLeadingZeros(key.unsignedInteger(what));
    return {
      n: next('RSA modulus'),
      e: next('RSA publicExponent'),
      d: next('RSA privateExponent'),
      p: next('RSA prime1'),
      q: next('RSA prime2'),
      dp: next('RSA exponent1'),
      dq: next('RSA exponent2'),
      qi: next('RSA coefficient'),
    };
  });
}

function rsaPrivateMaterial(
  type: 'rsa' | 'rsa-pss',
  rsa: RsaPrivateMaterial,
  argument: string,
): Extract<PrivateKeyMaterial, { type: 'rsa' | 'rsa-pss' }> {
  const bits = checkRsaPublic(rsa, argument, 'BAD_DER');
  const privateParts = { d: rsa.d, p: rsa.p, q: rsa.q, dP: rsa.dp, dQ: rsa.dq, qInv: rsa.qi };
  for (const [name, value] of Object.entries(privateParts)) {
    if (value.length === 0) badDer(argument, `RSA ${name} must be positive`);
  }
  // A corrupted key would otherwise sign garbage; this one multiplication catches most corruption.
  if (bytesToBigInt(rsa.p) * bytesToBigInt(rsa.q) !== bytesToBigInt(rsa.n)) {
    throw new InvalidArgumentError(argument, 'KEY_MISMATCH', 'RSA private key is inconsistent: p × q ≠ n');
  }
  return { type, rsa, bits };
}

// ---------------------------------------------------------------------------------------------------------------
// EC (RFC 5915)

type EcPrivateKeyMaterial = Extract<PrivateKeyMaterial, { type: 'ec' }>;

// ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) }, privateKey OCTET STRING,
//   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }   (explicit tags)
// `outer` is what PKCS #8 said: the algorithm's curve, and the v2 publicKey field.
function readEcPrivateKey(
  reader: DerReader,
  outer: { curve: Curve | undefined; point: Uint8Array | undefined },
): EcPrivateKeyMaterial {
  const argument = reader.argument;
  const fields = reader.sequence('ECPrivateKey', (key) => {
    const version = key.smallInteger('ECPrivateKey version');
    if (version !== 1) key.fail(`ECPrivateKey version must be 1, not ${version}`);
    return {
      privateKey: key.octetString('ECPrivateKey privateKey'),
      parameters: key.explicit(0, 'ECPrivateKey parameters', (p) => p.read('ECParameters')),
      point: key.explicit(1, 'ECPrivateKey publicKey', (p) => p.bitStringBytes('ECPrivateKey publicKey')),
    };
  });
  const ownCurve = fields.parameters === undefined ? undefined : curveFromParameters(fields.parameters, argument);
  if (outer.curve !== undefined && ownCurve !== undefined && ownCurve !== outer.curve) {
    badDer(argument, `ECPrivateKey names ${ownCurve.name} but the algorithm names ${outer.curve.name}`);
  }
  if (outer.point !== undefined && fields.point !== undefined && !equalBytes(outer.point, fields.point)) {
    throw new InvalidArgumentError(argument, 'KEY_MISMATCH', 'the two public keys in the PKCS #8 key differ');
  }
  const point = fields.point ?? outer.point;
  const curve = outer.curve ?? ownCurve ?? curveFromLength(fields.privateKey, argument);
  if (point !== undefined) checkPoint(curve, point, argument, 'BAD_DER', 'BAD_DER');
  const d = ecScalar(curve, fields.privateKey, argument);
  return point === undefined
    ? { type: 'ec', curve: curve.name, d }
    : { type: 'ec', curve: curve.name, d, point: point.slice() };
}

// A bare SEC1 key may omit its parameters (RFC 5915 §3 leaves them optional). Its private key length is fixed by
// the curve order, which tells P-256 (32) from P-384 (48). A 32-byte key on another curve (secp256k1) would be taken
// for P-256; the provider's check of the embedded public key against the derived one then reports KEY_MISMATCH.
function curveFromLength(privateKey: Uint8Array, argument: string): Curve {
  if (privateKey.length === P256.size) return P256;
  if (privateKey.length === P384.size) return P384;
  return unsupported(
    argument,
    `EC private key without curve parameters and ${privateKey.length} bytes long: unknown curve`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// PKCS #8 (RFC 5958 §2)
//
// OneAsymmetricKey ::= SEQUENCE { version Version (v1(0) | v2(1)), privateKeyAlgorithm AlgorithmIdentifier,
//   privateKey OCTET STRING, attributes [0] IMPLICIT Attributes OPTIONAL, publicKey [1] IMPLICIT BIT STRING OPTIONAL }

function parsePkcs8(der: Uint8Array, argument: string): PrivateKeyMaterial {
  return decodeDer(der, argument, (reader) =>
    reader.sequence('PrivateKeyInfo', (info) => {
      const version = info.smallInteger('PrivateKeyInfo version');
      if (version > 1) info.fail(`unknown PrivateKeyInfo version ${version}`);
      const algorithm = readAlgorithmIdentifier(info, 'privateKeyAlgorithm');
      const privateKey = info.expect(TagClass.universal, UniversalTag.OCTET_STRING, 'privateKey');
      const attributes = info.implicit(0, 'attributes');
      if (attributes !== undefined && !attributes.constructed) {
        info.fail('attributes [0] must be a SET', attributes.offset);
      }
      const publicKeyElement = info.implicit(1, 'publicKey');
      let publicKey: Uint8Array | undefined;
      if (publicKeyElement !== undefined) {
        // RFC 5958 §2: "If publicKey is present, then version is set to v2".
        if (version === 0) info.fail('a version 1 PrivateKeyInfo cannot carry a public key', publicKeyElement.offset);
        publicKey = bitStringBytes(publicKeyElement, argument, 'publicKey');
      }
      // The privateKey octets are themselves DER; reading them through `info` keeps error offsets absolute.
      const inner = info.contents(privateKey);
      const kind = keyKindOf(algorithm, argument);
      let key: PrivateKeyMaterial;
      switch (kind.type) {
        case 'rsa':
        case 'rsa-pss': {
          const rsa = readRsaPrivateKey(inner);
          if (publicKey !== undefined) {
            const stated = decodeDer(publicKey, argument, readRsaPublicKey);
            if (!equalBytes(stated.n, rsa.n) || !equalBytes(stated.e, rsa.e)) {
              const message = 'the public key in the PKCS #8 key does not match';
              throw new InvalidArgumentError(argument, 'KEY_MISMATCH', message);
            }
          }
          key = rsaPrivateMaterial(kind.type, rsa, argument);
          break;
        }
        case 'ec':
          key = readEcPrivateKey(inner, { curve: kind.curve, point: publicKey });
          break;
        case 'ed25519': {
          // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, the 32-byte seed, inside the privateKey OCTET STRING.
          const seed = inner.octetString('CurvePrivateKey');
          if (seed.length !== ED25519_KEY_LENGTH) {
            badDer(argument, `Ed25519 private key must be 32 bytes, got ${seed.length}`);
          }
          if (publicKey !== undefined && publicKey.length !== ED25519_KEY_LENGTH) {
            badDer(argument, `Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
          }
          key = { type: 'ed25519', seed: seed.slice() };
          break;
        }
      }
      inner.end('the privateKey contents');
      return key;
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }

function parseSpki(der: Uint8Array, argument: string): PublicKeyMaterial {
  const { algorithm, keyElement } = decodeDer(der, argument, (reader) =>
    reader.sequence('SubjectPublicKeyInfo', (info) => ({
      algorithm: readAlgorithmIdentifier(info, 'algorithm'),
      keyElement: info.expect(TagClass.universal, UniversalTag.BIT_STRING, 'subjectPublicKey'),
    })),
  );
  const kind = keyKindOf(algorithm, argument);
  const key = bitStringBytes(keyElement, argument, 'subjectPublicKey');
  // Strict DER plus the parameter rules above leave one encoding per key, except for the RSASSA-PSS parameters we
  // do not record: keeping the input bytes keeps those too.
  const spki = der.slice();
  switch (kind.type) {
    case 'rsa':
    case 'rsa-pss': {
      // The key sits after the BIT STRING's unused-bits octet; read it in place so offsets stay absolute.
      const keyEnd = keyElement.valueOffset + keyElement.value.length;
      const inner = new DerReader(der, argument, keyElement.valueOffset + 1, keyEnd);
      const rsa = readRsaPublicKey(inner);
      inner.end('RSAPublicKey');
      return { type: kind.type, rsa, bits: checkRsaPublic(rsa, argument, 'BAD_DER'), spki };
    }
    case 'ec':
      checkPoint(kind.curve, key, argument, 'BAD_DER', 'BAD_DER');
      return { type: 'ec', curve: kind.curve.name, point: key.slice(), spki };
    case 'ed25519':
      if (key.length !== ED25519_KEY_LENGTH) badDer(argument, `Ed25519 public key must be 32 bytes, got ${key.length}`);
      return { type: 'ed25519', publicKey: key.slice(), spki };
  }
}

const PRIVATE_INPUT: KeyInputRules<PrivateFormat> = {
  kind: 'private',
  labels: PRIVATE_LABELS,
  unsupportedLabels: UNSUPPORTED_PRIVATE_LABELS,
  detect: detectPrivateFormat,
};

const PUBLIC_INPUT: KeyInputRules<PublicFormat> = {
  kind: 'public',
  labels: PUBLIC_LABELS,
  unsupportedLabels: UNSUPPORTED_PUBLIC_LABELS,
  detect: detectPublicFormat,
};

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Parses a private key into provider-independent material.
 *
 * Accepts PEM (`PRIVATE KEY`: PKCS #8 v1 or v2; `EC PRIVATE KEY`: SEC1; `RSA PRIVATE KEY`: PKCS #1), as a string or
 * as bytes, or DER of any of these (told apart by structure). A PEM input may hold other blocks (certificates,
 * `EC PARAMETERS`) but exactly one private key. Integers come out big-endian without leading zeros, EC `d`
 * left-padded to the curve size, and every array is a fresh copy.
 *
 * @param argument the caller's name for `input`, used in error messages.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) if `input` is neither a string nor a Uint8Array.
 * @throws InvalidArgumentError (`BAD_PEM`) for malformed PEM, or PEM holding no private key or several.
 * @throws InvalidArgumentError (`BAD_DER`) for malformed or non-strict DER, or a key whose values are invalid.
 * @throws InvalidArgumentError (`UNSUPPORTED_KEY_TYPE`) for encrypted keys, other algorithms (Ed448, X25519, DSA,
 *   DH…), other curves (secp256k1, P-521, explicit parameters), multi-prime RSA, compressed points.
 * @throws InvalidArgumentError (`KEY_MISMATCH`) when the key's parts disagree (RSA p·q ≠ n, two differing public
 *   keys).
 * @example
 * const material = parsePrivateKey(readFileSync('key.pem', 'utf8'));
 * if (material.type === 'ec') console.log(material.curve);
 */
export function parsePrivateKey(input: string | Uint8Array, argument = 'key'): PrivateKeyMaterial {
  const { format, der } = readKeyInput(input, argument, PRIVATE_INPUT);
  switch (format) {
    case 'pkcs8':
      return parsePkcs8(der, argument);
    case 'sec1':
      return decodeDer(der, argument, (reader) => readEcPrivateKey(reader, { curve: undefined, point: undefined }));
    case 'pkcs1':
      return rsaPrivateMaterial('rsa', decodeDer(der, argument, readRsaPrivateKey), argument);
  }
}

/**
 * Parses a public key into provider-independent material, including its SubjectPublicKeyInfo DER.
 *
 * Accepts PEM (`PUBLIC KEY`: SPKI; `RSA PUBLIC KEY`: PKCS #1), as a string or as bytes, or DER of either. For SPKI
 * input, `spki` is a copy of the input; for PKCS #1 it is built (rsaEncryption).
 *
 * @param argument the caller's name for `input`, used in error messages.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) if `input` is neither a string nor a Uint8Array.
 * @throws InvalidArgumentError (`BAD_PEM`) for malformed PEM, or PEM holding no public key or several.
 * @throws InvalidArgumentError (`BAD_DER`) for malformed or non-strict DER, a point off its curve, a bad modulus.
 * @throws InvalidArgumentError (`UNSUPPORTED_KEY_TYPE`) for other algorithms and curves, and compressed points.
 * @example
 * const { spki } = parsePublicKey(pem);
 */
export function parsePublicKey(input: string | Uint8Array, argument = 'key'): PublicKeyMaterial {
  const { format, der } = readKeyInput(input, argument, PUBLIC_INPUT);
  if (format === 'spki') return parseSpki(der, argument);
  const rsa = decodeDer(der, argument, readRsaPublicKey);
  checkRsaPublic(rsa, argument, 'BAD_DER');
  return rsaPublicKey('rsa', rsa);
}

/**
 * Public key material for an EC point, with its SPKI (id-ecPublicKey, namedCurve; RFC 5480 §2). Providers call this
 * with the point they derive from a private key.
 *
 * @param point the uncompressed SEC1 point, 0x04 || X || Y. Copied.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for an unknown curve, or a point that is not on the curve.
 * @throws InvalidArgumentError (`BAD_KEY_LENGTH`) for a point of the wrong length.
 * @throws InvalidArgumentError (`UNSUPPORTED_KEY_TYPE`) for a compressed point.
 * @example
 * const publicKey = ecPublicKey('P-256', p256.getPublicKey(d, false));
 */
export function ecPublicKey(curve: CurveName, point: Uint8Array): EcPublicKeyMaterial {
  const info = curveByName(curve);
  if (info === undefined) throw new InvalidArgumentError('curve', 'INVALID_ARGUMENT', `unknown curve ${String(curve)}`);
  if (!(point instanceof Uint8Array)) {
    throw new InvalidArgumentError('point', 'INVALID_ARGUMENT', 'must be a Uint8Array');
  }
  checkPoint(info, point, 'point', 'INVALID_ARGUMENT', 'BAD_KEY_LENGTH');
  const copy = point.slice();
  const spki = derSequence(derSequence(derOid(Oid.ecPublicKey), derOid(info.oid)), derBitString(copy));
  return { type: 'ec', curve: info.name, point: copy, spki };
}

/**
 * Public key material for a raw 32-byte Ed25519 public key, with its SPKI (RFC 8410 §4: no parameters).
 *
 * @throws InvalidArgumentError (`BAD_KEY_LENGTH`) unless `publicKey` is 32 bytes.
 * @example
 * const publicKey = ed25519PublicKey(ed25519.getPublicKey(seed));
 */
export function ed25519PublicKey(publicKey: Uint8Array): Ed25519PublicKeyMaterial {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_LENGTH) {
    throw new InvalidArgumentError('publicKey', 'BAD_KEY_LENGTH', 'Ed25519 public key must be 32 bytes');
  }
  const copy = publicKey.slice();
  return { type: 'ed25519', publicKey: copy, spki: derSequence(derSequence(derOid(Oid.ed25519)), derBitString(copy)) };
}

/**
 * Public key material for an RSA modulus and exponent, with its SPKI: rsaEncryption with NULL parameters for
 * `'rsa'` (RFC 3279 §2.3.1), id-RSASSA-PSS with absent parameters for `'rsa-pss'` (RFC 4055 §3.1: no
 * restrictions). Leading zero bytes of `n` and `e` are dropped.
 *
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for an unknown type, an even or zero modulus, or a bad exponent.
 * @throws InvalidArgumentError (`UNSUPPORTED_KEY_TYPE`) for a modulus outside 512..16384 bits.
 * @example
 * const publicKey = rsaPublicKey('rsa', { n: material.rsa.n, e: material.rsa.e });
 */
export function rsaPublicKey(type: 'rsa' | 'rsa-pss', rsa: RsaPublicMaterial): RsaPublicKeyMaterial {
  if (type !== 'rsa' && type !== 'rsa-pss') {
    throw new InvalidArgumentError('type', 'INVALID_ARGUMENT', `unknown RSA key type ${String(type)}`);
  }
  if (!(rsa?.n instanceof Uint8Array) || !(rsa.e instanceof Uint8Array)) {
    throw new InvalidArgumentError('rsa', 'INVALID_ARGUMENT', 'n and e must be Uint8Arrays');
  }
  const material = { n: stripLeadingZeros(rsa.n), e: stripLeadingZeros(rsa.e) };
  const bits = checkRsaPublic(material, 'rsa', 'INVALID_ARGUMENT');
  const algorithm =
    type === 'rsa' ? derSequence(derOid(Oid.rsaEncryption), derNull()) : derSequence(derOid(Oid.rsassaPss));
  const spki = derSequence(algorithm, derBitString(derSequence(derInteger(material.n), derInteger(material.e))));
  return { type, rsa: material, bits, spki };
}
