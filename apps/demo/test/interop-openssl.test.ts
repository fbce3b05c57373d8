// Interop with OpenSSL 3.0: our client against `openssl s_server`, and `openssl s_client` against our server.
// Every case is one short-lived pair of processes; independent cases run concurrently.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CA,
  GROUPS,
  OPENSSL_ECDSA,
  OUR_ECDSA,
  SUITES,
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
  tlsbio,
  waitForListen,
} from './interop-harness.js';

const MiB = 1024 * 1024;
const tmp = interopFile({ tempPrefix: 'tlsbio-openssl-' });

/** Our client sends one HTTP request to `openssl s_server -www` and returns the page and the JSON summary. */
async function getPage(serverArgs: readonly string[], clientArgs: readonly string[], scope: Set<Proc>) {
  const { proc: server, port } = await startOpensslServer(['-tls1_3', '-www', ...serverArgs], { scope });
  const client = await runWithInput(ourClient(port, clientArgs, scope), 'GET / HTTP/1.0\r\n\r\n');
  expect(client.exit, `${client.describe()}\n${server.describe()}`).toEqual({ code: 0, signal: null });
  expect(client.stdoutText).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
  return { page: client.stdoutText, json: summary(client) };
}

describe.concurrent('our client against openssl s_server', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      it(`${suite} over ${group.openssl}, ECDSA P-256 leaf + intermediate`, async ({ onTestFinished }) => {
        const scope = testScope(onTestFinished);
        const { page, json } = await getPage(
          ['-ciphersuites', suite, '-groups', group.openssl, ...OPENSSL_ECDSA],
          ['--groups', group.openssl],
          scope,
        );
        expect(page).toContain(`New, TLSv1.3, Cipher is ${suite}`);
        expect(json).toMatchObject({ version: 'TLSv1.3', cipher: suite, group: group.ours, verify: 'ok', hello_retry: false, alpn: null });
        expect(json.peer_subject).toMatch(/CN=localhost/);
      });
    }
  }

  for (const kind of ['rsa', 'ed25519', 'p384'] as const) {
    it(`a server with the ${kind} certificate`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { page, json } = await getPage(['-cert', pki(`server-${kind}.pem`), '-key', pki(`server-${kind}.key`)], [], scope);
      expect(page).toContain('New, TLSv1.3, Cipher is ');
      expect(json).toMatchObject({ version: 'TLSv1.3', verify: 'ok', peer_subject: expect.stringContaining('CN=localhost') });
    });
  }

  it('a HelloRetryRequest: the server takes only P-384, our client shares X25519 first', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { json } = await getPage(['-groups', 'P-384', ...OPENSSL_ECDSA], ['--groups', 'X25519:P-256:P-384'], scope);
    expect(json).toMatchObject({ group: 'secp384r1', hello_retry: true, verify: 'ok' });
  });

  it('ALPN: the server picks from our offer', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { json } = await getPage(['-alpn', 'x-other,http/1.1', ...OPENSSL_ECDSA], ['--alpn', 'h2,http/1.1'], scope);
    expect(json).toMatchObject({ alpn: 'http/1.1' });
  });

  it('client authentication: s_server -Verify 1 gets our --cert and verifies it', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { page, json } = await getPage(
      ['-Verify', '1', '-CAfile', CA, ...OPENSSL_ECDSA],
      ['--cert', pki('client.pem'), '--key', pki('client.key')],
      scope,
    );
    // s_server -www prints the client certificate it verified.
    expect(page).toContain('Client certificate');
    expect(page).toMatch(/Subject: O ?= ?tlsbio, CN ?= ?tlsbio Test Client/);
    expect(json).toMatchObject({ verify: 'ok' });
  });

  it('client authentication required and no --cert: the handshake fails with the server\'s alert', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-www', '-Verify', '1', '-CAfile', CA, ...OPENSSL_ECDSA], { scope });
    const client = await runWithInput(ourClient(port, [], scope), 'GET / HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(1);
    // RFC 8446 §4.4.2.4: a server that requires a certificate answers an empty Certificate with certificate_required.
    expect(summary(client)).toMatchObject({ code: 'ERR_TLS_ALERT', alert: 'certificate_required', alert_direction: 'received' });
  });

  it('a KeyUpdate from s_server (its K command): data flows both ways under the new keys', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-msg', ...OPENSSL_ECDSA], { scope });
    const client = ourClient(port, [], scope);
    client.write('tfirst\n');
    await server.waitFor(/^tfirst$/m);
    // K: KeyUpdate with update_requested. Our client must switch its read keys and answer with its own update.
    server.write('K\n');
    await server.waitFor(/^>>> TLS 1\.3, Handshake \[length 0005\], KeyUpdate$/m);
    server.write('tafter\n');
    await client.waitFor(/^tafter$/m);
    await server.waitFor(/^<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate$/m);
    client.write('tsecond\n');
    await server.waitFor(/^tsecond$/m);
    client.end();
    await client.exited;
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    expect(client.stdoutText).toBe('tafter\n');
    expect(summary(client)).toMatchObject({ bytes_out: 'tfirst\ntsecond\n'.length, bytes_in: 'tafter\n'.length });
  });

  it('a certificate from another CA: our client exits 1 and s_server reads our unknown_ca alert', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    // Default mode keeps reading stdin, which stays open: the connection ends with our alert, not with s_server's EOF.
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-msg', ...OPENSSL_ECDSA], { scope });
    const client = await runWithInput(
      tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--CAfile', pki('other-ca.pem'), '--json'], { scope }),
      'x',
    );
    expect(client.exit?.code, client.describe()).toBe(1);
    expect(summary(client)).toMatchObject({ code: 'ERR_TLS_CERT_VERIFICATION', reason: 'CERTIFICATE_VERIFY_FAILED', alert: 'unknown_ca' });
    await server.exited;
    // RFC 8446 §5.1: every record after the first ClientHello has legacy_record_version 0x0303; OpenSSL rejects
    // anything else ("wrong version number") and would never see the alert.
    expect(server.stdoutText, server.describe()).toMatch(/^<<< TLS 1\.3, Alert \[length 0002\], fatal unknown_ca$/m);
  });

  it('1 MiB from s_server (-WWW file) arrives intact', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const data = patternBytes(MiB, 11);
    const dir = join(tmp(), 'www');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'big.bin'), data);
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-WWW', ...OPENSSL_ECDSA], { scope, cwd: dir });
    const client = await runWithInput(ourClient(port, [], scope), 'GET /big.bin HTTP/1.0\r\n\r\n');
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    const out = client.stdout;
    const bodyStart = out.indexOf('\r\n\r\n') + 4;
    expect(out.subarray(0, bodyStart).toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    expect(sha256(out.subarray(bodyStart))).toBe(sha256(data));
  });

  it('1 MiB to s_server arrives intact (s_server -quiet writes exactly what it read)', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const data = patternBytes(MiB, 12);
    const port = await freePort();
    // -quiet prints no ACCEPT line: wait until the port listens instead (a probe would use up -naccept 1).
    const server = spawnProc('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', '-quiet', '-tls1_3', ...OPENSSL_ECDSA], { scope });
    await waitForListen(port);
    const client = await runWithInput(ourClient(port, [], scope), data);
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    await server.exited;
    expect(server.stdout.length).toBe(MiB);
    expect(sha256(server.stdout)).toBe(sha256(data));
    expect(summary(client)).toMatchObject({ bytes_out: MiB, bytes_in: 0 });
  });
});

describe.concurrent('openssl s_client against our server', () => {
  /** Runs s_client with a line to echo; returns its output once it has seen the echo and closed. */
  async function sClient(port: number, args: readonly string[], scope: Set<Proc>, line: string): Promise<Proc> {
    const proc = spawnProc(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', CA, '-servername', 'localhost', ...args],
      { scope },
    );
    proc.write(`${line}\n`);
    // Not anchored at a line start: s_client's session printout (one per NewSessionTicket) goes through a buffered
    // BIO while received data is written at once, so the echo can land inside a hex dump line.
    await proc.waitFor(new RegExp(`${line}$`, 'm'));
    proc.end();
    await proc.exited;
    return proc;
  }

  /**
   * s_client's summary. (It prints the `Protocol  : TLSv1.3` of an SSL-Session block only when a NewSessionTicket
   * arrives, and our server sends none until resumption lands: the `New, TLSv1.3, Cipher is` line says the same.)
   */
  function expectSession(proc: Proc, suite: string): void {
    const out = proc.stdoutText;
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(out).toContain(`New, TLSv1.3, Cipher is ${suite}`);
    expect(out).toMatch(/^Verification: OK$/m);
    expect(out).toMatch(/^\s*Verify return code: 0 \(ok\)$/m);
  }

  for (const suite of SUITES) {
    it(`${suite} (our server's only suite), X25519`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--ciphersuites', suite, '--json'], { scope });
      const line = `techo-${suite.toLowerCase()}`;
      const proc = await sClient(port, ['-groups', 'X25519'], scope, line);
      expectSession(proc, suite);
      expect(proc.stdoutText).toMatch(/Server Temp Key: X25519/);
      await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
      expect(jsonLines(server.stderr)[0]).toMatchObject({ cipher: suite, group: 'x25519', sni: 'localhost', bytes_in: line.length + 1 });
    });
  }

  for (const group of GROUPS.slice(1)) {
    it(`${group.openssl} (s_client's only group)`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json'], { scope });
      const proc = await sClient(port, ['-groups', group.openssl], scope, 'tgroup');
      expectSession(proc, 'TLS_AES_128_GCM_SHA256');
      await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
      expect(jsonLines(server.stderr)[0]).toMatchObject({ group: group.ours });
    });
  }

  it('a HelloRetryRequest: s_client shares X25519, our server takes only P-256', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--groups', 'P-256', '--json'], { scope });
    const proc = await sClient(port, ['-groups', 'X25519:P-256'], scope, 'thrr');
    expectSession(proc, 'TLS_AES_128_GCM_SHA256');
    expect(proc.stdoutText).toMatch(/Server Temp Key: ECDH, prime256v1/);
    await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ group: 'secp256r1', hello_retry: true });
  });

  for (const kind of ['rsa', 'ed25519'] as const) {
    it(`our server with the ${kind} certificate`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { port } = await startOurServer(['--cert', pki(`server-${kind}.pem`), '--key', pki(`server-${kind}.key`)], { scope });
      const proc = await sClient(port, [], scope, `t${kind}`);
      expectSession(proc, 'TLS_AES_128_GCM_SHA256');
      expect(proc.stdoutText).toMatch(kind === 'rsa' ? /Peer signature type: RSA-PSS/ : /Peer signature type: ed25519/);
    });
  }

  it('--cert2: an RSA-only client gets the RSA chain, others the ECDSA one', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer([...OUR_ECDSA, '--cert2', pki('server-rsa.pem'), '--key2', pki('server-rsa.key')], { scope });
    const rsa = await sClient(port, ['-sigalgs', 'rsa_pss_rsae_sha256'], scope, 'trsaonly');
    expectSession(rsa, 'TLS_AES_128_GCM_SHA256');
    expect(rsa.stdoutText).toMatch(/Peer signature type: RSA-PSS/);
    const ecdsa = await sClient(port, [], scope, 'tany');
    expect(ecdsa.stdoutText).toMatch(/Peer signature type: ECDSA/);
  });

  it('ALPN: our server picks from s_client\'s offer', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer([...OUR_ECDSA, '--alpn', 'h2,http/1.1'], { scope });
    const proc = await sClient(port, ['-alpn', 'http/1.1,h2'], scope, 'talpn');
    expectSession(proc, 'TLS_AES_128_GCM_SHA256');
    expect(proc.stdoutText).toMatch(/^ALPN protocol: h2$/m);
  });

  it('--www GET /keyupdate: s_client follows our KeyUpdate and reads the page', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--www', '--json'], { scope });
    const proc = spawnProc(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', CA, '-servername', 'localhost', '-msg', '-ign_eof'],
      { scope },
    );
    proc.write('GET /keyupdate HTTP/1.0\r\n\r\n');
    await proc.exited;
    expect(proc.exit?.code, proc.describe()).toBe(0);
    const out = proc.stdoutText;
    const keyUpdate = out.indexOf('<<< TLS 1.3, Handshake [length 0005], KeyUpdate');
    const page = out.indexOf('HTTP/1.0 200 ok');
    expect(keyUpdate).toBeGreaterThan(0);
    expect(page).toBeGreaterThan(keyUpdate);
    expect(out).toContain('KeyUpdate: sent, update_requested');
    expect(out).toContain('SNI: localhost');
    // Both close_notify crossed after the update: the connection closed cleanly on both sides.
    expect(out).toContain('<<< TLS 1.3, Alert [length 0002], warning close_notify');
    await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ version: 'TLSv1.3', bytes_in: 27 });
  });

  it('s_client rejecting our certificate: our server logs the unknown_ca alert it received, and goes on', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json'], { scope });
    const proc = spawnProc(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', pki('other-ca.pem'), '-servername', 'localhost', '-verify_return_error'],
      { scope },
    );
    proc.end();
    await proc.exited;
    expect(proc.exit?.code).not.toBe(0);
    // OpenSSL's client sends this alert unprotected (it has not switched its write keys yet); OpenSSL's own server
    // accepts plaintext alerts until the client's first protected record, and so must ours.
    await server.waitFor(/"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ code: 'ERR_TLS_ALERT', alert: 'unknown_ca', alert_direction: 'received' });
    const next = await sClient(port, [], scope, 'tafter');
    expectSession(next, 'TLS_AES_128_GCM_SHA256');
  });

  it('1 MiB through our echo server comes back byte for byte', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_ECDSA, { scope });
    const data = patternBytes(MiB, 13);
    // -quiet: only the peer's data on stdout; -nocommands: no byte of the data is taken for a command letter.
    const proc = spawnProc(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', CA, '-servername', 'localhost', '-quiet', '-nocommands'],
      { scope },
    );
    proc.write(data);
    await proc.waitForLength(MiB, 15_000);
    expect(proc.stdout.length).toBe(MiB);
    expect(sha256(proc.stdout)).toBe(sha256(data));
  });
});
