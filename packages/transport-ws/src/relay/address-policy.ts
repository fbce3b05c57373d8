import { isIP } from 'node:net';
import { InvalidArgumentError } from '@tlsbio/errors';

/** Why an address is refused by default. */
export type AddressKind = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'multicast' | 'reserved';

interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

interface Range extends Cidr {
  readonly kind: AddressKind;
}

/**
 * Parses an IPv4 or IPv6 address into 4 or 16 bytes, or `undefined`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`)
 * becomes its IPv4 address, so that every check sees one form of it. A zone (`fe80::1%eth0`) is dropped.
 */
export function parseAddress(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  const bytes = new Uint8Array(16);
  let tail = address;
  let embedded: Uint8Array | undefined;
  const lastColon = tail.lastIndexOf(':');
  if (tail.includes('.', lastColon)) {
    embedded = Uint8Array.from(tail.slice(lastColon + 1).split('.').map(Number));
    tail = `${tail.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = tail.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = groups(head);
  const back = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  if (embedded) bytes.set(embedded, 12);
  return isMapped(bytes) ? bytes.slice(12) : bytes;
}

/** ::ffff:0:0/96 (RFC 4291 §2.5.5.2). */
function isMapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The address's text, IPv4 dotted or IPv6 in full lower-case groups (connectable, comparable). */
export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bytes = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  // An IPv4-mapped network given in IPv6 form keeps its meaning once the address became IPv4.
  const prefix = Number(prefixText) - (slash >= 0 && bytes.length === 4 && text.includes(':') ? 96 : 0);
  if (prefix < 0 || prefix > max) return undefined;
  return { bytes, prefix };
}

function contains(cidr: Cidr, bytes: Uint8Array): boolean {
  if (cidr.bytes.length !== bytes.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) if (cidr.bytes[i] !== bytes[i]) return false;
  const bits = cidr.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (cidr.bytes[whole]! & mask) === (bytes[whole]! & mask);
}

const range = (text: string, kind: AddressKind): Range => ({ ...parseCidr(text)!, kind });

/**
 * Addresses a relay must not reach unless told to (SSRF): the relay's own host, private networks, link-local
 * (cloud metadata services live there), multicast and reserved space. More specific entries come first, so that
 * a metadata address is reported as such. RFC 6890 and the IANA special-purpose registries.
 */
const REFUSED: readonly Range[] = [
  range('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack instance metadata
  range('100.100.100.200/32', 'metadata'), // Alibaba Cloud metadata
  range('fd00:ec2::254/128', 'metadata'), // AWS metadata over IPv6
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'private'), // RFC 6598 shared address space (carrier-grade NAT)
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'reserved'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'reserved'),
  range('198.51.100.0/24', 'reserved'),
  range('203.0.113.0/24', 'reserved'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // and 255.255.255.255
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('::/96', 'reserved'), // IPv4-compatible (deprecated)
  range('64:ff9b:1::/48', 'private'), // RFC 8215 local-use NAT64
  range('100::/64', 'reserved'),
  range('2001:db8::/32', 'reserved'),
  range('fc00::/7', 'private'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'), // site-local (deprecated)
  range('ff00::/8', 'multicast'),
];

/** IPv6 ranges that carry an IPv4 address: the IPv4 one is checked too. */
const EMBEDDING: readonly { cidr: Cidr; offset: number }[] = [
  { cidr: parseCidr('64:ff9b::/96')!, offset: 12 }, // RFC 6052 NAT64
  { cidr: parseCidr('2002::/16')!, offset: 2 }, // RFC 3056 6to4
];

/** The reason an address is refused by default, or `undefined` for a public address. */
export function refusedKind(bytes: Uint8Array): AddressKind | undefined {
  for (const entry of REFUSED) if (contains(entry, bytes)) return entry.kind;
  for (const { cidr, offset } of EMBEDDING) {
    if (contains(cidr, bytes)) return refusedKind(bytes.slice(offset, offset + 4));
  }
  return undefined;
}

/** Decides which resolved addresses a relay may connect to. */
export class AddressPolicy {
  readonly #exempt: readonly Cidr[];

  /**
   * @param allowAddresses networks exempt from the default refusal (`'127.0.0.1/32'`, `'10.1.0.0/16'`, `'::1'`).
   * @throws {InvalidArgumentError} for a malformed network.
   */
  constructor(allowAddresses: readonly string[] = []) {
    this.#exempt = allowAddresses.map((text) => {
      const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
      if (!cidr) throw new InvalidArgumentError('allowAddresses', 'INVALID_ARGUMENT', `not an address or network: ${String(text)}`);
      return cidr;
    });
  }

  /** `undefined` when `address` may be connected to, else why not. */
  check(address: Uint8Array): AddressKind | undefined {
    if (this.#exempt.some((cidr) => contains(cidr, address))) return undefined;
    return refusedKind(address);
  }
}
