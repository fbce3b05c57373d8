// The flags `tlsbio client` and `tlsbio server` share, in openssl s_client / s_server's spelling, and their
// translation into a TLSContext. Files are read here: core does no I/O.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { TLSContext, TLS12_SUITES, TLS13_SUITES, type GroupName, type Role, type TLSContextOptions } from '@tlsbio/core';
import { TLSVersion } from '@tlsbio/errors';
import { type FlagSpec, type ParsedArgs, UsageError } from '../args.js';

/** A failure outside TLS (a file that cannot be read, a port in use): printed with its code, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Flags both commands take, in the order `--help` lists them after each command's own. */
export const COMMON_TLS_FLAGS: readonly FlagSpec[] = [
  { name: 'CAfile', value: true, description: 'PEM file of the certificates to trust (the peer is verified against them)' },
  { name: 'alpn', value: true, description: 'ALPN protocols to offer or accept, comma-separated (h2,http/1.1)' },
  { name: 'tls1_3', description: 'TLS 1.3 only (by default TLS 1.2 and 1.3 are both allowed)' },
  { name: 'tls1_2', description: 'TLS 1.2 only' },
  { name: 'ciphersuites', value: true, description: 'TLS 1.3 and TLS 1.2 suites in preference order, colon-separated' },
  { name: 'groups', value: true, description: 'key exchange groups in preference order: X25519:P-256:P-384:X25519MLKEM768' },
  { name: 'keylogfile', value: true, description: 'append NSS key log lines here (default: $SSLKEYLOGFILE)' },
  { name: 'json', description: 'one JSON object per connection on stderr, nothing else there' },
  {
    name: 'post-handshake-auth',
    description: 'TLS 1.3 post-handshake authentication: a client offers it; a server asks for the certificate after the handshake',
  },
];

/**
 * OpenSSL's spellings of the groups (`-groups`, `-curves`), lower-cased, mapped to ours. Ours are accepted too.
 */
const GROUP_ALIASES: ReadonlyMap<string, GroupName> = new Map<string, GroupName>([
  ['x25519', 'x25519'],
  ['p-256', 'secp256r1'],
  ['secp256r1', 'secp256r1'],
  ['prime256v1', 'secp256r1'],
  ['p-384', 'secp384r1'],
  ['secp384r1', 'secp384r1'],
  ['x25519mlkem768', 'X25519MLKEM768'],
]);

/** Our name of a group → the one OpenSSL prints (`Negotiated TLS1.3 group: X25519`). */
export const OPENSSL_GROUP_NAMES: Readonly<Record<GroupName, string>> = {
  x25519: 'X25519',
  secp256r1: 'P-256',
  secp384r1: 'P-384',
  X25519MLKEM768: 'X25519MLKEM768',
};

/**
 * Parses a `--groups` list (`X25519:P-256`, commas accepted too) into our group names, preference order kept.
 * @throws UsageError for an unknown name or an empty list.
 */
export function parseGroups(list: string): GroupName[] {
  const groups: GroupName[] = [];
  for (const name of splitList(list, /[:,]/)) {
    const group = GROUP_ALIASES.get(name.toLowerCase());
    if (group === undefined) {
      throw new UsageError(`unknown group '${name}' (known: X25519, P-256, P-384, X25519MLKEM768, secp256r1, secp384r1)`);
    }
    if (!groups.includes(group)) groups.push(group);
  }
  if (groups.length === 0) throw new UsageError('--groups is empty');
  return groups;
}

/**
 * Parses a `--ciphersuites` list (`TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256`): TLS 1.3 names and TLS 1.2
 * names (OpenSSL's or IANA's). A version none of whose suites is listed keeps its defaults, as in OpenSSL.
 * @throws UsageError for a name that is not one of our suites, or an empty list.
 */
export function parseCipherSuites(list: string): string[] {
  const names = splitList(list, /[:,]/).map((name) => name.toUpperCase());
  if (names.length === 0) throw new UsageError('--ciphersuites is empty');
  const known = [...TLS13_SUITES.map((suite) => suite.name), ...TLS12_SUITES.flatMap((suite) => [suite.name, suite.ianaName])];
  for (const name of names) {
    if (!known.includes(name)) {
      const listed = [...TLS13_SUITES, ...TLS12_SUITES].map((suite) => suite.name).join(', ');
      throw new UsageError(`unknown cipher suite '${name}' (known: ${listed})`);
    }
  }
  return [...new Set(names)];
}

/** Parses `--alpn h2,http/1.1`. @throws UsageError for an empty list. */
export function parseAlpn(list: string): string[] {
  const protocols = splitList(list, /,/);
  if (protocols.length === 0) throw new UsageError('--alpn is empty');
  return protocols;
}

function splitList(list: string, separator: RegExp): string[] {
  return list.split(separator).map((item) => item.trim()).filter((item) => item.length > 0);
}

export interface HostPort {
  /** `undefined` when only a port was given (`--accept 4433`). */
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `[v6]:PORT` or, with `allowBarePort`, just `PORT`.
 * @throws UsageError for anything else, or a port outside 0..65535 (0 only with `allowZero`).
 */
export function parseHostPort(flag: string, text: string, options: { allowBarePort?: boolean; allowZero?: boolean } = {}): HostPort {
  let host: string | undefined;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1];
    portText = bracketed[2] ?? '';
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) {
      if (!options.allowBarePort) throw new UsageError(`--${flag} needs HOST:PORT, got '${text}'`);
      portText = text;
    } else {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (host.includes(':')) throw new UsageError(`--${flag}: write an IPv6 address in brackets, [${host}]:${portText}`);
      if (host === '') host = undefined;
    }
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port <= 65535 && (port > 0 || (port === 0 && options.allowZero === true)))) {
    throw new UsageError(`--${flag}: '${portText}' is not a port number`);
  }
  if (host === undefined && !options.allowBarePort) throw new UsageError(`--${flag} needs HOST:PORT, got '${text}'`);
  return { host, port };
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A failed operation on a file the user named, as a CliError with the system's code (ENOENT, EACCES…). */
export function fileError(what: string, path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return new CliError(code, `${what} ${path}: ${(error as Error).message}`, { cause: error });
}

/** Reads a text file the user named. @throws CliError with the system's code (ENOENT, EACCES…). */
export function readUserFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError(`--${flag}`, path, error);
  }
}

/** Reads a file the user named, as bytes. @throws CliError with the system's code (ENOENT, EACCES…). */
export function readUserBytes(flag: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw fileError(`--${flag}`, path, error);
  }
}

/**
 * The keys of `--ticket-keys F`: one 32-byte key per line in hex (64 digits; `openssl rand -hex 32` makes one), the
 * first sealing new tickets, the others still opening tickets sealed before a rotation. Blank lines and `#` comments
 * are skipped. Servers given the same file resume each other's sessions.
 * @throws CliError `BAD_TICKET_KEYS` for a file with no key or a line that is not 64 hex digits.
 */
export function readTicketKeys(path: string): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (const [index, raw] of readUserFile('ticket-keys', path).split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    if (!/^[0-9a-fA-F]{64}$/.test(line)) {
      throw new CliError('BAD_TICKET_KEYS', `--ticket-keys ${path}:${index + 1}: a key is 64 hex digits (32 bytes), one per line`);
    }
    keys.push(Uint8Array.from(line.match(/../g)!, (pair) => Number.parseInt(pair, 16)));
  }
  if (keys.length === 0) throw new CliError('BAD_TICKET_KEYS', `--ticket-keys ${path}: no key in the file`);
  return keys;
}

/** Where key log lines go: a file opened for appending, closed with {@link KeylogSink.close}. */
export interface KeylogSink {
  readonly path: string;
  write(line: string): void;
  close(): void;
}

/**
 * Opens the key log named by `--keylogfile`, else by `SSLKEYLOGFILE`; `undefined` when neither is set.
 * @throws CliError when the file cannot be opened for appending.
 */
export function openKeylog(flagValue: string | undefined, env: NodeJS.ProcessEnv): KeylogSink | undefined {
  const path = flagValue ?? (env.SSLKEYLOGFILE !== undefined && env.SSLKEYLOGFILE !== '' ? env.SSLKEYLOGFILE : undefined);
  if (path === undefined) return undefined;
  let fd: number;
  try {
    // Owner-only: the file holds every traffic secret of the session.
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw fileError('key log', path, error);
  }
  let open = true;
  return {
    path,
    // One synchronous append per line: lines of concurrent connections never interleave, and a crash loses none.
    write(line) {
      if (open) writeSync(fd, `${line}\n`);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Reads a flag's string value (valued flags only). */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** What {@link buildContext} made. */
export interface BuiltContext {
  readonly context: TLSContext;
  readonly keylog: KeylogSink | undefined;
}

/** The certificate and key pairs a command loads (`--cert/--key`, `--cert2/--key2`). */
export interface CertKeyFlags {
  readonly cert: string;
  readonly key: string;
}

/**
 * Makes the context for `role` from the common flags. The caller sets what is its own (verification, SNI
 * callback) before the context is used.
 * @throws UsageError for contradictory or malformed flags; CliError for unreadable files and for settings the
 *   library refuses.
 */
export function buildContext(
  role: Role,
  args: ParsedArgs,
  certs: readonly CertKeyFlags[],
  env: NodeJS.ProcessEnv,
  roleOptions: TLSContextOptions = {},
): BuiltContext {
  if (args.flags.has('tls1_2') && args.flags.has('tls1_3')) throw new UsageError('--tls1_2 and --tls1_3 exclude each other');
  const suites = stringFlag(args, 'ciphersuites');
  const groups = stringFlag(args, 'groups');
  const alpn = stringFlag(args, 'alpn');
  let context: TLSContext;
  try {
    context = new TLSContext(role, {
      ...(suites === undefined ? {} : { cipherSuites: parseCipherSuites(suites) }),
      ...(groups === undefined ? {} : { groups: parseGroups(groups) }),
      ...(alpn === undefined ? {} : { alpnProtocols: parseAlpn(alpn) }),
      ...(args.flags.has('post-handshake-auth') ? { postHandshakeAuth: true } : {}),
      ...roleOptions,
    });
  } catch (error) {
    throw asCliError(error, 'invalid TLS settings');
  }
  // As openssl's -tls1_2 / -tls1_3: one version only. Without either, TLS 1.2 and 1.3 are both allowed.
  if (args.flags.has('tls1_2')) {
    context.minimumVersion = TLSVersion.TLSv1_2;
    context.maximumVersion = TLSVersion.TLSv1_2;
  } else if (args.flags.has('tls1_3')) {
    context.minimumVersion = TLSVersion.TLSv1_3;
    context.maximumVersion = TLSVersion.TLSv1_3;
  }
  for (const [index, { cert, key }] of certs.entries()) {
    const suffix = index === 0 ? '' : String(index + 1);
    const certPem = readUserFile(`cert${suffix}`, cert);
    const keyPem = readUserFile(`key${suffix}`, key);
    try {
      context.loadCertChain(certPem, keyPem);
    } catch (error) {
      throw asCliError(error, `${cert} / ${key}`);
    }
  }
  const caFile = stringFlag(args, 'CAfile');
  if (caFile !== undefined) {
    const caPem = readUserFile('CAfile', caFile);
    try {
      context.loadVerifyLocations({ cadata: caPem });
    } catch (error) {
      throw asCliError(error, `--CAfile ${caFile}`);
    }
  }
  const keylog = openKeylog(stringFlag(args, 'keylogfile'), env);
  if (keylog !== undefined) context.setKeylogCallback((line) => keylog.write(line));
  return { context, keylog };
}

/** A library error met while configuring: kept as a CliError with the library's reason as code. */
function asCliError(error: unknown, what: string): Error {
  if (error instanceof UsageError || error instanceof CliError) return error;
  const tagged = error as { reason?: unknown; code?: unknown; message?: unknown };
  const code = typeof tagged.reason === 'string' ? tagged.reason : typeof tagged.code === 'string' ? tagged.code : 'INVALID_ARGUMENT';
  return new CliError(code, `${what}: ${String(tagged.message ?? error)}`, { cause: error });
}

/** The `--cert`/`--key` pair (and `--cert2`/`--key2`), each half required with the other. @throws UsageError */
export function certKeyFlags(args: ParsedArgs, suffixes: readonly string[]): CertKeyFlags[] {
  const pairs: CertKeyFlags[] = [];
  for (const suffix of suffixes) {
    const cert = stringFlag(args, `cert${suffix}`);
    const key = stringFlag(args, `key${suffix}`);
    if ((cert === undefined) !== (key === undefined)) {
      throw new UsageError(`--cert${suffix} and --key${suffix} go together`);
    }
    if (cert !== undefined && key !== undefined) pairs.push({ cert, key });
  }
  return pairs;
}
