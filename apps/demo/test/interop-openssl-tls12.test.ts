// TLS 1.2 interop with OpenSSL 3.0: our client against `openssl s_server -tls1_2`, and `openssl s_client -tls1_2`
// against our server, for every suite x group with the certificate type the suite needs; plus version negotiation
// with 1.3-capable OpenSSL, renegotiation refused both ways, and 1 MiB each way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer as tcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CA,
  GROUPS,
  OPENSSL_ECDSA,
  OUR_BOTH,
  type Proc,
  freePort,
  interopFile,
  jsonLines,
  ourClient,
  patternBytes,
  pki,
  runWithInput,
  sha256,
  spawnProc,
  startOpensslServer,
  startOurServer,
  summary,
  testScope,
  waitForListen,
} from './interop-harness.js';

const MiB = 1024 * 1024;
/** The TLS 1.2 suites (OpenSSL names) with the certificate each needs. */
const SUITES12 = [
  { suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', cert: 'ecdsa' },
  { suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', cert: 'ecdsa' },
  { suite: 'ECDHE-ECDSA-CHACHA20-POLY1305', cert: 'ecdsa' },
  { suite: 'ECDHE-RSA-AES128-GCM-SHA256', cert: 'rsa' },
  { suite: 'ECDHE-RSA-AES256-GCM-SHA384', cert: 'rsa' },
  { suite: 'ECDHE-RSA-CHACHA20-POLY1305', cert: 'rsa' },
] as const;
const OPENSSL_CERT = {
  ecdsa: OPENSSL_ECDSA,
  rsa: ['-cert', pki('server-rsa.pem'), '-key', pki('server-rsa.key')],
};

const tmp = interopFile({ tempPrefix: 'tlsbio-openssl12-' });

/**
 * A ClientHello record with the supported_versions extension removed (lengths fixed): what an attacker who wants
 * TLS 1.2 would send on. Parsed by hand (RFC 8446 §4.1.2 layout) so the test does not lean on our own codecs.
 */
function stripSupportedVersions(record: Buffer): Buffer {
  const body = record.subarray(9); // record header (5) + handshake header (4)
  let pos = 2 + 32;
  pos += 1 + body[pos]!; // legacy_session_id
  pos += 2 + body.readUInt16BE(pos); // cipher_suites
  pos += 1 + body[pos]!; // legacy_compression_methods
  const head = body.subarray(0, pos);
  const extensionsEnd = pos + 2 + body.readUInt16BE(pos);
  const kept: Buffer[] = [];
  for (let at = pos + 2; at < extensionsEnd; ) {
    const length = 4 + body.readUInt16BE(at + 2);
    if (body.readUInt16BE(at) !== 43) kept.push(body.subarray(at, at + length));
    at += length;
  }
  const extensions = Buffer.concat(kept);
  const hello = Buffer.concat([head, Buffer.from([extensions.length >> 8, extensions.length & 0xff]), extensions]);
  const message = Buffer.concat([Buffer.from([1, 0, hello.length >> 8, hello.length & 0xff]), hello]);
  return Buffer.concat([Buffer.from([0x16, record[1]!, record[2]!, message.length >> 8, message.length & 0xff]), message]);
}

/** A TCP proxy to `port` that rewrites the client's first record (the ClientHello) with `edit`. */
async function tamperingProxy(port: number, edit: (record: Buffer) => Buffer): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = tcpServer((client) => {
    const upstream = tcpConnect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (!first) return void upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 5 || pending.length < 5 + pending.readUInt16BE(3)) return;
      const length = 5 + pending.readUInt16BE(3);
      first = false;
      upstream.write(Buffer.concat([edit(pending.subarray(0, length)), pending.subarray(length)]));
    });
    upstream.pipe(client);
    for (const socket of [client, upstream]) socket.on('error', () => {}).on('close', () => (client.destroy(), upstream.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe.concurrent('our client against openssl s_server -tls1_2', () => {
  for (const { suite, cert } of SUITES12) {
    for (const group of GROUPS) {
      it(`${suite} over ${group.openssl}, ${cert} certificate`, async ({ onTestFinished }) => {
        const scope = testScope(onTestFinished);
        const { proc: server, port } = await startOpensslServer(['-tls1_2', '-www', '-cipher', suite, '-groups', group.openssl, ...OPENSSL_CERT[cert]], { scope });
        // RFC 8422 §5.1: in TLS 1.2 our supported_groups must also name the ECDSA certificate's curve (P-256).
        const groups = cert === 'ecdsa' && group.openssl !== 'P-256' ? `${group.openssl}:P-256` : group.openssl;
        const client = await runWithInput(ourClient(port, ['--groups', groups], scope), 'GET / HTTP/1.0\r\n\r\n');
        expect(client.exit, `${client.describe()}\n${server.describe()}`).toEqual({ code: 0, signal: null });
        expect(client.stdoutText).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
        expect(client.stdoutText).toContain(`New, TLSv1.2, Cipher is ${suite}`);
        // s_server -www reports the session; extended master secret is on (RFC 7627), as we require.
        expect(client.stdoutText).toMatch(/Extended master secret: yes/);
        expect(summary(client)).toMatchObject({ version: 'TLSv1.2', cipher: suite, group: group.ours, verify: 'ok', peer_subject: expect.stringContaining('CN=localhost') });
      });
    }
  }

  it('a 1.3-capable s_server negotiates TLS 1.3 with our default client, TLS 1.2 with --tls1_2', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    for (const [flags, version] of [[[], 'TLSv1.3'], [['--tls1_2'], 'TLSv1.2']] as const) {
      const { port } = await startOpensslServer(['-www', ...OPENSSL_CERT.ecdsa], { scope });
      const client = await runWithInput(ourClient(port, flags, scope), 'GET / HTTP/1.0\r\n\r\n');
      expect(client.exit?.code, client.describe()).toBe(0);
      expect(summary(client)).toMatchObject({ version });
    }
  });

  it('a TLS 1.2-only s_server with our default (1.2 and 1.3) client: TLS 1.2, no downgrade alarm (no sentinel from a 1.2-only server)', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', '-www', ...OPENSSL_CERT.rsa], { scope });
    const client = await runWithInput(ourClient(port, [], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, client.describe()).toBe(0);
    expect(summary(client)).toMatchObject({ version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
  });

  it('a downgrade: a proxy strips TLS 1.3 from our ClientHello, s_server answers TLS 1.2 with its DOWNGRD sentinel, our client aborts with illegal_parameter', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-www', '-msg', ...OPENSSL_CERT.ecdsa], { scope });
    const proxy = await tamperingProxy(port, stripSupportedVersions);
    onTestFinished(async () => proxy.close());
    const client = await runWithInput(ourClient(proxy.port, [], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(1);
    expect(summary(client)).toMatchObject({ reason: 'TLS13_DOWNGRADE', alert: 'illegal_parameter', alert_direction: 'sent' });
    // s_server did negotiate TLS 1.2 with the stripped hello (the sentinel is OpenSSL's, not a test artefact).
    await server.exited;
    expect(server.stdoutText).toMatch(/^>>> TLS 1\.2, Handshake \[length [0-9a-f]+\], ServerHello$/m);
  });

  it('--tls1_3 against a TLS 1.2-only s_server: protocol_version', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', '-www', ...OPENSSL_CERT.ecdsa], { scope });
    const client = await runWithInput(ourClient(port, ['--tls1_3'], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, client.describe()).toBe(1);
    expect(summary(client)).toMatchObject({ alert: 'protocol_version' });
  });

  it('ALPN in TLS 1.2', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', '-www', '-alpn', 'x-other,http/1.1', ...OPENSSL_CERT.ecdsa], { scope });
    const client = await runWithInput(ourClient(port, ['--alpn', 'h2,http/1.1'], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, client.describe()).toBe(0);
    expect(summary(client)).toMatchObject({ version: 'TLSv1.2', alpn: 'http/1.1' });
  });

  it('client authentication: s_server -Verify 1 gets our --cert, and our CertificateVerify (RFC 5246 §7.4.8) checks out', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-tls1_2', '-www', '-Verify', '1', '-CAfile', CA, ...OPENSSL_CERT.ecdsa], { scope });
    const client = await runWithInput(ourClient(port, ['--cert', pki('client.pem'), '--key', pki('client.key')], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    expect(client.stdoutText).toContain('Client certificate');
    expect(client.stdoutText).toMatch(/Subject: O ?= ?tlsbio, CN ?= ?tlsbio Test Client/);
    expect(summary(client)).toMatchObject({ version: 'TLSv1.2', verify: 'ok' });
  });

  it('client authentication required and no --cert: s_server answers our empty Certificate with handshake_failure', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', '-www', '-Verify', '1', '-CAfile', CA, ...OPENSSL_CERT.ecdsa], { scope });
    const client = await runWithInput(ourClient(port, [], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, client.describe()).toBe(1);
    expect(summary(client)).toMatchObject({ alert: 'handshake_failure', alert_direction: 'received' });
  });

  it('a HelloRequest from s_server (its R command) gets our no_renegotiation warning; OpenSSL then gives up with handshake_failure', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-tls1_2', '-msg', ...OPENSSL_CERT.ecdsa], { scope });
    const client = ourClient(port, [], scope);
    client.write('tfirst\n');
    await server.waitFor(/^tfirst$/m);
    server.write('R\n');
    // RFC 5246 §7.2.2: we decline with a warning. OpenSSL's server treats a declined renegotiation as fatal.
    await server.waitFor(/^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$/m);
    await client.exited;
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(1);
    expect(summary(client)).toMatchObject({ alert: 'handshake_failure', alert_direction: 'received', bytes_out: 7 });
  });

  it('an ECDSA certificate on a curve we did not list (TLS 1.2, RFC 8422 §5.3): OpenSSL finds no usable certificate', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', '-www', ...OPENSSL_CERT.ecdsa], { scope });
    const client = await runWithInput(ourClient(port, ['--groups', 'X25519'], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, client.describe()).toBe(1);
    expect(summary(client)).toMatchObject({ alert: 'handshake_failure', alert_direction: 'received' });
  });

  it('1 MiB from s_server (-WWW file) arrives intact', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const data = patternBytes(MiB, 21);
    const dir = join(tmp(), 'www');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'big.bin'), data);
    const { proc: server, port } = await startOpensslServer(['-tls1_2', '-WWW', ...OPENSSL_CERT.ecdsa], { scope, cwd: dir });
    const client = await runWithInput(ourClient(port, [], scope), 'GET /big.bin HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    const out = client.stdout;
    const bodyStart = out.indexOf('\r\n\r\n') + 4;
    expect(sha256(out.subarray(bodyStart))).toBe(sha256(data));
    expect(summary(client)).toMatchObject({ version: 'TLSv1.2' });
  });

  it('1 MiB to s_server arrives intact', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const data = patternBytes(MiB, 22);
    const port = await freePort();
    const server = spawnProc('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-quiet', '-tls1_2', ...OPENSSL_CERT.rsa], { scope });
    await waitForListen(port);
    const client = await runWithInput(ourClient(port, [], scope), data);
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    await server.exited;
    expect(sha256(server.stdout)).toBe(sha256(data));
    expect(summary(client)).toMatchObject({ version: 'TLSv1.2', bytes_out: MiB });
  });
});

describe.concurrent('openssl s_client -tls1_2 against our server', () => {
  async function sClient(port: number, args: readonly string[], scope: Set<Proc>, line: string): Promise<Proc> {
    const proc = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', CA, '-servername', 'localhost', ...args], { scope });
    proc.write(`${line}\n`);
    // Not anchored at a line start: s_client's session printout (one per NewSessionTicket) goes through a buffered
    // BIO while received data is written at once, so the echo can land inside a hex dump line.
    await proc.waitFor(new RegExp(`${line}$`, 'm'));
    proc.end();
    await proc.exited;
    return proc;
  }

  function expectSession(proc: Proc, suite: string): void {
    const out = proc.stdoutText;
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(out).toContain(`New, TLSv1.2, Cipher is ${suite}`);
    expect(out).toMatch(/^\s*Protocol\s*: TLSv1\.2$/m);
    expect(out).toMatch(/^\s*Extended master secret: yes$/m);
    expect(out).toMatch(/^Secure Renegotiation IS supported$/m);
    expect(out).toMatch(/^\s*Verify return code: 0 \(ok\)$/m);
  }

  for (const { suite, cert } of SUITES12) {
    for (const group of GROUPS) {
      it(`${suite} over ${group.openssl} (our server picks the ${cert} chain)`, async ({ onTestFinished }) => {
        const scope = testScope(onTestFinished);
        // Our server's group list picks the key exchange; s_client must also list P-256 for the ECDSA certificate
        // (RFC 8422 §5.1).
        const { proc: server, port } = await startOurServer([...OUR_BOTH, '--groups', group.openssl, '--json'], { scope });
        const line = `t-${suite.toLowerCase()}-${group.ours}`;
        const groups = group.openssl === 'P-256' ? 'P-256' : `${group.openssl}:P-256`;
        const proc = await sClient(port, ['-cipher', suite, '-groups', groups], scope, line);
        expectSession(proc, suite);
        expect(proc.stdoutText).toMatch(cert === 'rsa' ? /Peer signature type: RSA-PSS/ : /Peer signature type: ECDSA/);
        await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
        expect(jsonLines(server.stderr)[0]).toMatchObject({ version: 'TLSv1.2', cipher: suite, group: group.ours, sni: 'localhost', bytes_in: line.length + 1 });
      });
    }
  }

  it('RSA PKCS#1 v1.5 signatures when s_client offers only those (RFC 5246 §7.4.1.4.1)', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_BOTH, { scope });
    const proc = await sClient(port, ['-sigalgs', 'RSA+SHA256'], scope, 'tpkcs1');
    expectSession(proc, 'ECDHE-RSA-AES128-GCM-SHA256');
    expect(proc.stdoutText).toMatch(/Peer signature type: RSA\n/);
  });

  it('version negotiation: s_client with 1.2 and 1.3 gets 1.3 from our default server, 1.2 from --tls1_2', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_BOTH, { scope });
    const both = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', CA, '-servername', 'localhost'], { scope });
    both.end();
    await both.exited;
    expect(both.stdoutText).toContain('New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256');
    const { port: port12 } = await startOurServer([...OUR_BOTH, '--tls1_2'], { scope });
    const old = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port12}`, '-CAfile', CA, '-servername', 'localhost'], { scope });
    old.end();
    await old.exited;
    expect(old.stdoutText).toContain('New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('s_client -tls1_2 against our --tls1_3 server: protocol_version', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_BOTH, '--tls1_3', '--json'], { scope });
    const proc = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', CA], { scope });
    proc.end();
    await proc.exited;
    expect(proc.exit?.code).not.toBe(0);
    expect(proc.stderr).toMatch(/tlsv1 alert protocol version/);
    await server.waitFor(/"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ reason: 'UNSUPPORTED_PROTOCOL' });
  });

  it("a renegotiation from s_client (its R command) gets our no_renegotiation warning, and the connection lives on", async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_BOTH, { scope });
    const proc = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', CA, '-servername', 'localhost', '-msg'], { scope });
    proc.write('tbefore\n');
    await proc.waitFor(/^tbefore$/m);
    proc.write('R\n');
    await proc.waitFor(/^<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation$/m);
    proc.end();
    await proc.exited;
  });

  it('1 MiB through our echo server comes back byte for byte', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_BOTH, { scope });
    const data = patternBytes(MiB, 23);
    const proc = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', CA, '-servername', 'localhost', '-quiet', '-nocommands'], { scope });
    proc.write(data);
    await proc.waitForLength(MiB, 30_000);
    expect(sha256(proc.stdout)).toBe(sha256(data));
  });
});
