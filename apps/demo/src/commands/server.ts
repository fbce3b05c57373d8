// `tlsbio server`: openssl s_server's everyday use. Serves many connections at once; each is echoed until the
// client's close_notify, then answered with ours (TLS 1.3 half-close, RFC 8446 §6.1). With --www it answers one
// HTTP request with a page describing the connection, as s_server -www does. A failed connection is logged and
// never stops the server.
import type { SecureStream, TLSConnection, TransportInfo, VerifyMode } from '@tlsbio/core';
import { type SecureServer, createServer } from '@tlsbio/transport-net';
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { type ParsedArgs, UsageError } from '../args.js';
import {
  COMMON_TLS_FLAGS,
  CliError,
  buildContext,
  certKeyFlags,
  formatHostPort,
  parseHostPort,
  readTicketKeys,
  stringFlag,
} from '../tls/options.js';
import {
  connectionRecord,
  describeFailure,
  errorCode,
  errorRecord,
  subjectOf,
  type ConnectionRecord,
  type Counters,
} from '../tls/summary.js';
import { MAX_REQUEST_HEAD, RequestHead, wwwResponse } from '../tls/www.js';
import type { Command, Output } from './command.js';

const VERIFY_MODES: readonly VerifyMode[] = ['none', 'optional', 'required'];
/** `--early_data`: the most 0-RTT bytes a client may send, one full record as s_server's `-early_data`. */
const EARLY_DATA_LIMIT = 16384;

export const serverCommand: Command = {
  name: 'server',
  summary: 'accept TLS connections, like openssl s_server: echo each one, or serve a status page (--www)',
  usage: [
    'tlsbio server --accept [HOST:]PORT --cert F --key F [--cert2 F --key2 F] [--CAfile F]',
    '                     [--verify-client none|optional|required] [--alpn a,b] [--tls1_3 | --tls1_2]',
    '                     [--ciphersuites LIST] [--groups LIST] [--keylogfile F] [--www] [--json] [--post-handshake-auth]',
    '                     [--no_ticket] [--ticket-keys F] [--early_data]',
  ].join('\n'),
  flags: [
    { name: 'accept', value: true, description: 'where to listen, [HOST:]PORT (0: any free port); prints ACCEPT host:port' },
    { name: 'cert', value: true, description: 'PEM certificate chain, leaf first' },
    { name: 'key', value: true, description: 'the private key of --cert (PEM)' },
    { name: 'cert2', value: true, description: 'a second chain (e.g. RSA beside ECDSA): each client gets one it can verify' },
    { name: 'key2', value: true, description: 'the private key of --cert2' },
    { name: 'verify-client', value: true, description: 'ask for a client certificate: none (default), optional, required' },
    { name: 'www', description: 'answer an HTTP request with a page of the negotiated parameters (GET /keyupdate: KeyUpdate first)' },
    { name: 'no_ticket', description: 'issue no session tickets and resume none (every handshake is a full one)' },
    { name: 'ticket-keys', value: true, description: 'ticket keys, one 64-hex-digit key a line, current first: servers sharing the file resume each other' },
    { name: 'early_data', description: `accept up to ${EARLY_DATA_LIMIT} bytes of TLS 1.3 0-RTT data (served like the rest; replays refused)` },
    ...COMMON_TLS_FLAGS,
  ],
  run: (args, output) => runServer(args, output, { env: process.env, out: (text) => process.stdout.write(text) }),
};

export interface ServerEnv {
  readonly env: NodeJS.ProcessEnv;
  /** Where the `ACCEPT host:port` line goes (stdout). */
  readonly out: (text: string) => void;
}

/**
 * Listens until SIGINT or SIGTERM, then resolves to 0. Resolves to 1 when it cannot start (a file, a port).
 * @throws UsageError for missing or contradictory flags.
 */
export async function runServer(args: ParsedArgs, output: Output, env: ServerEnv): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`'server' takes no arguments (got '${args.positionals[0]}')`);
  const acceptAt = stringFlag(args, 'accept');
  if (acceptAt === undefined) throw new UsageError('--accept [HOST:]PORT is required');
  const { host, port } = parseHostPort('accept', acceptAt, { allowBarePort: true, allowZero: true });
  const certs = certKeyFlags(args, ['', '2']);
  if (stringFlag(args, 'cert') === undefined) throw new UsageError('--cert and --key are required');
  const verifyClient = stringFlag(args, 'verify-client') ?? 'none';
  if (!VERIFY_MODES.includes(verifyClient as VerifyMode)) {
    throw new UsageError(`--verify-client must be none, optional or required, got '${verifyClient}'`);
  }
  if (verifyClient !== 'none' && !args.flags.has('CAfile')) throw new UsageError(`--verify-client ${verifyClient} needs --CAfile`);
  const postHandshakeAuth = args.flags.has('post-handshake-auth');
  if (postHandshakeAuth && verifyClient === 'none') throw new UsageError('--post-handshake-auth needs --verify-client optional or required');
  const json = args.flags.has('json');
  const www = args.flags.has('www');
  const noTicket = args.flags.has('no_ticket');
  const ticketKeysFile = stringFlag(args, 'ticket-keys');
  if (noTicket && ticketKeysFile !== undefined) throw new UsageError('--no_ticket and --ticket-keys exclude each other');
  const earlyData = args.flags.has('early_data');
  if (noTicket && earlyData) throw new UsageError('--early_data needs session tickets: it cannot go with --no_ticket');
  const log = (record: object, text: string) => output.err(json ? `${JSON.stringify(record)}\n` : `${text}\n`);

  let server: SecureServer | undefined;
  let keylogClose: (() => void) | undefined;
  /** How to drop each open connection at shutdown (cancelling its readable closes the socket). */
  const open = new Set<() => void>();
  /** The peers of the open connections whose client has sent its close_notify. */
  const closedByClient = new Set<string>();
  try {
    const { context, keylog } = buildContext('server', args, certs, env.env, {
      sessionTickets: !noTicket,
      maxEarlyData: earlyData ? EARLY_DATA_LIMIT : 0,
    });
    keylogClose = () => keylog?.close();
    if (ticketKeysFile !== undefined) context.setTicketKeys(readTicketKeys(ticketKeysFile));
    context.verifyMode = verifyClient as VerifyMode;
    // The client's SNI, as the engine's callback reports it; the page and the log show it.
    const sniOf = new WeakMap<TLSConnection, string | undefined>();
    context.setServernameCallback((connection, serverName) => {
      sniOf.set(connection, serverName);
    });

    // Handshake failures and every later fatal error of a connection arrive here, once per connection.
    const onError = (error: unknown, transport: TransportInfo | undefined) => {
      const peer = peerOf(transport);
      // The reset of a client that sent close_notify and dropped its socket: serveConnection logs the end it is.
      if (peer !== undefined && closedByClient.has(peer) && isReset(error)) return;
      const record = errorRecord(error, peer === undefined ? {} : { peer });
      log(record, `${peer ?? '?'}: ${describeFailure(record)}`);
    };
    server = createServer({ context, onError }, (stream) => {
      const peer = peerOf(stream.info().transport) ?? '?';
      void serveConnection(stream, { www, postHandshakeAuth, peer, sniOf, log, open, closedByClient });
    });
    const address = await server.listen(port, host);
    env.out(`ACCEPT ${formatHostPort(address.address, address.port)}\n`);
  } catch (error) {
    keylogClose?.();
    if (error instanceof UsageError) throw error;
    const record = errorRecord(error);
    log(record, describeFailure(record));
    return 1;
  }

  // Runs until told to stop; a stop is a normal end (exit code 0), like s_server's.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (name: NodeJS.Signals) => resolve(name);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (!json) output.err(`${signal}: shutting down\n`);
  const closing = server.close();
  for (const drop of open) drop();
  await closing.catch(() => {});
  keylogClose();
  return 0;
}

/**
 * A connection reset (EPIPE when we write, ECONNRESET when we read). After the client's close_notify it is how a
 * client that closes and leaves at once ends: OpenSSL's s_client, or Node's tls after `end()`, close the socket without
 * reading what is still on its way (our echo, our close_notify), and the unread bytes make its kernel send a reset.
 */
function isReset(error: unknown): boolean {
  if (!SysCallError.isInstance(error)) return false;
  const code = errorCode(error);
  return code === 'EPIPE' || code === 'ECONNRESET';
}

function peerOf(transport: TransportInfo | undefined): string | undefined {
  if (transport?.remoteAddress === undefined) return undefined;
  return formatHostPort(transport.remoteAddress, transport.remotePort ?? 0);
}

interface ConnectionOptions {
  readonly www: boolean;
  /** Ask for the client's certificate as soon as the connection is up (RFC 8446 §4.6.2), when it offered that. */
  readonly postHandshakeAuth: boolean;
  readonly peer: string;
  readonly sniOf: WeakMap<TLSConnection, string | undefined>;
  readonly log: (record: object, text: string) => void;
  readonly open: Set<() => void>;
  readonly closedByClient: Set<string>;
}

/**
 * Serves one established connection to its end and logs it. A TLS or transport failure is logged by the server's
 * onError (it rejects the stream's `closed`), except a reset after the client's close_notify, which is the normal end
 * of a client that closes and leaves at once, and is logged here as a served connection. A failure of our own (an
 * oversized request) is logged here too.
 */
async function serveConnection(stream: SecureStream, options: ConnectionOptions): Promise<void> {
  const counters: Counters = { bytesIn: 0, bytesOut: 0 };
  const { peer, log, closedByClient } = options;
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  // Noted as soon as the read settles (before a failure that follows it reaches onError), not when we get to it.
  const read: Read = () =>
    reader.read().then((result) => {
      if (result.done) closedByClient.add(peer);
      return result;
    });
  const drop = () => void reader.cancel().catch(() => {});
  options.open.add(drop);
  const sni = options.sniOf.get(stream.connection) ?? null;
  try {
    // The request goes out with the driver's next output (its first read); the answer arrives with the client's data.
    if (options.postHandshakeAuth && stream.connection.version() === 'TLSv1.3') requestClientCertificate(stream.connection);
    // Accepted 0-RTT data comes first, served like the rest of the client's bytes.
    const early = await takeEarlyData(stream, counters);
    if (options.www) await serveWww(stream, read, writer, counters, sni, early);
    else await echo(read, writer, counters, early);
    // The client's close_notify arrived (the reader is done) and ours is out: the transport closes now.
    await stream.closed;
    const record: ConnectionRecord = connectionRecord(stream.connection, counters, { sni, peer });
    log(record, describeServed(record));
  } catch (error) {
    if (closedByClient.has(peer) && isReset(error)) {
      // onError has been told (it skipped this one) once `closed` has settled; then the entry can go.
      await stream.closed.catch(() => {});
      const record: ConnectionRecord = connectionRecord(stream.connection, counters, { sni, peer });
      log(record, describeServed(record));
      return;
    }
    if (!(error instanceof CliError)) return; // the stream failed: onError has it
    // Our own reason to give up: drop the connection (no close_notify: the exchange did not complete).
    await reader.cancel(error).catch(() => {});
    const record = errorRecord(error, { peer, bytes_in: counters.bytesIn, bytes_out: counters.bytesOut });
    log(record, `${peer}: ${describeFailure(record)}`);
  } finally {
    options.open.delete(drop);
    closedByClient.delete(peer);
  }
}

/** verifyClientPostHandshake(), unless the client did not offer post_handshake_auth (it stays unauthenticated). */
function requestClientCertificate(connection: TLSConnection): void {
  try {
    connection.verifyClientPostHandshake();
  } catch (error) {
    if (!InvalidArgumentError.isInstance(error)) throw error;
  }
}

/** The connection's reader.read(), noting the client's close_notify. */
type Read = ReadableStreamDefaultReader<Uint8Array>['read'];
type Writer = WritableStreamDefaultWriter<Uint8Array>;

/** The client's accepted 0-RTT data, every chunk of it (none when it sent none or it was rejected). */
async function takeEarlyData(stream: SecureStream, counters: Counters): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  if (stream.connection.earlyDataStatus !== 'accepted') return chunks;
  for (let chunk = await stream.readEarlyData(); chunk.length > 0; chunk = await stream.readEarlyData()) {
    counters.bytesIn += chunk.length;
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * Sends back every byte (the early ones first) until the client's close_notify, then closes our side. Reads one chunk
 * ahead of the write in progress, so that a close_notify right behind the data is seen even when the echo can no
 * longer be delivered (the client left at once).
 */
async function echo(read: Read, writer: Writer, counters: Counters, early: readonly Uint8Array[]): Promise<void> {
  for (const chunk of early) {
    await writer.write(chunk);
    counters.bytesOut += chunk.length;
  }
  let next = read();
  for (let result = await next; !result.done; result = await next) {
    next = read();
    // When the write below fails, the connection has failed as a whole: that error is the one reported.
    next.catch(() => {});
    counters.bytesIn += result.value.length;
    await writer.write(result.value);
    counters.bytesOut += result.value.length;
  }
  await writer.close();
}

/**
 * Reads the request head (over as many records as it takes), answers with the page, then closes with
 * close_notify. Whatever the client still sends is read (and dropped) meanwhile, until its own close_notify: a client
 * that closes right after its request and leaves is seen to have closed, even when the page can no longer reach it.
 * `GET /keyupdate` sends a KeyUpdate asking for the client's first.
 * @throws CliError `REQUEST_TOO_LARGE` for a head over 16 KiB.
 */
async function serveWww(
  stream: SecureStream,
  read: Read,
  writer: Writer,
  counters: Counters,
  sni: string | null,
  early: readonly Uint8Array[],
): Promise<void> {
  const head = new RequestHead();
  let request: { method: string; path: string } | undefined;
  let ended = false;
  for (const chunk of early) {
    const result = head.push(chunk);
    if (result.kind === 'too-large') throw new CliError('REQUEST_TOO_LARGE', `the HTTP request head exceeds ${MAX_REQUEST_HEAD} bytes`);
    if (result.kind === 'complete') request ??= result;
  }
  while (request === undefined) {
    const { done, value } = await read();
    if (done) {
      ended = true; // the client closed before finishing its request: nothing to answer
      break;
    }
    counters.bytesIn += value.length;
    const result = head.push(value);
    if (result.kind === 'too-large') throw new CliError('REQUEST_TOO_LARGE', `the HTTP request head exceeds ${MAX_REQUEST_HEAD} bytes`);
    if (result.kind === 'complete') request = result;
  }
  const rest = ended ? Promise.resolve() : dropUntilClose(read);
  // When answering fails, the connection has failed as a whole: that error is the one reported.
  rest.catch(() => {});
  if (request !== undefined) {
    const connection = stream.connection;
    const keyUpdate = request.method === 'GET' && request.path === '/keyupdate';
    // The driver has no KeyUpdate call of its own: the engine queues the record in the outgoing BIO, and the
    // driver sends it, in order, ahead of the page's records when it takes the write's output.
    if (keyUpdate) connection.keyUpdate({ requestPeer: true });
    const page = new TextEncoder().encode(
      wwwResponse({
        version: connection.version(),
        cipher: connection.cipher()?.[0] ?? null,
        group: connection.group(),
        alpn: connection.selectedAlpnProtocol(),
        sni,
        helloRetry: connection.helloRetried,
        peerSubject: subjectOf(connection.getPeerCertificate({ binary: true })),
        keyUpdate,
        request: `${request.method} ${request.path}`,
      }),
    );
    await writer.write(page);
    counters.bytesOut += page.length;
  }
  await writer.close();
  await rest;
}

async function dropUntilClose(read: Read): Promise<void> {
  while (!(await read()).done);
}

function describeServed(record: ConnectionRecord): string {
  return [
    `${record.peer}: ${record.version} ${record.cipher} ${record.group}${record.hello_retry ? ' (HRR)' : ''}${record.resumed ? ' resumed' : ''}`,
    ...(record.early_data === 'not_sent' ? [] : [`early_data=${record.early_data}`]),
    `alpn=${record.alpn ?? '-'} sni=${record.sni ?? '-'} client=${record.peer_subject ?? '-'}`,
    `in=${record.bytes_in} out=${record.bytes_out} closed cleanly`,
  ].join(' ');
}
