/**
 * Helpers that ask the real OpenSSL 3.0 (the `openssl` command) what it reports, so that the tables in this package
 * are checked against OpenSSL itself rather than against a copy of them.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `openssl` command's version line, or undefined when it is not installed. */
export function opensslVersion(): string | undefined {
  const result = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** True when the `openssl` command is OpenSSL 3.0.x, the version whose tables this package reproduces. */
export const hasOpenSSL30 = /^OpenSSL 3\.0\./.test(opensslVersion() ?? '');

/** The installed OpenSSL headers, when the development package is present (Debian: libssl-dev). */
export function readOpenSSLHeader(name: string): string | undefined {
  try {
    return readFileSync(`/usr/include/openssl/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `openssl verify` run in `cwd`: its output (stdout and stderr together), whether it succeeded or not. */
export function opensslVerify(args: string[], cwd: string): string {
  const result = spawnSync('openssl', ['verify', ...args], { cwd, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

/** OpenSSL's reason strings for packed error codes (`openssl errstr`), in the order given. */
export function opensslErrorStrings(codes: number[]): string[] {
  const hex = codes.map((code) => code.toString(16).toUpperCase().padStart(8, '0'));
  const lines = execFileSync('openssl', ['errstr', ...hex], { encoding: 'utf8' }).trim().split('\n');
  // each line reads error:0A000412:SSL routines::sslv3 alert bad certificate
  return lines.map((line) => line.split(':').slice(4).join(':'));
}

export interface Pki {
  dir: string;
  remove(): void;
}

/**
 * A small PKI of broken and healthy certificates, each made with P-256 keys (fast):
 * - `ca.pem` root; `leaf.pem` for leaf.test, 127.0.0.1 and a@leaf.test, serverAuth;
 * - `client-only.pem` with only clientAuth; `critical.pem` with an unknown critical extension;
 * - `bad-signature.pem` (the leaf with its signature altered);
 * - `not-ca.pem` (an intermediate with CA:FALSE) and `under-not-ca.pem` issued by it.
 */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'tlsbio-errors-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=tlsbio test root', '-days', '30',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.test'], dir);
  const issue = (extensions: string, out: string, ca = 'ca') => {
    writeFileSync(join(dir, `${out}.ext`), extensions);
    openssl(
      ['x509', '-req', '-in', 'leaf.csr', '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial', '7',
        '-days', '30', '-extfile', `${out}.ext`, '-out', `${out}.pem`],
      dir,
    );
  };
  const server = 'subjectAltName=DNS:leaf.test,IP:127.0.0.1,email:a@leaf.test\nextendedKeyUsage=serverAuth\n';
  issue(server, 'leaf');
  issue('subjectAltName=DNS:leaf.test\nextendedKeyUsage=clientAuth\n', 'client-only');
  issue(`${server}1.2.3.4=critical,ASN1:NULL\n`, 'critical');

  // flip the last byte of the signature: the certificate still parses, its signature no longer verifies
  openssl(['x509', '-in', 'leaf.pem', '-outform', 'DER', '-out', 'leaf.der'], dir);
  const der = readFileSync(join(dir, 'leaf.der'));
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  writeFileSync(join(dir, 'bad-signature.der'), der);
  openssl(['x509', '-inform', 'DER', '-in', 'bad-signature.der', '-out', 'bad-signature.pem'], dir);

  openssl(['req', ...ec, '-keyout', 'not-ca.key', '-out', 'not-ca.csr', '-subj', '/CN=not a CA'], dir);
  writeFileSync(join(dir, 'not-ca.ext'), 'basicConstraints=critical,CA:FALSE\n');
  openssl(
    ['x509', '-req', '-in', 'not-ca.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '8', '-days', '30',
      '-extfile', 'not-ca.ext', '-out', 'not-ca.pem'],
    dir,
  );
  issue(server, 'under-not-ca', 'not-ca');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface HandshakeOutcome {
  /** The verify code s_client reported ("Verify return code: N (message)"). */
  verifyCode: number;
  verifyMessage: string;
  /** The alert number s_server reported receiving ("SSL alert number N"), if any. */
  alertReceived: number | undefined;
  /** OpenSSL's reason string for that alert on the server side, e.g. "sslv3 alert bad certificate". */
  alertReason: string | undefined;
}

/**
 * One handshake between `openssl s_server` and `openssl s_client -verify_return_error`: the client rejects the
 * server's chain and sends the alert OpenSSL picks for the verify code, which the server then reports.
 */
export function handshake(cwd: string, serverArgs: string[], clientArgs: string[]): Promise<HandshakeOutcome> {
  return new Promise((resolve, reject) => {
    const server = spawn('openssl', ['s_server', '-accept', '0', '-naccept', '1', ...serverArgs], { cwd });
    let serverOutput = '';
    let clientOutput = '';
    let client: ReturnType<typeof spawn> | undefined;
    let clientClosed = false;
    let serverClosed = false;
    const timer = setTimeout(() => finish(new Error(`handshake timed out:\n${serverOutput}\n${clientOutput}`)), 15_000);
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client?.kill();
      server.kill();
      if (error) return reject(error);
      const verify = /Verify return code: (\d+) \((.*)\)/.exec(clientOutput);
      if (!verify) return reject(new Error(`no verify result from s_client:\n${clientOutput}`));
      const alert = /SSL routines:[a-z0-9_]*:([a-z0-9 ]+):.*SSL alert number (\d+)/.exec(serverOutput);
      resolve({
        verifyCode: Number(verify[1]),
        verifyMessage: verify[2]!,
        alertReceived: alert ? Number(alert[2]) : undefined,
        alertReason: alert?.[1],
      });
    };
    const onServerOutput = (chunk: Buffer) => {
      serverOutput += chunk.toString();
      const accept = /ACCEPT .*:(\d+)/.exec(serverOutput);
      if (accept && !client) {
        client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${accept[1]}`, '-verify_return_error',
          ...clientArgs], { cwd });
        client.stdout!.on('data', (data: Buffer) => (clientOutput += data.toString()));
        client.stderr!.on('data', (data: Buffer) => (clientOutput += data.toString()));
        client.on('error', finish);
        client.on('close', () => {
          clientClosed = true;
          if (serverClosed) finish();
        });
        client.stdin!.end();
      }
    };
    server.stdout.on('data', onServerOutput);
    server.stderr.on('data', onServerOutput);
    server.on('error', finish);
    // -naccept 1: s_server exits by itself once the connection is over, after printing the alert it received
    server.on('close', () => {
      serverClosed = true;
      if (clientClosed) finish();
    });
  });
}
