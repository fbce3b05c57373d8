// `tlsbio client`: openssl s_client's everyday use. stdin goes to the peer, the peer's data to stdout, the
// handshake summary to stderr. At the end of stdin we send close_notify and keep reading until the peer's own
// (TLS 1.3 half-close, RFC 8446 §6.1), so a request piped in gets its whole answer and an echo every byte.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { type SecureStream, type TLSContext, TLSSession, secure } from '@tlsbio/core';
import { connect, connectTcp } from '@tlsbio/transport-net';
import { type ParsedArgs, UsageError } from '../args.js';
import {
  COMMON_TLS_FLAGS,
  CliError,
  buildContext,
  certKeyFlags,
  fileError,
  formatHostPort,
  parseHostPort,
  readUserBytes,
  stringFlag,
  type KeylogSink,
} from '../tls/options.js';
import {
  connectionRecord,
  describeConnection,
  describeFailure,
  errorRecord,
  type Counters,
} from '../tls/summary.js';
import type { Command, Output } from './command.js';

/** The process streams the client moves data between; tests of the parts may pass others. */
export interface ClientStdio {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly env: NodeJS.ProcessEnv;
}

export const clientCommand: Command = {
  name: 'client',
  summary: 'connect to a TLS server, like openssl s_client: stdin to the peer, its data to stdout',
  usage: [
    'tlsbio client --connect HOST:PORT [--servername NAME | --noservername] [--CAfile F] [--insecure]',
    '                     [--cert F --key F] [--alpn a,b] [--tls1_3 | --tls1_2] [--ciphersuites LIST]',
    '                     [--groups X25519:P-256:...] [--keylogfile F] [--json]',
    '                     [--sess_out F] [--sess_in F] [--reconnect [N]] [--early_data F]',
  ].join('\n'),
  flags: [
    { name: 'connect', value: true, description: 'the server to connect to, HOST:PORT ([::1]:PORT for IPv6)' },
    { name: 'servername', value: true, description: 'the name sent as SNI and checked in the certificate (default: HOST)' },
    { name: 'noservername', description: 'send no SNI and check no name (the chain is still verified)' },
    { name: 'insecure', description: 'do not verify the server certificate (testing only)' },
    { name: 'cert', value: true, description: 'PEM certificate chain to present when the server asks for one' },
    { name: 'key', value: true, description: 'the private key of --cert (PEM)' },
    { name: 'sess_out', value: true, description: 'save the newest session the server gave (to resume it later with --sess_in)' },
    { name: 'sess_in', value: true, description: 'resume the session saved in this file (made with the same flags and server name)' },
    {
      name: 'reconnect',
      optionalCount: true,
      description: 'after the first connection, connect N more times (default 1) resuming its session, sending the same stdin',
    },
    { name: 'early_data', value: true, description: "with --sess_in or --reconnect: send this file's bytes as 0-RTT data on resumed connections" },
    ...COMMON_TLS_FLAGS,
  ],
  run: (args, output) => runClient(args, output, { stdin: process.stdin, stdout: process.stdout, env: process.env }),
};

/**
 * Runs one client connection to its end. Resolves to 0 after a clean close (both close_notify), 1 on any failure
 * (its code printed on stderr, as a JSON object with `--json`).
 * @throws UsageError for missing or contradictory flags.
 */
export async function runClient(args: ParsedArgs, output: Output, stdio: ClientStdio): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`'client' takes no arguments (got '${args.positionals[0]}')`);
  const connectTo = stringFlag(args, 'connect');
  if (connectTo === undefined) throw new UsageError('--connect HOST:PORT is required');
  const { host, port } = parseHostPort('connect', connectTo);
  const servernameFlag = stringFlag(args, 'servername');
  const noServername = args.flags.has('noservername');
  if (servernameFlag !== undefined && noServername) throw new UsageError('--servername and --noservername exclude each other');
  const insecure = args.flags.has('insecure');
  const json = args.flags.has('json');
  const reconnects = reconnectCount(args);
  const sessIn = stringFlag(args, 'sess_in');
  const sessOut = stringFlag(args, 'sess_out');
  const earlyDataFile = stringFlag(args, 'early_data');
  if (earlyDataFile !== undefined && sessIn === undefined && reconnects === 0) {
    throw new UsageError('--early_data needs a session to send it under: --sess_in F or --reconnect');
  }
  const remoteHost = host ?? 'localhost';
  // Like s_client: the host we connect to is the name we ask for, unless told otherwise. (The engine sends no SNI
  // for an IP address, RFC 6066 §3, but checks the address against the certificate's IP names.)
  const serverName = noServername ? undefined : (servernameFlag ?? remoteHost);

  const report = (record: object, text: string) => output.err(json ? `${JSON.stringify(record)}\n` : `${text}\n`);

  let keylog: KeylogSink | undefined;
  try {
    const built = buildContext('client', args, certKeyFlags(args, ['']), stdio.env);
    keylog = built.keylog;
    const { context } = built;
    context.verifyMode = insecure ? 'none' : 'required';
    context.checkHostname = !insecure && serverName !== undefined;
    // Like s_client's default store: without --CAfile, the roots Node ships (Mozilla's).
    if (!insecure && !args.flags.has('CAfile')) loadBundledRoots(context);
    let session = sessIn === undefined ? undefined : readSession(sessIn);
    const earlyData = earlyDataFile === undefined ? undefined : readUserBytes('early_data', earlyDataFile);

    // With --reconnect every connection sends the same bytes, so stdin is read to its end first.
    const input = reconnects > 0 ? await readAll(stdio.stdin) : undefined;
    for (let attempt = 0; attempt <= reconnects; attempt++) {
      if (!json && attempt > 0) output.err(`--- reconnect ${attempt} of ${reconnects}\n`);
      const stdin = input === undefined ? stdio.stdin : Readable.from(input.length === 0 ? [] : [input]);
      const outcome = await runConnection({ remoteHost, port, serverName, context, session, earlyData, json, output, report }, { ...stdio, stdin });
      if (outcome.session !== undefined) session = outcome.session;
      if (!outcome.ok) return 1;
    }
    if (sessOut !== undefined) saveSession(sessOut, session, json ? undefined : output);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const record = errorRecord(error);
    report(record, describeFailure(record));
    return 1;
  } finally {
    keylog?.close();
    // Whatever happened, stop reading stdin so the process can exit.
    stdio.stdin.destroy();
  }
}

interface Attempt {
  readonly remoteHost: string;
  readonly port: number;
  readonly serverName: string | undefined;
  readonly context: TLSContext;
  /** The session to resume, and the 0-RTT data to send under it (only with a session). */
  readonly session: TLSSession | undefined;
  readonly earlyData: Uint8Array | undefined;
  readonly json: boolean;
  readonly output: Output;
  readonly report: (record: object, text: string) => void;
}

/** One connection to its end, reported. Resolves with whether it closed cleanly and the newest session it gave. */
async function runConnection(attempt: Attempt, stdio: ClientStdio): Promise<{ ok: boolean; session: TLSSession | undefined }> {
  const { output, report } = attempt;
  const counters: Counters = { bytesIn: 0, bytesOut: 0 };
  let stream: SecureStream | undefined;
  try {
    stream = await open(attempt);
    counters.bytesOut += earlyBytesSent(stream, attempt);
    if (!attempt.json) {
      output.err(`CONNECTED ${formatHostPort(attempt.remoteHost, attempt.port)}\n`);
      output.err(`---\n${describeConnection(connectionRecord(stream.connection, counters))}\n---\n`);
    }
    await pump(stream, stdio, counters);
    await stream.closed;
    const record = connectionRecord(stream.connection, counters);
    report(record, `DONE: ${counters.bytesOut} bytes sent, ${counters.bytesIn} bytes received, closed cleanly`);
    return { ok: true, session: stream.info().session };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const record = errorRecord(error, stream === undefined ? {} : { bytes_in: counters.bytesIn, bytes_out: counters.bytesOut });
    report(record, describeFailure(record));
    return { ok: false, session: undefined };
  } finally {
    stdio.stdin.destroy();
  }
}

/**
 * The bytes of `--early_data` that reached the server by the end of the handshake: all of them when it took them as
 * 0-RTT data or the driver sent them again after the handshake (a rejection, or a ticket without early data), none
 * when they were dropped (a rejection under another ALPN protocol).
 */
function earlyBytesSent(stream: SecureStream, attempt: Attempt): number {
  if (attempt.session === undefined || attempt.earlyData === undefined) return 0;
  const info = stream.info();
  return info.earlyData === 'accepted' || info.earlyDataResent ? attempt.earlyData.length : 0;
}

/** `--reconnect` alone is one more connection; `--reconnect N`, N more (0 when the flag is absent). */
function reconnectCount(args: ParsedArgs): number {
  const value = args.flags.get('reconnect');
  if (value === undefined) return 0;
  if (value === true) return 1;
  const count = Number(value);
  if (!(Number.isSafeInteger(count) && count >= 1 && count <= 1000)) throw new UsageError(`--reconnect takes 1 to 1000, got '${value}'`);
  return count;
}

/** The session `--sess_out` saved. @throws CliError with the library's reason for a file that is not one. */
function readSession(path: string): TLSSession {
  const bytes = readUserBytes('sess_in', path);
  try {
    return TLSSession.fromBytes(bytes);
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    throw new CliError(typeof reason === 'string' ? reason : 'BAD_SESSION', `--sess_in ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Writes the newest session to `path` (its secret included: the file is created readable by its owner only). A server
 * that gave none (`--no_ticket`) leaves no file, said on stderr unless the output is JSON.
 */
function saveSession(path: string, session: TLSSession | undefined, output: Output | undefined): void {
  if (session === undefined) {
    output?.err(`--sess_out ${path}: the server gave no session to save\n`);
    return;
  }
  try {
    writeFileSync(path, session.toBytes(), { mode: 0o600 });
  } catch (error) {
    throw fileError('--sess_out', path, error);
  }
}

/** Everything stdin holds, for --reconnect to send it again on every connection. */
async function readAll(stdin: Readable): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stdin as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * TCP connect and handshake. `connect()` always sends SNI (its `servername` defaults to the host), so
 * `--noservername` drives the same two steps itself.
 * @throws what the connection attempt or the handshake throws.
 */
async function open(attempt: Attempt): Promise<SecureStream> {
  const { remoteHost: host, port, serverName, context, session } = attempt;
  const resumption = session === undefined ? {} : { session, ...(attempt.earlyData === undefined ? {} : { earlyData: attempt.earlyData }) };
  if (serverName !== undefined) return connect({ host, port, servername: serverName, context, ...resumption });
  const stream = secure(await connectTcp({ host, port }), context, resumption);
  await stream.opened;
  return stream;
}

/** Node's bundled roots, each on its own: one our parser cannot read (a P-521 or DSA root) is skipped, not fatal. */
function loadBundledRoots(context: TLSContext): void {
  for (const pem of rootCertificates) {
    try {
      context.loadVerifyLocations({ cadata: pem });
    } catch {
      // A root with an algorithm we do not implement cannot anchor a chain we could verify anyway.
    }
  }
}

/**
 * Moves stdin to the peer and the peer's data to stdout until both directions are closed. stdin's end sends
 * close_notify; the peer's close_notify ends stdout's copy, and (like s_client) the rest of stdin is dropped.
 * @throws the connection's error, or stdout's.
 */
async function pump(stream: SecureStream, stdio: ClientStdio, counters: Counters): Promise<void> {
  const writer = stream.writable.getWriter();
  let peerClosed = false;
  let closing: Promise<void> | undefined;
  const closeOurSide = () => {
    closing ??= writer.close();
    return closing;
  };

  const upstream = (async () => {
    for await (const chunk of stdio.stdin as AsyncIterable<Uint8Array>) {
      if (peerClosed) break;
      await writer.write(chunk);
      counters.bytesOut += chunk.length;
    }
    if (!peerClosed) await closeOurSide();
  })();

  // stdout going away (`| head`) ends the connection, reported with the system's code, instead of crashing.
  let stdoutFailure: NodeJS.ErrnoException | undefined;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    stdoutFailure ??= error;
  };
  stdio.stdout.on('error', onStdoutError);
  const checkStdout = () => {
    if (stdoutFailure !== undefined) throw new CliError(stdoutFailure.code ?? 'EIO', `stdout: ${stdoutFailure.message}`, { cause: stdoutFailure });
  };

  const downstream = (async () => {
    try {
      for await (const chunk of stream.readable) {
        counters.bytesIn += chunk.length;
        checkStdout();
        if (!stdio.stdout.write(chunk)) await Promise.race([once(stdio.stdout, 'drain'), once(stdio.stdout, 'error')]);
        checkStdout();
      }
    } finally {
      stdio.stdout.off('error', onStdoutError);
      // The peer has said everything, or the connection failed: either way stdin has nowhere to go any more.
      peerClosed = true;
      stdio.stdin.destroy();
    }
    await closeOurSide();
  })();

  // The connection's error wins over the premature-close error of a stdin destroyed above.
  const [up, down] = await Promise.allSettled([upstream, downstream]);
  if (down.status === 'rejected') throw down.reason;
  // Once stdin was destroyed above, its iterator's premature-close error says nothing about the connection.
  if (up.status === 'rejected' && !peerClosed) throw up.reason;
  await closing;
}
