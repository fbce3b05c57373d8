// TLS 1.3 client certificates with OpenSSL 3.0: `openssl s_client -cert … -key …` against `tlsbio server
// --verify-client`, and our client against `openssl s_server -verify 1` (asks, accepts none) and `-Verify 1` (requires),
// with ECDSA, RSA and Ed25519 client keys; and post-handshake authentication (RFC 8446 §4.6.2) both ways:
// `s_client -enable_pha` against `tlsbio server --post-handshake-auth`, our `--post-handshake-auth` client against
// s_server's interactive `c` command (SSL_verify_client_post_handshake).
import { describe, expect, it } from 'vitest';
import {
  CA,
  OPENSSL_ECDSA,
  OUR_ECDSA,
  type Proc,
  freePort,
  interopFile,
  jsonLines,
  ourClient,
  pki,
  runWithInput,
  spawnProc,
  startOpensslServer,
  startOurServer,
  testScope,
  tlsbio,
  waitForListen,
} from './interop-harness.js';

/** Our server asks for client certificates issued under the test root, and reports each connection in JSON. */
const OUR_SERVER = [...OUR_ECDSA, '--CAfile', CA, '--json'];
const CLIENT_KEYS = [
  ['ECDSA P-256', 'client', 'tlsbio Test Client'],
  ['RSA 2048', 'client-rsa', 'tlsbio Test Client RSA'],
  ['Ed25519', 'client-ed25519', 'tlsbio Test Client Ed25519'],
] as const;

interopFile();

/** Our server's one JSON line, once it has written it. */
async function serverRecord(server: Proc): Promise<Record<string, unknown>> {
  await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
  const lines = jsonLines(server.stderr);
  expect(lines, server.describe()).toHaveLength(1);
  return lines[0]!;
}

describe.concurrent('openssl s_client against tlsbio server --verify-client', () => {
  function sClient(port: number, args: readonly string[], scope: Set<Proc>): Proc {
    return spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', CA, '-servername', 'localhost', ...args], { scope });
  }

  /** s_client sends a line and waits for its echo, then closes. */
  async function echo(proc: Proc, line: string): Promise<void> {
    proc.write(`${line}\n`);
    // Not anchored at a line start: s_client's session printout (one per NewSessionTicket) goes through a buffered
    // BIO while received data is written at once, so the echo can land inside a hex dump line.
    await proc.waitFor(new RegExp(`${line}$`, 'm'));
    proc.end();
    await proc.exited;
  }

  for (const [kind, name, commonName] of CLIENT_KEYS) {
    it(`required: s_client's ${kind} certificate is verified, and the request names our CA`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required'], { scope });
      const client = sClient(port, ['-cert', pki(`${name}.pem`), '-key', pki(`${name}.key`)], scope);
      await echo(client, `tca-${name}`);
      expect(client.exit?.code, client.describe()).toBe(0);
      // certificate_authorities (RFC 8446 §4.2.4) from our trust store, and our signature_algorithms.
      expect(client.stdoutText).toMatch(/^Acceptable client certificate CA names\nO = tlsbio, CN = tlsbio Test Root CA$/m);
      expect(client.stdoutText).toMatch(/^Requested Signature Algorithms: ECDSA\+SHA256:ECDSA\+SHA384:ed25519:RSA-PSS\+SHA256/m);
      expect(await serverRecord(server)).toMatchObject({ version: 'TLSv1.3', verify: 'ok', peer_subject: `O=tlsbio, CN=${commonName}` });
    });
  }

  it('required and no certificate: s_client reads our certificate_required alert (RFC 8446 §4.4.2.4)', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required'], { scope });
    const client = sClient(port, ['-quiet'], scope);
    client.write('never echoed\n');
    await client.waitFor(/tlsv13 alert certificate required/, { stream: 'stderr' });
    client.end();
    expect(await serverRecord(server)).toMatchObject({ reason: 'PEER_DID_NOT_RETURN_A_CERTIFICATE', alert: 'certificate_required', alert_direction: 'sent' });
  });

  it('optional and no certificate: the connection goes on, unauthenticated', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'optional'], { scope });
    const client = sClient(port, [], scope);
    await echo(client, 'tca-optional');
    expect(client.exit?.code, client.describe()).toBe(0);
    expect(client.stdoutText).toMatch(/^Acceptable client certificate CA names$/m);
    expect(await serverRecord(server)).toMatchObject({ verify: 'none', peer_subject: null });
  });

  it('a client certificate our CA did not issue: unknown_ca, with the verify code', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'optional'], { scope });
    const client = sClient(port, ['-quiet', '-cert', pki('self-signed.pem'), '-key', pki('self-signed.key')], scope);
    client.write('never echoed\n');
    await client.waitFor(/tlsv1 alert unknown ca/, { stream: 'stderr' });
    client.end();
    expect(await serverRecord(server)).toMatchObject({ alert: 'unknown_ca', alert_direction: 'sent', verify_code: 18 });
  });
});

describe.concurrent('tlsbio client against openssl s_server -verify / -Verify', () => {
  async function getPage(serverArgs: readonly string[], clientArgs: readonly string[], scope: Set<Proc>) {
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-www', '-CAfile', CA, ...OPENSSL_ECDSA, ...serverArgs], { scope });
    const client = await runWithInput(
      ourClient(port, clientArgs, scope),
      'GET / HTTP/1.0\r\n\r\n',
    );
    expect(client.exit, `${client.describe()}\n${server.describe()}`).toEqual({ code: 0, signal: null });
    return client.stdoutText;
  }

  for (const [kind, name, commonName] of CLIENT_KEYS) {
    it(`-Verify 1 (required): s_server verifies our ${kind} certificate`, async ({ onTestFinished }) => {
      const page = await getPage(['-Verify', '1'], ['--cert', pki(`${name}.pem`), '--key', pki(`${name}.key`)], testScope(onTestFinished));
      expect(page).toContain('Client certificate');
      expect(page).toMatch(new RegExp(`Subject: O ?= ?tlsbio, CN ?= ?${commonName}\\n`));
    });
  }

  it('-verify 1 (optional) and no --cert: our empty Certificate is accepted', async ({ onTestFinished }) => {
    const page = await getPage(['-verify', '1'], [], testScope(onTestFinished));
    expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    expect(page).toContain('no client certificate available');
  });
});

describe.concurrent('post-handshake authentication', () => {
  function sClient(port: number, args: readonly string[], scope: Set<Proc>): Proc {
    return spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', CA, '-servername', 'localhost', ...args], { scope });
  }

  for (const [kind, name, commonName] of CLIENT_KEYS) {
    it(`s_client -enable_pha answers our request after the handshake with its ${kind} certificate`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required', '--post-handshake-auth'], { scope });
      const client = sClient(port, ['-enable_pha', '-cert', pki(`${name}.pem`), '-key', pki(`${name}.key`)], scope);
      client.write(`tpha-${name}\n`);
      await client.waitFor(new RegExp(`tpha-${name}$`, 'm')); // not anchored: see echo()
      client.end();
      await client.exited;
      expect(client.exit?.code, client.describe()).toBe(0);
      // No CertificateRequest in the handshake itself: the request came afterwards.
      expect(client.stdoutText).not.toMatch(/Acceptable client certificate CA names/);
      expect(await serverRecord(server)).toMatchObject({ version: 'TLSv1.3', verify: 'ok', peer_subject: `O=tlsbio, CN=${commonName}` });
    });
  }

  it('s_client -enable_pha without a certificate: certificate_required after the handshake', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required', '--post-handshake-auth'], { scope });
    const client = sClient(port, ['-enable_pha', '-quiet'], scope);
    client.write('tpha-none\n');
    await client.waitFor(/tlsv13 alert certificate required/, { stream: 'stderr' });
    client.end();
    expect(await serverRecord(server)).toMatchObject({ reason: 'PEER_DID_NOT_RETURN_A_CERTIFICATE', alert: 'certificate_required' });
  });

  it('s_client without -enable_pha is never asked and stays unauthenticated', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required', '--post-handshake-auth'], { scope });
    const client = sClient(port, ['-cert', pki('client.pem'), '-key', pki('client.key')], scope);
    client.write('tpha-off\n');
    await client.waitFor(/^tpha-off$/m);
    client.end();
    await client.exited;
    expect(client.exit?.code, client.describe()).toBe(0);
    expect(await serverRecord(server)).toMatchObject({ verify: 'none', peer_subject: null });
  });

  it('our client answers s_server\'s post-handshake request (its c command) with --cert', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    // No -verify: s_server asks nothing during the handshake; `c` sets SSL_VERIFY_PEER and sends the request.
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-CAfile', CA, ...OPENSSL_ECDSA], { scope });
    const client = tlsbio(
      ['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--CAfile', CA, '--json', '--post-handshake-auth',
        '--cert', pki('client-ed25519.pem'), '--key', pki('client-ed25519.key')],
      { scope },
    );
    await server.waitFor(/^CIPHER is TLS_AES_128_GCM_SHA256$/m);
    server.write('c\n');
    // s_server verifies what our client sent in answer, then reports the request complete.
    await server.waitFor(/^depth=0 O = tlsbio, CN = tlsbio Test Client Ed25519\nverify return:1$/m, { stream: 'stderr' });
    await server.waitFor(/^SSL_do_handshake -> 1$/m);
    client.write('after pha\n');
    await server.waitFor(/^after pha$/m);
    client.end();
    await client.exited;
    expect(client.exit, client.describe()).toEqual({ code: 0, signal: null });
  });
});

describe.concurrent('TLS 1.2: openssl s_client -tls1_2 against tlsbio server --verify-client', () => {
  function sClient12(port: number, args: readonly string[], scope: Set<Proc>): Proc {
    return spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', CA, '-servername', 'localhost', ...args], { scope });
  }

  for (const [kind, name, commonName] of CLIENT_KEYS) {
    it(`required: s_client's ${kind} certificate and CertificateVerify are checked`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required'], { scope });
      const client = sClient12(port, ['-cert', pki(`${name}.pem`), '-key', pki(`${name}.key`)], scope);
      client.write(`t12-${name}\n`);
      await client.waitFor(new RegExp(`^t12-${name}$`, 'm'));
      client.end();
      await client.exited;
      expect(client.exit?.code, client.describe()).toBe(0);
      expect(client.stdoutText).toMatch(/^Acceptable client certificate CA names\nO = tlsbio, CN = tlsbio Test Root CA$/m);
      expect(client.stdoutText).toMatch(/^Client Certificate Types: ECDSA sign, RSA sign$/m);
      expect(await serverRecord(server)).toMatchObject({ version: 'TLSv1.2', verify: 'ok', peer_subject: `O=tlsbio, CN=${commonName}` });
    });
  }

  it('required and no certificate: s_client reads handshake_failure', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required'], { scope });
    const client = sClient12(port, ['-quiet'], scope);
    client.write('never echoed\n');
    await client.waitFor(/alert handshake failure/, { stream: 'stderr' });
    client.end();
    expect(await serverRecord(server)).toMatchObject({ reason: 'PEER_DID_NOT_RETURN_A_CERTIFICATE', alert: 'handshake_failure' });
  });
});

describe.concurrent('GnuTLS: gnutls-cli --x509certfile against tlsbio server --verify-client required', () => {
  for (const [version, priority] of [
    ['TLS 1.3', 'NORMAL:-VERS-ALL:+VERS-TLS1.3'],
    ['TLS 1.2', 'NORMAL:-VERS-ALL:+VERS-TLS1.2'],
  ] as const) {
    it(`${version}: gnutls-cli's RSA certificate is verified`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_SERVER, '--verify-client', 'required'], { scope });
      const client = await runWithInput(
        spawnProc(
          'gnutls-cli',
          ['--priority', priority, '--x509cafile', CA, '--x509certfile', pki('client-rsa.pem'), '--x509keyfile', pki('client-rsa.key'), '-p', String(port), 'localhost'],
          { scope },
        ),
        'tgnutls\n',
      );
      expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
      expect(client.stdoutText).toContain('tgnutls\n');
      expect(await serverRecord(server)).toMatchObject({ version: version === 'TLS 1.3' ? 'TLSv1.3' : 'TLSv1.2', verify: 'ok', peer_subject: 'O=tlsbio, CN=tlsbio Test Client RSA' });
    });
  }
});

describe.concurrent('GnuTLS: tlsbio client --cert against gnutls-serv --require-client-cert', () => {
  for (const [version, priority] of [
    ['TLS 1.3', 'NORMAL:-VERS-ALL:+VERS-TLS1.3'],
    ['TLS 1.2', 'NORMAL:-VERS-ALL:+VERS-TLS1.2'],
  ] as const) {
    it(`${version}: gnutls-serv requires and verifies our Ed25519 certificate`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const port = await freePort();
      const server = spawnProc(
        'gnutls-serv',
        ['--echo', '--require-client-cert', '--priority', priority, '--x509cafile', CA, '--x509certfile', pki('server-ecdsa-chain.pem'), '--x509keyfile', pki('server-ecdsa.key'), '-p', String(port)],
        { scope },
      );
      await waitForListen(port);
      const client = await runWithInput(
        ourClient(port, ['--cert', pki('client-ed25519.pem'), '--key', pki('client-ed25519.key')], scope),
        'tgnutls-serv\n',
      );
      expect(client.exit, `${client.describe()}\n${server.describe()}`).toEqual({ code: 0, signal: null });
      expect(client.stdoutText).toBe('tgnutls-serv\n');
      expect(jsonLines(client.stderr)[0]).toMatchObject({ version: version === 'TLS 1.3' ? 'TLSv1.3' : 'TLSv1.2', verify: 'ok' });
    });
  }
});
