/**
 * Name constraints (RFC 5280 §4.2.1.10, processed as §6.1.3 (b)-(c) and §6.1.4 (g) ask): the names of every
 * certificate below a CA that carries the extension must lie in one of its permitted subtrees of their type (when it
 * has any of that type) and in none of its excluded subtrees. Keeping each CA's constraints and checking every name
 * against all of them is the same as RFC 5280's running intersection of permitted sets and union of excluded ones.
 *
 * The names checked: the subject (a directoryName) when it is not empty, the emailAddress attributes of the subject
 * (as rfc822Name, §4.2.1.10's "legacy" rule), and every subjectAltName entry.
 *
 * Matching, per type:
 * - dNSName: `example.com` covers itself and every name below it; `.example.com` (OpenSSL's and Go's extension)
 *   only the names below it; the empty name covers everything. ASCII case is ignored, as is one trailing dot.
 *   A wildcard name `*.example.com` is within a permitted subtree when `example.com`'s subtree covers it, and
 *   violates an excluded subtree that any of the names it stands for would violate.
 * - iPAddress: the address with the constraint's mask applied equals the constraint's address; IPv4 and IPv6 never
 *   match each other.
 * - rfc822Name: `user@host` one mailbox; `host` every mailbox at that host; `.host` every mailbox below it. The
 *   local part is compared exactly, the host without case.
 * - directoryName: the constraint's RDNs are the first RDNs of the name.
 * - uniformResourceIdentifier: the URI's host, as a dNSName constraint with the §4.2.1.10 difference that `host`
 *   covers that host only. A URI without a host cannot be checked: X509_V_ERR_UNSUPPORTED_NAME_SYNTAX (53).
 * Other types (otherName, x400Address, ediPartyName, registeredID): a name of a type for which a CA above has a
 * constraint gives X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE (51), as in OpenSSL; unconstrained, they pass.
 */
import { X509VerifyCode } from '@tlsbio/errors';
import type { Certificate } from './certificate.js';
import type { GeneralSubtree, NameConstraints } from './extensions.js';
import { rdnKeys, type GeneralName } from './names.js';

const EMAIL_ADDRESS_OID = '1.2.840.113549.1.9.1';

const lowerAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
const withoutDot = (text: string): string => (text.endsWith('.') ? text.slice(0, -1) : text);

/** The names of `cert` that constraints apply to (RFC 5280 §4.2.1.10). */
export function constrainedNames(cert: Certificate): GeneralName[] {
  const names: GeneralName[] = [];
  if (cert.subject.attributes.length > 0) names.push({ type: 'directoryName', name: cert.subject });
  for (const rdn of cert.subject.attributes) {
    for (const attribute of rdn) {
      if (attribute.oid === EMAIL_ADDRESS_OID) names.push({ type: 'rfc822Name', value: attribute.value });
    }
  }
  names.push(...(cert.altNames ?? []));
  return names;
}

/**
 * The verify code for the first name of `names` that `constraints` refuse, or 0 when all pass.
 * 47 permitted subtree violation · 48 excluded subtree violation · 49 minimum/maximum in a subtree ·
 * 51 unsupported constraint type · 53 unsupported name syntax.
 */
export function checkNameConstraints(names: readonly GeneralName[], constraints: NameConstraints): number {
  for (const subtree of [...constraints.permitted, ...constraints.excluded]) {
    if (subtree.minimum !== undefined || subtree.maximum !== undefined) return X509VerifyCode.X509_V_ERR_SUBTREE_MINMAX;
  }
  for (const name of names) {
    const permitted = constraints.permitted.filter((subtree) => subtree.base.type === name.type);
    const excluded = constraints.excluded.filter((subtree) => subtree.base.type === name.type);
    if (permitted.length === 0 && excluded.length === 0) continue;
    for (const subtree of excluded) {
      const verdict = within(name, subtree, 'excluded');
      if (verdict !== false && verdict !== true) return verdict;
      if (verdict) return X509VerifyCode.X509_V_ERR_EXCLUDED_VIOLATION;
    }
    if (permitted.length === 0) continue;
    let inside = false;
    for (const subtree of permitted) {
      const verdict = within(name, subtree, 'permitted');
      if (verdict !== false && verdict !== true) return verdict;
      if (verdict) {
        inside = true;
        break;
      }
    }
    if (!inside) return X509VerifyCode.X509_V_ERR_PERMITTED_VIOLATION;
  }
  return 0;
}

// true/false, or a verify code when the name or the constraint cannot be compared.
function within(name: GeneralName, subtree: GeneralSubtree, kind: 'permitted' | 'excluded'): boolean | number {
  const base = subtree.base;
  if (name.type === 'dNSName' && base.type === 'dNSName') return dnsWithin(name.value, base.value, kind);
  if (name.type === 'iPAddress' && base.type === 'iPAddress') return ipWithin(name.bytes, base.bytes);
  if (name.type === 'rfc822Name' && base.type === 'rfc822Name') return emailWithin(name.value, base.value);
  if (name.type === 'directoryName' && base.type === 'directoryName') {
    const prefix = rdnKeys(base.name);
    const keys = rdnKeys(name.name);
    return prefix.length <= keys.length && prefix.every((key, i) => key === keys[i]);
  }
  if (name.type === 'uniformResourceIdentifier' && base.type === 'uniformResourceIdentifier') {
    const host = uriHost(name.value);
    if (host === undefined) return X509VerifyCode.X509_V_ERR_UNSUPPORTED_NAME_SYNTAX;
    return hostWithin(host, lowerAscii(withoutDot(base.value)), false);
  }
  return X509VerifyCode.X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE;
}

// `constraint` is lower case without a trailing dot; a leading dot means "only below". `bareCoversSubdomains`:
// whether `example.com` also covers the names below it (dNSName yes, URI no, RFC 5280 §4.2.1.10).
function hostWithin(host: string, constraint: string, bareCoversSubdomains: boolean): boolean {
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return host.endsWith(constraint);
  if (host === constraint) return true;
  return bareCoversSubdomains && host.endsWith(`.${constraint}`);
}

function dnsWithin(presented: string, base: string, kind: 'permitted' | 'excluded'): boolean {
  const name = lowerAscii(withoutDot(presented));
  const constraint = lowerAscii(withoutDot(base));
  if (hostWithin(name, constraint, true)) return true;
  // A wildcard stands for any one label: for an excluded subtree, it violates the constraint when one of the names
  // it covers would (`*.example.com` against `bad.example.com`).
  if (kind === 'excluded' && name.startsWith('*.')) {
    const suffix = name.slice(1); // ".example.com"
    const bare = constraint.startsWith('.') ? constraint.slice(1) : constraint;
    const dot = bare.indexOf('.');
    return dot > 0 && bare.slice(dot) === suffix;
  }
  return false;
}

function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  if (constraint.length !== address.length * 2) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = constraint[address.length + i] as number;
    if (((address[i] as number) & mask) !== ((constraint[i] as number) & mask)) return false;
  }
  return true;
}

function emailWithin(presented: string, base: string): boolean {
  const at = presented.lastIndexOf('@');
  if (at <= 0) return false;
  const local = presented.slice(0, at);
  const host = lowerAscii(presented.slice(at + 1));
  const baseAt = base.lastIndexOf('@');
  if (baseAt >= 0) return base.slice(0, baseAt) === local && lowerAscii(base.slice(baseAt + 1)) === host;
  const constraint = lowerAscii(base);
  return constraint.startsWith('.') ? host.endsWith(constraint) : host === constraint;
}

// The host of a URI with an authority (`scheme://[userinfo@]host[:port]/…`), lower case; undefined without one.
function uriHost(uri: string): string | undefined {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(uri);
  const host = match?.[1];
  if (host === undefined || host === '' || host.startsWith('[')) return undefined;
  return lowerAscii(withoutDot(host));
}
