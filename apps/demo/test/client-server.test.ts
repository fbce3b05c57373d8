// `tlsbio client` against `tlsbio server`, both as built (`node dist/cli.js`), over loopback TCP: echo, --www,
// the --json output, exit codes and failures. Build first (`pnpm build`; the repository's test command does).
import { connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, assertBuilt, jsonLines, killAll, patternBytes, pki, runWithInput, startOurServer, tlsbio } from './interop-harness.js';

const CLIENT_KEYS = ['version', 'cipher', 'group', 'alpn', 'peer_subject', 'verify', 'resumed', 'early_data', 'bytes_in', 'bytes_out'];
const SERVER_CERT = ['--cert', pki('server-ecdsa-chain.pem'), '--key', pki('server-ecdsa.key')];
const TRUST = ['--CAfile', pki('ca.pem')];

let tmp: string;
beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-cs-'));
});
afterEach(killAll);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function client(port: number, args: readonly string[], env?: NodeJS.ProcessEnv): Proc {
  return tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', ...args], env === undefined ? {} : { env });
}

/** The single JSON object of a `--json` client run. */
function record(proc: Proc): Record<string, unknown> {
  const lines = jsonLines(proc.stderr);
  expect(lines, proc.describe()).toHaveLength(1);
  return lines[0]!;
}

describe('echo server', () => {
  it('returns every byte, sends close_notify after the client has, and reports one JSON object per side', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const input = patternBytes(300_000, 7);
    const proc = await runWithInput(client(port, [...TRUST, '--json']), input);

    expect(proc.exit, proc.describe()).toEqual({ code: 0, signal: null });
    expect(proc.stdout.equals(input)).toBe(true);
    const summary = record(proc);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(CLIENT_KEYS));
    expect(summary).toMatchObject({
      version: 'TLSv1.3',
      cipher: 'TLS_AES_128_GCM_SHA256',
      group: 'x25519',
      alpn: null,
      verify: 'ok',
      resumed: false,
      early_data: 'not_sent',
      bytes_in: input.length,
      bytes_out: input.length,
    });
    expect(summary.peer_subject).toMatch(/CN=localhost/);

    // The server's own line arrives once the connection closed cleanly on both sides.
    await server.waitFor(/"bytes_in":300000/, { stream: 'stderr' });
    const [logged] = jsonLines(server.stderr);
    expect(logged).toMatchObject({ version: 'TLSv1.3', sni: 'localhost', bytes_in: 300_000, bytes_out: 300_000, verify: 'none' });
    expect(server.stdoutText).toMatch(/^ACCEPT 127\.0\.0\.1:\d+\n$/);
  });

  it('negotiates what both sides were told: suite, group (OpenSSL spelling), ALPN', async () => {
    const { port } = await startOurServer([...SERVER_CERT, '--alpn', 'http/1.1,h2', '--groups', 'secp384r1:X25519']);
    const proc = await runWithInput(
      client(port, [...TRUST, '--json', '--alpn', 'h2,http/1.1', '--ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '--groups', 'P-384']),
      'ping\n',
    );
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toBe('ping\n');
    // The server prefers its own ALPN order (http/1.1 first), as OpenSSL's and Go's servers do.
    expect(record(proc)).toMatchObject({ cipher: 'TLS_CHACHA20_POLY1305_SHA256', group: 'secp384r1', alpn: 'http/1.1', hello_retry: false });
  });

  it('goes through a HelloRetryRequest when the client shares a group the server does not take', async () => {
    const { port } = await startOurServer([...SERVER_CERT, '--groups', 'P-256']);
    const proc = await runWithInput(client(port, [...TRUST, '--json', '--groups', 'X25519:P-256']), 'hrr\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toBe('hrr\n');
    expect(record(proc)).toMatchObject({ group: 'secp256r1', hello_retry: true });
  });

  it('serves several clients at once', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const inputs = [1, 2, 3, 4, 5].map((seed) => patternBytes(50_000 + seed * 1000, seed));
    const clients = inputs.map(() => client(port, [...TRUST, '--json']));
    // Every client is connected before any finishes: the server holds five connections at once.
    for (const proc of clients) proc.write(inputs[clients.indexOf(proc)]!.subarray(0, 1000));
    await Promise.all(clients.map((proc) => proc.waitForLength(1000)));
    await Promise.all(clients.map((proc, i) => runWithInput(proc, inputs[i]!.subarray(1000))));
    for (const [i, proc] of clients.entries()) {
      expect(proc.exit?.code, proc.describe()).toBe(0);
      expect(proc.stdout.equals(inputs[i]!)).toBe(true);
    }
    await server.waitFor(/(?:"bytes_out"[^\n]*\n[^\n]*){5}/, { stream: 'stderr' });
    expect(jsonLines(server.stderr).map((line) => line.bytes_in).sort()).toEqual(inputs.map((input) => input.length).sort());
  });

  it('logs a failed connection and goes on serving', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    // Not TLS at all: the server must log it and stay up.
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => socket.end('GET / HTTP/1.0\r\n\r\n'));
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    await server.waitFor(/"error"/, { stream: 'stderr' });
    const [failure] = jsonLines(server.stderr);
    expect(failure).toMatchObject({ code: expect.any(String), error: expect.any(String), peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

    const proc = await runWithInput(client(port, [...TRUST, '--json']), 'still here\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toBe('still here\n');
  });
});

describe('--www', () => {
  it('answers a GET with a page of the negotiated parameters and closes', async () => {
    const { port } = await startOurServer([...SERVER_CERT, '--www', '--alpn', 'http/1.1']);
    const proc = await runWithInput(client(port, [...TRUST, '--json', '--alpn', 'http/1.1', '--groups', 'P-256']), 'GET / HTTP/1.0\r\n\r\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    const page = proc.stdoutText;
    expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    expect(page).toContain('Protocol: TLSv1.3');
    expect(page).toContain('Cipher: TLS_AES_128_GCM_SHA256');
    expect(page).toContain('Group: secp256r1');
    expect(page).toContain('ALPN: http/1.1');
    expect(page).toContain('SNI: localhost');
    expect(page).not.toContain('KeyUpdate');
    expect(record(proc)).toMatchObject({ bytes_in: page.length, bytes_out: 18 });
  });

  it('reads a request that arrives over many records, and answers once its blank line is in', async () => {
    const { port } = await startOurServer([...SERVER_CERT, '--www']);
    const proc = client(port, [...TRUST, '--json']);
    // Each stdin write becomes its own record; the server must not answer before the last one.
    for (const piece of ['GET /', 'split HT', 'TP/1.0\r', '\nHost: x\r\n', '\r']) {
      proc.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(proc.stdout.length).toBe(0);
    proc.write('\n');
    // The server closes after its page: the client ends too, although its stdin is still open.
    await proc.exited;
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    expect(proc.stdoutText).toContain('GET /split');
  });

  it('GET /keyupdate sends a KeyUpdate (update_requested) before the page; the client follows it', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--www', '--json']);
    const proc = await runWithInput(client(port, [...TRUST, '--json']), 'GET /keyupdate HTTP/1.0\r\n\r\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toContain('KeyUpdate: sent, update_requested');
    expect(proc.stdoutText).toContain('Protocol: TLSv1.3');
    // The client's answering KeyUpdate and close_notify were read under the new keys: the server closed cleanly.
    await server.waitFor(/"bytes_out"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ version: 'TLSv1.3' });
  });
});

describe('failures and exit codes', () => {
  it('a server certificate from another CA: exit 1, CERTIFICATE_VERIFY_FAILED in the JSON error', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const proc = await runWithInput(client(port, ['--CAfile', pki('other-ca.pem'), '--json']), 'x');
    expect(proc.exit?.code, proc.describe()).toBe(1);
    expect(proc.stdout.length).toBe(0);
    const failure = record(proc);
    expect(failure).toMatchObject({ code: 'ERR_TLS_CERT_VERIFICATION', reason: 'CERTIFICATE_VERIFY_FAILED', alert_direction: 'sent' });
    expect(failure.error).toMatch(/certificate verify failed/);
    // The server saw the client's alert, logged it, and serves the next client.
    await server.waitFor(/"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ code: 'ERR_TLS_ALERT', alert_direction: 'received' });
    const next = await runWithInput(client(port, [...TRUST, '--json']), 'ok\n');
    expect(next.exit?.code, next.describe()).toBe(0);
  });

  it('a name the certificate does not have: exit 1 with the verification error', async () => {
    const { port } = await startOurServer(SERVER_CERT);
    const proc = await runWithInput(
      tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'not-the-server.example', ...TRUST, '--json']),
      'x',
    );
    expect(proc.exit?.code, proc.describe()).toBe(1);
    expect(record(proc)).toMatchObject({ code: 'ERR_TLS_CERT_VERIFICATION', reason: 'CERTIFICATE_VERIFY_FAILED' });
  });

  it('without --CAfile the bundled public roots are used, and they do not trust the test CA', async () => {
    const { port } = await startOurServer(SERVER_CERT);
    const proc = await runWithInput(client(port, ['--json']), 'x');
    expect(proc.exit?.code, proc.describe()).toBe(1);
    expect(record(proc)).toMatchObject({ code: 'ERR_TLS_CERT_VERIFICATION', verify_message: 'unable to get local issuer certificate' });
  });

  it('--insecure connects to an untrusted server and reports verify "skipped"', async () => {
    const { port } = await startOurServer(SERVER_CERT);
    const proc = await runWithInput(client(port, ['--insecure', '--json']), 'x\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(record(proc)).toMatchObject({ verify: 'skipped', peer_subject: expect.stringContaining('CN=localhost') });
  });

  it('the IP address is checked against the certificate when no --servername is given', async () => {
    const { port } = await startOurServer(SERVER_CERT);
    const proc = await runWithInput(tlsbio(['client', '--connect', `127.0.0.1:${port}`, ...TRUST, '--json']), 'ip\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(record(proc)).toMatchObject({ verify: 'ok' });
  });

  it('--noservername: no SNI, the chain still verified', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const proc = await runWithInput(tlsbio(['client', '--connect', `localhost:${port}`, '--noservername', ...TRUST, '--json']), 'nosni\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(record(proc)).toMatchObject({ verify: 'ok' });
    await server.waitFor(/"bytes_out"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ sni: null });
  });

  it('SIGTERM stops the server at once, open connections included (exit 0); their clients fail with a code', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const proc = client(port, [...TRUST, '--json']);
    proc.write('open\n');
    await proc.waitFor(/^open$/m);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    await proc.exited;
    expect(proc.exit?.code).toBe(1);
    // The connection was dropped without close_notify: a truncation, not a clean end.
    expect(record(proc)).toMatchObject({ code: 'ERR_TLS_EOF' });
  });

  it('a refused connection: exit 1 with ECONNREFUSED', async () => {
    // Bind and release a port so that nothing listens on it.
    const { proc: server, port } = await startOurServer(SERVER_CERT);
    await server.stop();
    const proc = await runWithInput(client(port, [...TRUST, '--json']), '');
    expect(proc.exit?.code).toBe(1);
    expect(record(proc)).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('--tls1_2 on both sides: a TLS 1.2 echo; --tls1_2 against a --tls1_3 server fails with protocol_version', async () => {
    const { port } = await startOurServer([...SERVER_CERT, '--tls1_2', '--json']);
    const input = patternBytes(100_000, 5);
    const proc = await runWithInput(client(port, [...TRUST, '--tls1_2', '--json', '--ciphersuites', 'ECDHE-ECDSA-CHACHA20-POLY1305']), input);
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdout.equals(input)).toBe(true);
    expect(record(proc)).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305', group: 'x25519', verify: 'ok' });
    const { port: port13 } = await startOurServer([...SERVER_CERT, '--tls1_3']);
    const refused = await runWithInput(client(port13, [...TRUST, '--tls1_2', '--json']), '');
    expect(refused.exit?.code, refused.describe()).toBe(1);
    expect(record(refused)).toMatchObject({ code: 'ERR_TLS_ALERT', alert: 'protocol_version', alert_direction: 'received' });
  });

  it('misuse exits 2: missing --connect, unknown group, contradictory flags', async () => {
    const cases: string[][] = [
      ['client'],
      ['client', '--connect', 'localhost'],
      ['client', '--connect', '127.0.0.1:1', '--groups', 'P-521', ...TRUST],
      ['client', '--connect', '127.0.0.1:1', '--servername', 'a', '--noservername', ...TRUST],
      ['client', '--connect', '127.0.0.1:1', '--cert', pki('client.pem'), ...TRUST],
      ['server', '--accept', '0'],
      ['server', '--accept', '0', ...SERVER_CERT, '--verify-client', 'sometimes'],
    ];
    const procs = await Promise.all(cases.map((args) => runWithInput(tlsbio(args), '')));
    for (const proc of procs) {
      expect(proc.exit?.code, proc.describe()).toBe(2);
      expect(proc.stderr).toMatch(/^tlsbio: /);
    }
    expect(procs[2]!.stderr).toContain("unknown group 'P-521'");
  });
});

describe('human output and key log', () => {
  it('without --json: the handshake summary on stderr, data alone on stdout', async () => {
    const { port } = await startOurServer(SERVER_CERT);
    const proc = await runWithInput(client(port, TRUST), 'plain\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toBe('plain\n');
    expect(proc.stderr).toMatch(/^CONNECTED 127\.0\.0\.1:\d+$/m);
    expect(proc.stderr).toMatch(/^Protocol {2}: TLSv1\.3$/m);
    expect(proc.stderr).toMatch(/^Cipher {4}: TLS_AES_128_GCM_SHA256$/m);
    expect(proc.stderr).toMatch(/^DONE: 6 bytes sent, 6 bytes received, closed cleanly$/m);
  });

  it('--keylogfile, or SSLKEYLOGFILE without it, receives the NSS key log of both sides', async () => {
    const serverLog = join(tmp, 'server.keys');
    const clientLog = join(tmp, 'client.keys');
    const { port } = await startOurServer([...SERVER_CERT, '--keylogfile', serverLog]);
    const proc = await runWithInput(client(port, TRUST, { ...process.env, SSLKEYLOGFILE: clientLog }), 'k\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    const parse = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => line.split(' '));
    const clientLines = parse(clientLog);
    const labels = clientLines.map(([label]) => label).sort();
    expect(labels).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
    for (const [, random, secret] of clientLines) {
      expect(random).toMatch(/^[0-9a-f]{64}$/);
      expect(random).toBe(clientLines[0]![1]);
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
    }
    // The server logs the same secrets for the same client random.
    await expect.poll(() => parse(serverLog).length).toBe(clientLines.length);
    expect(parse(serverLog).map((line) => line.join(' ')).sort()).toEqual(clientLines.map((line) => line.join(' ')).sort());
    expect(statSync(clientLog).mode & 0o077).toBe(0);
  });
});
