/**
 * Matching a certificate against the name the client asked for (RFC 6125 §6, as RFC 9525 narrows it):
 * - a DNS name matches dNSName entries of subjectAltName only — never the subject's commonName (RFC 9525 §6.3
 *   drops the CN fallback; so does every browser);
 * - ASCII case is ignored, and so is one trailing dot on either side (`example.com.` is the same host);
 * - a wildcard is only the whole left-most label (`*.example.com`), stands for exactly one non-empty label, and needs
 *   at least two labels after it (`*.com` matches nothing) (RFC 6125 §6.4.3, RFC 9525 §6.3);
 * - an IP literal (IPv4 dotted quad, or IPv6 text, brackets allowed) matches iPAddress entries only, byte for byte
 *   (RFC 6125 §6.2.1; an IPv4 address does not match its IPv4-mapped IPv6 form).
 * Certificates carry A-labels and are compared as such (ASCII, case ignored); a host name given with U-labels
 * (`bücher.example`) is converted to A-labels first (`xn--bcher-kva.example`). Any other character outside ASCII
 * letters, digits, `-`, `_` and `.` matches nothing.
 */
import { equalBytes } from '../crypto/bytes.js';
import type { Certificate } from './certificate.js';

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    // Decimal only, without leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes('.')) {
        // RFC 4291 §2.2 form 3: the last 32 bits as an IPv4 dotted quad.
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const count = head.length + tail.length;
  // Without "::" all eight groups are written; with it, it stands for at least one group of zeros.
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * The bytes of an IP address literal: 4 for IPv4 (`127.0.0.1`), 16 for IPv6 (`::1`, `[::1]`,
 * `::ffff:192.0.2.1`); `undefined` for anything else (a DNS name, an IPv6 zone `fe80::1%eth0`, `010.0.0.1`).
 * @example
 * parseIpAddress('::1'); // Uint8Array(16) [0, …, 0, 1]
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpv4(unbracketed) ?? parseIpv6(unbracketed);
}

const lowerAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

// The reference name, normalised; undefined when it cannot be a DNS name. A name with U-labels is first converted to
// A-labels (IDNA/UTS #46, through the WHATWG URL parser every platform has), since certificates carry A-labels
// (RFC 5280 §7.2, RFC 6125 §6.4.2).
function referenceName(hostname: string): string | undefined {
  if (/[^\x00-\x7f]/.test(hostname)) {
    try {
      hostname = new URL(`http://${hostname}/`).hostname;
    } catch {
      return undefined;
    }
  }
  const name = lowerAscii(hostname.endsWith('.') ? hostname.slice(0, -1) : hostname);
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) return undefined;
  return name;
}

function dnsMatches(presented: string, reference: string): boolean {
  let pattern = lowerAscii(presented);
  if (pattern.endsWith('.')) pattern = pattern.slice(0, -1);
  if (pattern === '') return false;
  if (!pattern.includes('*')) return pattern === reference;
  // RFC 6125 §6.4.3 / RFC 9525 §6.3: only a whole left-most label "*", with at least two labels after it.
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(2);
  if (suffix.includes('*') || !suffix.includes('.') || suffix.split('.').some((label) => label === '')) return false;
  const dot = reference.indexOf('.');
  return dot > 0 && reference.slice(dot + 1) === suffix;
}

/**
 * True when `cert` is valid for `hostname` (a DNS name or an IP literal), by the rules above.
 * @example
 * matchesHostname(leaf, 'LOCALHOST.'); // true for a certificate with DNS:localhost
 * matchesHostname(leaf, '::1'); // true for a certificate with IP:::1
 */
export function matchesHostname(cert: Certificate, hostname: string): boolean {
  if (typeof hostname !== 'string' || hostname === '') return false;
  const ip = parseIpAddress(hostname);
  if (ip !== undefined) return (cert.subjectAltName?.ip ?? []).some((entry) => equalBytes(entry, ip));
  const reference = referenceName(hostname);
  if (reference === undefined) return false;
  return (cert.subjectAltName?.dns ?? []).some((pattern) => dnsMatches(pattern, reference));
}
