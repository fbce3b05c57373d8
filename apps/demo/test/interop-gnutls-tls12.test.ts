// TLS 1.2 interop with GnuTLS (gnutls-bin): our client against `gnutls-serv --echo`, and `gnutls-cli` against our
// server, with TLS 1.2 only on the GnuTLS side; a GnuTLS peer without the extended master secret (%NO_SESSION_HASH)
// is refused with handshake_failure both ways (RFC 7627 §5.2, §5.3).
import { describe, expect, it } from 'vitest';
import {
  CA,
  OUR_BOTH,
  type Proc,
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
} from './interop-harness.js';

const TLS12 = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';

interopFile();

const CASES = [
  { name: 'X25519, ECDSA, AES-128-GCM', group: 'X25519', ours: 'x25519', gnutls: 'AES-128-GCM', cert: 'ecdsa', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256' },
  { name: 'P-256, RSA, AES-256-GCM', group: 'SECP256R1', ours: 'secp256r1', gnutls: 'AES-256-GCM', cert: 'rsa', suite: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { name: 'P-384, ECDSA, ChaCha20-Poly1305', group: 'SECP384R1', ours: 'secp384r1', gnutls: 'CHACHA20-POLY1305', cert: 'ecdsa', suite: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { name: 'X25519, RSA, ChaCha20-Poly1305', group: 'X25519', ours: 'x25519', gnutls: 'CHACHA20-POLY1305', cert: 'rsa', suite: 'ECDHE-RSA-CHACHA20-POLY1305' },
] as const;
/** GnuTLS also applies the group list to the ECDSA certificate's curve (P-256), as RFC 8422 §5.1 says. */
function gnutlsGroups(c: { readonly group: string; readonly cert: string }): string {
  return c.cert === 'ecdsa' && c.group !== 'SECP256R1' ? `+GROUP-${c.group}:+GROUP-SECP256R1` : `+GROUP-${c.group}`;
}
const CERT_FILES = {
  ecdsa: [pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key')],
  rsa: [pki('server-rsa.pem'), pki('server-rsa.key')],
} as const;

describe.concurrent('our client against gnutls-serv --echo (TLS 1.2)', () => {
  for (const c of CASES) {
    it(`${c.name}: every line echoed`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const groups = gnutlsGroups(c);
      const [cert, key] = CERT_FILES[c.cert];
      const { proc: server, port } = await startGnutlsServer(`${TLS12}:-GROUP-ALL:${groups}:-CIPHER-ALL:+${c.gnutls}`, cert, key, scope);
      const input = textLines(2000, c.ours);
      const client = await runWithInput(ourClient(port, ['--groups', c.group === 'X25519' ? 'X25519:P-256' : c.group === 'SECP256R1' ? 'P-256' : 'P-384:P-256'], scope), input);
      expect(client.exit?.code, `${client.describe()}\n${server.describe()}`).toBe(0);
      expect(sha256(client.stdout)).toBe(sha256(input));
      expect(summary(client)).toMatchObject({ version: 'TLSv1.2', cipher: c.suite, group: c.ours, verify: 'ok', bytes_in: input.length, bytes_out: input.length });
    });
  }

  it('a gnutls-serv without the extended master secret: our client refuses with handshake_failure', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startGnutlsServer(`${TLS12}:%NO_SESSION_HASH`, pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'), scope);
    const client = await runWithInput(ourClient(port, [], scope), 'x\n');
    expect(client.exit?.code, client.describe()).toBe(1);
    expect(summary(client)).toMatchObject({ reason: 'EXTENDED_MASTER_SECRET_REQUIRED', alert: 'handshake_failure', alert_direction: 'sent' });
  });
});

describe.concurrent('gnutls-cli (TLS 1.2) against our server', () => {
  function gnutlsCli(port: number, priority: string, args: readonly string[], scope: Set<Proc>): Proc {
    return spawnProc('gnutls-cli', ['--priority', priority, '--x509cafile', CA, '-p', String(port), ...args, 'localhost'], { scope });
  }

  for (const c of CASES) {
    it(`${c.name}: echo, then close_notify both ways`, async ({ onTestFinished }) => {
      const scope = testScope(onTestFinished);
      const ourGroup = { X25519: 'X25519', SECP256R1: 'P-256', SECP384R1: 'P-384' }[c.group];
      const { proc: server, port } = await startOurServer([...OUR_BOTH, '--groups', ourGroup, '--json'], { scope });
      const input = textLines(500, c.ours);
      const groups = gnutlsGroups(c);
      // Our server's group list picks the key exchange; GnuTLS also lists P-256 for the ECDSA certificate.
      const proc = await runWithInput(gnutlsCli(port, `${TLS12}:-GROUP-ALL:${groups}:-CIPHER-ALL:+${c.gnutls}:-SIGN-ALL:+SIGN-${c.cert === 'rsa' ? 'RSA-SHA256' : 'ECDSA-SHA256'}`, [], scope), input);
      const out = proc.stdoutText;
      expect(proc.exit?.code, `${proc.describe()}\n${server.describe()}`).toBe(0);
      expect(out).toContain('- Status: The certificate is trusted.');
      expect(out).toContain('- Options: extended master secret, safe renegotiation,');
      expect(out).toMatch(new RegExp(`- Description: \\(TLS1\\.2-X\\.509\\)-\\(ECDHE-${c.group}\\)-\\(${c.cert === 'rsa' ? 'RSA' : 'ECDSA'}-SHA256\\)-\\(${c.gnutls}\\)`));
      expect(out).toContain('- Peer has closed the GnuTLS connection');
      expect(out).toContain(input.toString('latin1'));
      await server.waitFor(/"cipher"|"error"/, { stream: 'stderr' });
      expect(jsonLines(server.stderr)[0]).toMatchObject({ version: 'TLSv1.2', cipher: c.suite, group: c.ours, sni: 'localhost', bytes_in: input.length, bytes_out: input.length });
    });
  }

  it('a gnutls-cli without the extended master secret: our server refuses with handshake_failure', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_BOTH, '--json'], { scope });
    const proc = await runWithInput(gnutlsCli(port, `${TLS12}:%NO_SESSION_HASH`, [], scope), 'x\n');
    expect(proc.exit?.code).not.toBe(0);
    expect(proc.stderr + proc.stdoutText).toMatch(/Handshake failed/i);
    await server.waitFor(/"error"/, { stream: 'stderr' });
    expect(jsonLines(server.stderr)[0]).toMatchObject({ reason: 'EXTENDED_MASTER_SECRET_REQUIRED', alert: 'handshake_failure', alert_direction: 'sent' });
  });

  it('gnutls-cli with 1.2 and 1.3 gets TLS 1.3 from our default server', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOurServer(OUR_BOTH, { scope });
    const proc = await runWithInput(gnutlsCli(port, 'NORMAL', [], scope), 'tboth\n');
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(proc.stdoutText).toContain('- Description: (TLS1.3-X.509)');
  });
});
