// Path building, the verify callback and name constraints, on synthetic certificates (test/fixtures/pki/synthetic.ts)
// signed with throwaway keys: the cases the openssl-generated corpus cannot make (many candidates, budgets,
// adversarial graphs, every name type).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CertVerificationError, X509VerifyCode } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../src/crypto/provider.js';
import {
  CertificatePool,
  MAX_SIGNATURE_CHECKS,
  checkNameConstraints,
  constrainedNames,
  parseCertificate,
  verifyCertificateChain,
  type Certificate,
  type VerifyOptions,
} from '../src/x509/index.js';
import { Ext, GN, atv, cnName, name, pkiDer, signed, subtree, utcTime, utf8String } from './fixtures/pki/synthetic.js';
import { providers } from './helpers/providers.js';

const C = X509VerifyCode;

interface Key {
  readonly private: KeyObject;
  readonly spki: Uint8Array;
}
function newKey(): Key {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { private: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })) };
}

let serial = 1;
/** A certificate for `subject`'s key, issued under `issuer`'s name and signed with `signer`. */
function cert(
  subject: string,
  key: Key,
  issuer: string,
  signer: Key,
  options: { ca?: boolean; pathLength?: number; extensions?: Uint8Array[]; notAfter?: Uint8Array; subjectDer?: Uint8Array } = {},
): Certificate {
  const extensions = [
    ...(options.ca === false ? [] : [Ext.basicConstraints(options.ca ?? true, options.pathLength)]),
    ...(options.extensions ?? []),
  ];
  // An empty Extensions list is malformed: leave it out.
  return parseCertificate(
    signed(
      {
        serial: Uint8Array.of(0x02, 0x02, 0x10, serial++ & 0xff).subarray(0),
        issuer: cnName(issuer),
        subject: options.subjectDer ?? cnName(subject),
        spki: key.spki,
        ...(extensions.length > 0 ? { extensions } : {}),
        ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
      },
      signer.private,
    ),
  );
}

function verifyError(run: () => unknown): CertVerificationError {
  try {
    run();
  } catch (error) {
    if (CertVerificationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the chain verified');
}

/** Wraps a provider so that every signature verification is counted. */
function counting(provider: CryptoProvider): { provider: CryptoProvider; readonly count: number } {
  let count = 0;
  const signatures = Object.fromEntries(
    Object.entries(provider.signatures).map(([scheme, algorithm]) => [
      scheme,
      algorithm && {
        ...algorithm,
        supportsKey: algorithm.supportsKey.bind(algorithm),
        sign: algorithm.sign.bind(algorithm),
        verify: (...args: Parameters<typeof algorithm.verify>) => {
          count++;
          return algorithm.verify(...args);
        },
      },
    ]),
  );
  return {
    provider: { ...provider, signatures, importPublicKey: provider.importPublicKey.bind(provider) } as CryptoProvider,
    get count() {
      return count;
    },
  };
}

const rootKey = newKey();
const intKey = newKey();
const leafKey = newKey();
const root = cert('Root', rootKey, 'Root', rootKey);
const int = cert('Int', intKey, 'Root', rootKey);
const leaf = cert('leaf', leafKey, 'Int', intKey, { ca: false, extensions: [Ext.san(GN.dns('leaf.example'))] });

describe.each(providers)('path building (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const verify = (chain: Certificate[], options: Partial<VerifyOptions> = {}): Certificate[] =>
    verifyCertificateChain(chain, { provider, trustAnchors: [root], ...options });

  it('returns the path it verified, leaf to anchor, without the extras the peer sent', () => {
    const extra = cert('Unrelated', newKey(), 'Unrelated', newKey());
    const path = verify([leaf, extra, int, root]);
    expect(path).toEqual([leaf, int, root]);
  });

  it('completes the path from extra intermediates, and from a CertificatePool', () => {
    expect(verify([leaf], { intermediates: [int] })).toEqual([leaf, int, root]);
    expect(verify([leaf], { trustAnchors: new CertificatePool([root]), intermediates: new CertificatePool([int]) })).toHaveLength(3);
    expect(verifyError(() => verify([leaf])).verifyCode).toBe(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  });

  it('recognises a trust anchor by name and key: a re-issued root sent by the peer ends at the stored one', () => {
    const reissuedRoot = cert('Root', rootKey, 'Root', rootKey, { notAfter: undefined });
    expect(verify([leaf, int, reissuedRoot])).toEqual([leaf, int, root]);
  });

  it("checks a trusted leaf as the peer sent it, not the store's copy with the same name and key", () => {
    const selfKey = newKey();
    const stored = cert('self', selfKey, 'self', selfKey, { ca: false, extensions: [Ext.san(GN.dns('self.example'))] });
    const sent = cert('self', selfKey, 'self', selfKey, { ca: false, extensions: [Ext.san(GN.dns('other.example'))] });
    expect(verify([sent], { trustAnchors: [stored], hostname: 'other.example' })).toEqual([sent]);
    expect(verifyError(() => verify([sent], { trustAnchors: [stored], hostname: 'self.example' })).verifyCode).toBe(
      C.X509_V_ERR_HOSTNAME_MISMATCH,
    );
  });

  it('tries the next candidate when a same-named issuer has the wrong key, and reports the best failure', () => {
    const impostor = cert('Int', newKey(), 'Root', rootKey); // same name, another key: leaf's signature fails with it
    expect(verify([leaf, impostor, int])).toEqual([leaf, int, root]);
    const error = verifyError(() => verify([leaf, impostor]));
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_CERT_SIGNATURE_FAILURE, 0]);
  });

  it('prefers a failure of a complete path over a signature failure, and that over a missing issuer', () => {
    const expiredInt = cert('Int', intKey, 'Root', rootKey, { notAfter: utcTime('200101000000Z') });
    const impostor = cert('Int', newKey(), 'Root', rootKey);
    const error = verifyError(() => verify([leaf, impostor, expiredInt]));
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_CERT_HAS_EXPIRED, 1]);
  });

  it('stops at the chain length limit with 22, and passes at exactly the limit', () => {
    expect(verify([leaf, int], { maxChainLength: 3 })).toHaveLength(3);
    const error = verifyError(() => verify([leaf, int], { maxChainLength: 2 }));
    expect(error.verifyCode).toBe(C.X509_V_ERR_CERT_CHAIN_TOO_LONG);
  });

  it('does not loop through certificates that certify each other', () => {
    const aKey = newKey();
    const bKey = newKey();
    const aByB = cert('A', aKey, 'B', bKey);
    const bByA = cert('B', bKey, 'A', aKey);
    const leafA = cert('leaf', leafKey, 'A', aKey, { ca: false });
    const error = verifyError(() => verify([leafA, aByB, bByA]));
    expect(error.verifyCode).toBe(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  });

  it('finds the one good anchor among 50 same-named ones with other keys', () => {
    const decoys = Array.from({ length: 50 }, () => cert('Root', newKey(), 'Root', newKey()));
    const counted = counting(provider);
    expect(
      verifyCertificateChain([leaf, int], { provider: counted.provider, trustAnchors: [...decoys, root] }),
    ).toHaveLength(3);
    expect(counted.count).toBeLessThanOrEqual(52);
  });

  it('stays within its signature budget on a 10-certificate chain with a complete graph of 56 same-named CAs', () => {
    // Eight keys, and for every ordered pair a CA named "X" with one key signed by the other: every signature
    // verifies, no path reaches an anchor, and an unbounded search would try every ordering of the keys.
    const keys = Array.from({ length: 8 }, newKey);
    const mesh: Certificate[] = [];
    for (const [i, subjectKey] of keys.entries()) {
      for (const [j, signerKey] of keys.entries()) if (i !== j) mesh.push(cert('X', subjectKey, 'X', signerKey));
    }
    const chain: Certificate[] = [cert('leaf', leafKey, 'X', keys[0] as Key, { ca: false })];
    const counted = counting(provider);
    const error = verifyError(() =>
      verifyCertificateChain(chain, { provider: counted.provider, trustAnchors: [root], intermediates: mesh, maxChainLength: 10 }),
    );
    // Whatever it reports (the signature failures met on the way rank highest), it stops within its budget.
    expect([C.X509_V_ERR_CERT_SIGNATURE_FAILURE, C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, C.X509_V_ERR_CERT_CHAIN_TOO_LONG]).toContain(
      error.verifyCode,
    );
    expect(counted.count).toBeLessThanOrEqual(MAX_SIGNATURE_CHECKS);
  });
});

describe.each(providers)('the verify callback (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  type Call = [subject: string, errno: number, depth: number, ok: boolean];
  const recorder = (answer: (call: Call) => boolean) => {
    const calls: Call[] = [];
    const callback = (c: Certificate, errno: number, depth: number, ok: boolean): boolean => {
      const call: Call = [c.subject.attributes.at(-1)?.[0]?.value ?? '', errno, depth, ok];
      calls.push(call);
      return answer(call);
    };
    return { calls, callback };
  };

  it('is asked about each certificate from the anchor down once the path has passed', () => {
    const { calls, callback } = recorder(() => true);
    verifyCertificateChain([leaf, int], { provider, trustAnchors: [root], callback });
    expect(calls).toEqual([
      ['Root', 0, 2, true],
      ['Int', 0, 1, true],
      ['leaf', 0, 0, true],
    ]);
  });

  it('refusing a certificate that passed fails with 50 (application verification failure) at its depth', () => {
    const { callback } = recorder(([, , depth]) => depth !== 1);
    const error = verifyError(() => verifyCertificateChain([leaf, int], { provider, trustAnchors: [root], callback }));
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_APPLICATION_VERIFICATION, 1]);
    expect(error.alert?.name).toBe('handshake_failure');
  });

  it('may accept an untrusted self-signed leaf, seeing the 18 first', () => {
    const selfKey = newKey();
    const self = cert('self', selfKey, 'self', selfKey, { ca: false });
    const { calls, callback } = recorder(() => true);
    expect(verifyCertificateChain([self], { provider, trustAnchors: [root], callback })).toEqual([self]);
    expect(calls).toEqual([
      ['self', C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, false],
      ['self', 0, 0, true],
    ]);
  });

  it('sees each failure in order and can accept some of them', () => {
    const wrongHost = { hostname: 'other.example', now: new Date('2200-01-01T00:00:00Z') };
    const { calls, callback } = recorder(([, errno]) => errno !== C.X509_V_ERR_CERT_HAS_EXPIRED || calls.length < 3);
    const error = verifyError(() => verifyCertificateChain([leaf, int], { provider, trustAnchors: [root], callback, ...wrongHost }));
    // The host name first (OpenSSL's check_id), then the times from the anchor down; the callback gave up at the third.
    expect(calls.map(([subject, errno, depth]) => [subject, errno, depth])).toEqual([
      ['leaf', C.X509_V_ERR_HOSTNAME_MISMATCH, 0],
      ['Root', C.X509_V_ERR_CERT_HAS_EXPIRED, 2],
      ['Int', C.X509_V_ERR_CERT_HAS_EXPIRED, 1],
    ]);
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_CERT_HAS_EXPIRED, 1]);
  });

  it('cannot make an unverifiable signature pass by accepting the weak-digest error alone', () => {
    // The callback accepts 68 but not 7: a SHA-1 signature is never checked, so it must still fail.
    const sha1 = parseCertificate(pkiDer('sha1.pem'));
    const ca = parseCertificate(pkiDer('ca.pem'));
    const { calls, callback } = recorder(([, errno]) => errno === C.X509_V_ERR_CA_MD_TOO_WEAK);
    const error = verifyError(() => verifyCertificateChain([sha1], { provider, trustAnchors: [ca], callback }));
    expect(error.verifyCode).toBe(C.X509_V_ERR_CERT_SIGNATURE_FAILURE);
    expect(calls.map(([, errno]) => errno)).toEqual([C.X509_V_ERR_CA_MD_TOO_WEAK, C.X509_V_ERR_CERT_SIGNATURE_FAILURE]);
  });
});

describe('name constraints (RFC 5280 §4.2.1.10)', () => {
  const nc = (permitted: Uint8Array[], excluded: Uint8Array[] = []) =>
    cert('NC', newKey(), 'Root', rootKey, { extensions: [Ext.nameConstraints(permitted, excluded)] }).nameConstraints!;
  const subject = (...sans: Uint8Array[]) =>
    constrainedNames(cert('leaf', leafKey, 'NC', rootKey, { ca: false, extensions: sans.length ? [Ext.san(...sans)] : [] }));
  const check = (names: ReturnType<typeof subject>, constraints: ReturnType<typeof nc>) => checkNameConstraints(names, constraints);

  it('DNS: a bare name covers itself and below; a leading dot only below; case and a trailing dot ignored', () => {
    const bare = nc([subtree(GN.dns('Example.COM'))]);
    expect(check(subject(GN.dns('example.com')), bare)).toBe(0);
    expect(check(subject(GN.dns('a.b.example.com.')), bare)).toBe(0);
    expect(check(subject(GN.dns('badexample.com')), bare)).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    const dotted = nc([subtree(GN.dns('.example.com'))]);
    expect(check(subject(GN.dns('example.com')), dotted)).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    expect(check(subject(GN.dns('www.example.com')), dotted)).toBe(0);
  });

  it('DNS: a wildcard violates an excluded subtree that one of its names would', () => {
    const constraints = nc([], [subtree(GN.dns('secret.example.com'))]);
    expect(check(subject(GN.dns('*.example.com')), constraints)).toBe(C.X509_V_ERR_EXCLUDED_VIOLATION);
    expect(check(subject(GN.dns('*.other.example.com')), constraints)).toBe(0);
    expect(check(subject(GN.dns('*.example.com')), nc([subtree(GN.dns('example.com'))]))).toBe(0);
  });

  it('IP: address and mask, IPv4 never matching an IPv6 range', () => {
    const constraints = nc([subtree(GN.ip([192, 0, 2, 0, 255, 255, 255, 0]))]);
    expect(check(subject(GN.ip([192, 0, 2, 200])), constraints)).toBe(0);
    expect(check(subject(GN.ip([192, 0, 3, 1])), constraints)).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    expect(check(subject(GN.ip([...new Array(15).fill(0), 1])), constraints)).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
  });

  it('email: one mailbox, one host, or every host below a domain; the subject emailAddress counts', () => {
    expect(check(subject(GN.email('a@x.example')), nc([subtree(GN.email('x.example'))]))).toBe(0);
    expect(check(subject(GN.email('a@y.x.example')), nc([subtree(GN.email('x.example'))]))).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    expect(check(subject(GN.email('a@y.X.example')), nc([subtree(GN.email('.x.example'))]))).toBe(0);
    expect(check(subject(GN.email('b@x.example')), nc([subtree(GN.email('a@x.example'))]))).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    const withEmail = constrainedNames(
      cert('leaf', leafKey, 'NC', rootKey, {
        ca: false,
        subjectDer: name([atv('1.2.840.113549.1.9.1', Uint8Array.of(0x16, 11, ...Buffer.from('a@evil.test')))], [atv('2.5.4.3', utf8String('leaf'))]),
      }),
    );
    expect(check(withEmail, nc([subtree(GN.email('x.example'))]))).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
  });

  it('URI: the host only, exact unless the constraint starts with a dot; a URI without a host is 53', () => {
    expect(check(subject(GN.uri('https://user@Host.example:8443/p')), nc([subtree(GN.uri('host.example'))]))).toBe(0);
    expect(check(subject(GN.uri('https://sub.host.example/')), nc([subtree(GN.uri('host.example'))]))).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
    expect(check(subject(GN.uri('https://sub.host.example/')), nc([subtree(GN.uri('.host.example'))]))).toBe(0);
    expect(check(subject(GN.uri('urn:isbn:1234')), nc([subtree(GN.uri('host.example'))]))).toBe(C.X509_V_ERR_UNSUPPORTED_NAME_SYNTAX);
  });

  it('directory names by RDN prefix; unsupported name types constrained give 51; minimum/maximum give 49', () => {
    const dir = nc([subtree(GN.dirName(name([atv('2.5.4.10', utf8String('tlsbio'))])))]);
    const withSubject = (subjectDer: Uint8Array) => constrainedNames(cert('x', leafKey, 'NC', rootKey, { ca: false, subjectDer }));
    expect(check(subject(), dir)).toBe(0); // O=tlsbio, CN=leaf
    expect(check(withSubject(name([atv('2.5.4.10', utf8String('TLSBIO'))], [atv('2.5.4.3', utf8String('x'))])), dir)).toBe(0);
    expect(check(withSubject(name([atv('2.5.4.3', utf8String('x'))], [atv('2.5.4.10', utf8String('tlsbio'))])), dir)).toBe(
      C.X509_V_ERR_PERMITTED_VIOLATION,
    );
    const other = nc([subtree(GN.otherName('1.2.3.4', utf8String('x')))]);
    expect(check(subject(GN.otherName('1.2.3.4', utf8String('y'))), other)).toBe(C.X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE);
    expect(check(subject(GN.dns('a.example')), other)).toBe(0);
    expect(check(subject(GN.dns('a.example')), nc([subtree(GN.dns('example'), 1)]))).toBe(C.X509_V_ERR_SUBTREE_MINMAX);
  });

  it.each(providers)('apply to every certificate below, except a self-issued intermediate (%s provider)', (_n, createProvider) => {
    const provider = createProvider();
    const ncKey = newKey();
    const constrained = cert('NC', ncKey, 'Root', rootKey, { extensions: [Ext.nameConstraints([subtree(GN.dns('ok.example'))])] });
    const good = cert('leaf', leafKey, 'NC', ncKey, { ca: false, extensions: [Ext.san(GN.dns('www.ok.example'))] });
    const bad = cert('leaf', leafKey, 'NC', ncKey, { ca: false, extensions: [Ext.san(GN.dns('www.bad.example'))] });
    expect(verifyCertificateChain([good, constrained], { provider, trustAnchors: [root] })).toHaveLength(3);
    const error = verifyError(() => verifyCertificateChain([bad, constrained], { provider, trustAnchors: [root] }));
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_PERMITTED_VIOLATION, 0]);
    // A self-issued CA (key rollover) under the constrained one: its own name is exempt, its leaf's is not.
    const rolloverKey = newKey();
    const rollover = cert('NC', rolloverKey, 'NC', ncKey, { extensions: [Ext.san(GN.dns('www.bad.example'))] });
    const underRollover = cert('leaf', leafKey, 'NC', rolloverKey, { ca: false, extensions: [Ext.san(GN.dns('a.ok.example'))] });
    expect(verifyCertificateChain([underRollover, rollover, constrained], { provider, trustAnchors: [root] })).toHaveLength(4);
    // And the trust anchor's own constraints apply too, as in OpenSSL.
    const constrainedRoot = cert('Root', rootKey, 'Root', rootKey, { extensions: [Ext.nameConstraints([subtree(GN.dns('ok.example'))])] });
    const error2 = verifyError(() => verifyCertificateChain([bad, constrained], { provider, trustAnchors: [constrainedRoot] }));
    expect(error2.verifyCode).toBe(C.X509_V_ERR_PERMITTED_VIOLATION);
  });
});

describe.each(providers)('key sizes (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  it('refuses RSA keys below minimumRsaBits: 66 for the leaf, 67 for a CA', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const smallKey = { private: small.privateKey, spki: new Uint8Array(small.publicKey.export({ type: 'spki', format: 'der' })) };
    const smallLeaf = cert('leaf', smallKey, 'Int', intKey, { ca: false });
    expect(verifyError(() => verifyCertificateChain([smallLeaf, int], { provider, trustAnchors: [root] })).verifyCode).toBe(
      C.X509_V_ERR_EE_KEY_TOO_SMALL,
    );
    expect(verifyCertificateChain([smallLeaf, int], { provider, trustAnchors: [root], minimumRsaBits: 1024 })).toHaveLength(3);
    const smallCa = cert('Small', smallKey, 'Root', rootKey);
    const under = cert('leaf', leafKey, 'Small', smallKey, { ca: false });
    const error = verifyError(() => verifyCertificateChain([under, smallCa], { provider, trustAnchors: [root] }));
    expect([error.verifyCode, error.depth]).toEqual([C.X509_V_ERR_CA_KEY_TOO_SMALL, 1]);
  });
});
