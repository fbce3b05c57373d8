import { isIP } from 'node:net';
import { InvalidArgumentError } from '@tlsbio/errors';
import { formatAddress, parseAddress } from './address-policy.js';

/** Where a tunnel goes: a host name or IP address (IPv6 without brackets) and a TCP port. */
export interface RelayTarget {
  /** Lower-case, without a trailing dot; an IP literal in its canonical form. */
  readonly host: string;
  readonly port: number;
  /** True when `host` is an IP address (no DNS look-up is made). */
  readonly isAddress: boolean;
}

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Parses `HOST:PORT` (`[IPv6]:PORT` for IPv6), or returns why it cannot. */
export function parseTarget(text: string): RelayTarget | string {
  let hostText: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return 'an IPv6 target is written [ADDRESS]:PORT';
    hostText = text.slice(1, close);
    if (isIP(hostText) !== 6) return 'not an IPv6 address inside [ ]';
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) return 'no :PORT';
    hostText = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostText.includes(':')) return 'an IPv6 target is written [ADDRESS]:PORT';
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return 'the port must be 1 to 65535';
  const port = Number(portText);
  const address = parseAddress(hostText);
  if (address && isIP(hostText) !== 0) return { host: formatAddress(address), port, isAddress: true };
  const host = hostText.toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(host)) return 'not a host name or IP address';
  // inet_aton reads `2130706433`, `0x7f.1` and `127.1` as IPv4 addresses: a name's last label is never a number
  // (RFC 3696 §2), so such a name is refused rather than handed to a resolver that would take it for an address.
  if (/(^|\.)(0x[0-9a-f]*|[0-9]+)$/.test(host)) return 'not a host name or IP address';
  return { host, port, isAddress: false };
}

/**
 * The target of a relay request: `?target=HOST:PORT`, else the path after `prefix` (`/HOST:PORT`), percent-decoded.
 * Returns why not when neither names a valid target.
 */
export function targetFromUrl(url: string, prefix: string): RelayTarget | string {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relay.invalid');
  } catch {
    return 'malformed request URL';
  }
  const query = parsed.searchParams.get('target');
  if (query !== null) return parseTarget(query);
  if (!parsed.pathname.startsWith(prefix)) return `the path does not start with ${prefix}`;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname.slice(prefix.length));
  } catch {
    return 'malformed percent-encoding in the path';
  }
  if (path === '') return 'no target: use /HOST:PORT or ?target=HOST:PORT';
  return parseTarget(path);
}

/** One allow-list entry, parsed. */
interface AllowRule {
  /** An exact host, or `*.suffix` (`suffix` holds `.suffix`). */
  readonly host?: string;
  readonly suffix?: string;
  /** `undefined` for `*`. */
  readonly port: number | undefined;
}

/**
 * The relay's allow-list: `host:port` (exact; a name, an IPv4 address or `[IPv6]`), `*.example.com:port` (any name
 * under example.com, not example.com itself), and `*` in place of the port (any port of that host).
 */
export class AllowList {
  readonly #rules: readonly AllowRule[];

  /** @throws {InvalidArgumentError} for an entry that is not one of those forms. */
  constructor(entries: readonly string[]) {
    this.#rules = entries.map((entry) => {
      if (typeof entry !== 'string') throw new InvalidArgumentError('allow', 'INVALID_ARGUMENT', `entries must be strings, got ${typeof entry}`);
      // Parsed as a target with stand-ins for the wildcard parts, so that both share one grammar.
      const wildcard = entry.startsWith('*.');
      const anyPort = entry.endsWith(':*');
      let text = wildcard ? `wildcard.${entry.slice(2)}` : entry;
      if (anyPort) text = `${text.slice(0, -2)}:1`;
      const parsed = parseTarget(text);
      if (typeof parsed === 'string') throw new InvalidArgumentError('allow', 'INVALID_ARGUMENT', `${entry}: ${parsed}`);
      const port = anyPort ? undefined : parsed.port;
      return wildcard ? { suffix: parsed.host.slice('wildcard'.length), port } : { host: parsed.host, port };
    });
  }

  permits(target: RelayTarget): boolean {
    return this.#rules.some(
      (rule) =>
        (rule.port === undefined || rule.port === target.port) &&
        (rule.host !== undefined ? rule.host === target.host : !target.isAddress && target.host.endsWith(rule.suffix!)),
    );
  }
}
