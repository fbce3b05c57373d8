// Interop with GnuTLS (gnutls-bin): our client against `gnutls-serv --echo`, and `gnutls-cli` against our server,
// TLS 1.3 only (TLS 1.2 is interop-gnutls-tls12.test.ts and interop-tls12-resumption.test.ts), including session
// resumption both ways and gnutls-cli's 0-RTT. gnutls-serv cannot report a port it picked, so each case takes one that
// was free a moment ago.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CA,
  OUR_ECDSA,
  type Proc,
  freePort,
  interopFile,
  jsonLines,
  ourClient,
  pki,
  runWithInput,
  sha256,
  spawnProc,
  startGnutlsServer,
  startOurServer,
  summary,
  testScope,
  textLines,
  waitForListen,
} from './interop-harness.js';

const TLS13 = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
const GNUTLS_ECDSA = ['--x509certfile', pki('server-ecdsa-chain.pem'), '--x509keyfile', pki('server-ecdsa.key')];

interopFile();

describe.concurrent('our client against gnutls-serv --echo', () => {
  const cases = [
    { name: 'X25519, AES-128-GCM', priority: `${TLS13}:-GROUP-ALL:+GROUP-X25519:-CIPHER-ALL:+AES-128-GCM`, group: 'x25519', cipher: 'TLS_AES_128_GCM_SHA256' },
    { name: 'P-256, AES-256-GCM', priority: `${TLS13}:-GROUP-ALL:+GROUP-SECP256R1:-CIPHER-ALL:+AES-256-GCM`, group: 'secp256r1', cipher: 'TLS_AES_256_GCM_SHA384' },
    { name: 'P-384, ChaCha20-Poly1305', priority: `${TLS13}:-GROUP-ALL:+GROUP-SECP384R1:-CIPHER-ALL:+CHACHA20-POLY1305`, group: 'secp384r1', cipher: 'TLS_CHACHA20_POLY1305_SHA256' },
  ];
  for (const c of cases) {
    it(`${c.name}: every line echoed, then both close_notify`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startGnutlsServer(c.priority, pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'), scope);
      const input = textLines(2000, c.group);
      // Our client offers every group it knows, so a server without X25519 answers with a HelloRetryRequest.
      const client = await runWithInput(
        ourClient(port, ['--groups', 'X25519:P-256:P-384'], scope),
        input,
      );
      expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
      expect(sha256(client.stdout)).toBe(sha256(input));
      expect(summary(client)).toMatchObject({
        version: 'TLSv1.3',
        cipher: c.cipher,
        group: c.group,
        hello_retry: c.group !== 'x25519',
        verify: 'ok',
        bytes_in: input.length,
        bytes_out: input.length,
      });
    });
  }

  it('an RSA server certificate', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startGnutlsServer(TLS13, pki('server-rsa.pem'), pki('server-rsa.key'), scope);
    const client = await runWithInput(
      ourClient(port, [], scope),
      'trsa\n',
    );
    expect(client.exit?.code, client.describe()).toBe(0);
    expect(client.stdoutText).toBe('trsa\n');
    expect(summary(client)).toMatchObject({ verify: 'ok', peer_subject: expect.stringContaining('CN=localhost') });
  });
});

describe.concurrent('gnutls-cli against our server', () => {
  /** Runs gnutls-cli with `input`; it sends close_notify at the end of stdin and waits for ours. */
  function gnutlsCli(port: number, priority: string, args: readonly string[], scope: Set<Proc>): Proc {
    return spawnProc('gnutls-cli', ['--priority', priority, '--x509cafile', CA, '-p', String(port), ...args, 'localhost'], { scope });
  }

  const cases = [
    { suite: 'TLS_AES_128_GCM_SHA256', gnutls: 'AES-128-GCM', group: 'X25519', ours: 'x25519' },
    { suite: 'TLS_AES_256_GCM_SHA384', gnutls: 'AES-256-GCM', group: 'SECP256R1', ours: 'secp256r1' },
    { suite: 'TLS_CHACHA20_POLY1305_SHA256', gnutls: 'CHACHA20-POLY1305', group: 'SECP384R1', ours: 'secp384r1' },
  ];
  for (const c of cases) {
    it(`${c.suite} over ${c.group}: echo, then close_notify both ways`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--ciphersuites', c.suite, '--json'], { scope });
      const input = textLines(500, c.ours);
      const proc = await runWithInput(gnutlsCli(port, `${TLS13}:-GROUP-ALL:+GROUP-${c.group}`, [], scope), input);
      const out = proc.stdoutText;
      expect(proc.exit?.code, `${proc.describe()}\n${server.describe()}`).toBe(0);
      expect(out).toContain('- Status: The certificate is trusted.');
      expect(out).toContain(`- Description: (TLS1.3-X.509)-(ECDHE-${c.group})-(ECDSA-SECP256R1-SHA256)-(${c.gnutls})`);
      expect(out).toContain('- Peer has closed the GnuTLS connection');
      expect(out).toContain(input.toString('latin1'));
      await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
      expect(jsonLines(server.stderr)[0]).toMatchObject({ cipher: c.suite, group: c.ours, sni: 'localhost', bytes_in: input.length, bytes_out: input.length });
    });
  }

  it('ALPN and the Ed25519 certificate', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(['--cert', pki('server-ed25519.pem'), '--key', pki('server-ed25519.key'), '--alpn', 'http/1.1'], { scope });
    const proc = await runWithInput(gnutlsCli(port, TLS13, ['--alpn', 'h2', '--alpn', 'http/1.1'], scope), 'ted25519\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toContain('- Application protocol: http/1.1');
    expect(proc.stdoutText).toMatch(/\(EdDSA-Ed25519\)/);
    expect(proc.stdoutText).toContain('ted25519\n');
  });

  it('--www GET /keyupdate: gnutls-cli follows our KeyUpdate and reads the page', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--www', '--json'], { scope });
    // Not --crlf: gnutls-cli 3.7 sends an empty line as a lone NUL byte then. LF LF ends a head, as for s_server.
    const proc = gnutlsCli(port, TLS13, [], scope);
    // Keep stdin open: the server closes after the page, and gnutls-cli exits on that.
    proc.write('GET /keyupdate HTTP/1.0\n\n');
    await proc.exited;
    expect(proc.exit?.code, `${proc.describe()}\n${server.describe()}`).toBe(0);
    expect(proc.stdoutText).toContain('HTTP/1.0 200 ok');
    expect(proc.stdoutText).toContain('KeyUpdate: sent, update_requested');
    expect(proc.stdoutText).toContain('SNI: localhost');
  });
});

describe.concurrent('TLS 1.3 resumption with GnuTLS', () => {
  it('tlsbio client --reconnect 2 against gnutls-serv: both resumed connections are resumed on each side, with ECDHE', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const port = await freePort();
    // Line-buffered (coreutils' stdbuf), so the report of every connection can be read as soon as it is served.
    const server = spawnProc('stdbuf', ['-oL', 'gnutls-serv', '--echo', '-a', '--priority', TLS13, ...GNUTLS_ECDSA, '-p', String(port)], { scope });
    await waitForListen(port);
    const client = await runWithInput(
      ourClient(port, ['--reconnect', '2'], scope),
      'resume me\n',
    );
    expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
    expect(client.stdoutText).toBe('resume me\n'.repeat(3));
    const records = jsonLines(client.stderr);
    expect(records.map((record) => record.resumed)).toEqual([false, true, true]);
    // psk_dhe_ke: a resumed handshake still agrees on a key share; the server's chain comes from the session.
    for (const record of records) expect(record).toMatchObject({ version: 'TLSv1.3', group: 'x25519', verify: 'ok', bytes_in: 10 });
    // Its report of each connection goes to stdout before it echoes (and logs on stderr) what came on it.
    await server.waitUntil(() => (server.stderr.match(/received cmd: resume me/g) ?? []).length === 3, 'three echoed connections');
    expect(server.stdoutText.match(/\*\*\* This is a resumed session/g)).toHaveLength(2);
    expect(server.stdoutText.match(/Ephemeral EC Diffie-Hellman parameters/g)).toHaveLength(3);
  });

  it('gnutls-cli --resume against tlsbio server --json: "This is a resumed session", and resumed in our JSON', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json'], { scope });
    // gnutls-cli sends stdin on the resumed connection only (the first one just takes the session and goes).
    const proc = await runWithInput(spawnProc('gnutls-cli', ['--priority', TLS13, '--x509cafile', CA, '-p', String(port), '--resume', 'localhost'], { scope }), 'on the resumed one\n');
    expect(proc.exit?.code, `${proc.describe()}\n${server.describe()}`).toBe(0);
    expect(proc.stdoutText).toContain('- Resume Handshake was completed');
    expect(proc.stdoutText).toContain('*** This is a resumed session');
    expect(proc.stdoutText).toContain('on the resumed one\n');
    await server.waitUntil(() => jsonLines(server.stderr).length === 2, 'two connections logged');
    const records = jsonLines(server.stderr);
    expect(records.map((record) => [record.resumed, record.bytes_in])).toEqual([
      [false, 0],
      [true, 19],
    ]);
    expect(records[1]).toMatchObject({ version: 'TLSv1.3', sni: 'localhost', early_data: 'not_sent' });
  });

  it('gnutls-cli --resume --earlydata against tlsbio server --early_data: the 0-RTT bytes are accepted and echoed first', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json', '--early_data'], { scope });
    const early = join(tmpdir(), `tlsbio-gnutls-early-${port}.txt`);
    writeFileSync(early, 'EARLY BYTES\n');
    onTestFinished(() => rmSync(early, { force: true }));
    const proc = await runWithInput(
      spawnProc('gnutls-cli', ['--priority', TLS13, '--x509cafile', CA, '-p', String(port), '--resume', `--earlydata=${early}`, 'localhost'], { scope }),
      'one-rtt bytes\n',
    );
    expect(proc.exit?.code, `${proc.describe()}\n${server.describe()}`).toBe(0);
    expect(proc.stdoutText).toContain('*** This is a resumed session');
    // Our echo server answers the early bytes first, then the 1-RTT ones.
    expect(proc.stdoutText).toContain('EARLY BYTES\none-rtt bytes\n');
    await server.waitUntil(() => jsonLines(server.stderr).length === 2, 'two connections logged');
    expect(jsonLines(server.stderr).map((record) => [record.resumed, record.early_data, record.bytes_in])).toEqual([
      [false, 'not_sent', 0],
      [true, 'accepted', 26],
    ]);
  });
});
