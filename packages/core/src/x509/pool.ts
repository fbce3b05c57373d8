/**
 * A set of parsed certificates indexed for path building: by subject name (to find the candidate issuers of a
 * certificate in one look-up, however many roots are loaded) and by subject name and key (a trust anchor is a name
 * and a key, RFC 5280 §6.1.1 (d), so a re-issued copy of a trusted root is recognised as that root).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { Certificate } from './certificate.js';
import { nameKey, toHex } from './names.js';

/**
 * Certificates by subject. Adding a certificate already present (same DER) does nothing.
 * @example
 * const anchors = new CertificatePool(parseCertificatesPem(caPem));
 * anchors.issuersOf(leaf); // the certificates whose subject is leaf's issuer
 */
export class CertificatePool {
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #byIdentity = new Map<string, Certificate>();
  readonly #all: Certificate[] = [];

  /** @throws InvalidArgumentError (`INVALID_ARGUMENT`) when an element is not a parsed certificate. */
  constructor(certificates: Iterable<Certificate> = []) {
    for (const certificate of certificates) this.add(certificate);
  }

  /** The number of certificates. */
  get size(): number {
    return this.#all.length;
  }

  /** Every certificate, in the order added. */
  get certificates(): readonly Certificate[] {
    return this.#all;
  }

  /**
   * Adds a certificate; returns false when the same DER is already in the pool.
   * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `certificate` is not a parsed certificate.
   */
  add(certificate: Certificate): boolean {
    if (certificate === null || typeof certificate !== 'object' || !(certificate.der instanceof Uint8Array)) {
      throw new InvalidArgumentError('certificate', 'INVALID_ARGUMENT', 'must be a parsed certificate (parseCertificate)');
    }
    const subject = nameKey(certificate.subject);
    const sameSubject = this.#bySubject.get(subject) ?? [];
    if (sameSubject.some((other) => equalBytes(other.der, certificate.der))) return false;
    sameSubject.push(certificate);
    this.#bySubject.set(subject, sameSubject);
    const identity = identityKey(certificate);
    if (!this.#byIdentity.has(identity)) this.#byIdentity.set(identity, certificate);
    this.#all.push(certificate);
    return true;
  }

  /** The certificates whose subject is `certificate`'s issuer name, in the order added. */
  issuersOf(certificate: Certificate): readonly Certificate[] {
    return this.#bySubject.get(nameKey(certificate.issuer)) ?? [];
  }

  /** The pool's certificate with the same subject name and public key as `certificate`, if there is one. */
  find(certificate: Certificate): Certificate | undefined {
    return this.#byIdentity.get(identityKey(certificate));
  }
}

const identities = new WeakMap<Certificate, string>();

function identityKey(certificate: Certificate): string {
  let key = identities.get(certificate);
  if (key === undefined) {
    key = `${nameKey(certificate.subject)}\n${toHex(certificate.spki)}`;
    identities.set(certificate, key);
  }
  return key;
}
