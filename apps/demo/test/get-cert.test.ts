// `tlsbio get-cert HOST:PORT`: the certificate openssl s_server presents, as PEM on stdout (Python's
// ssl.get_server_certificate), with --chain, --servername and --CAfile.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killAll, pki, startOpensslServer, testScope, tlsbio } from './interop-harness.js';

beforeAll(() => assertBuilt());
afterAll(async () => {
  await killAll();
});

const OPENSSL_ECDSA = ['-cert', pki('server-ecdsa.pem'), '-cert_chain', pki('ca-int.pem'), '-key', pki('server-ecdsa.key')];
/** The PEM blocks of `text`, normalised through node:crypto. */
const blocks = (text: string) => [...text.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g)].map((m) => new X509Certificate(m[0]).toString());
const file = (name: string) => readFileSync(pki(name), 'utf8');

describe.concurrent('tlsbio get-cert against openssl s_server', () => {
  it('prints the leaf as PEM and sends --servername as SNI', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOpensslServer(['-tls1_3', '-servername', 'tlsbio.test', '-cert2', pki('server-rsa.pem'), '-key2', pki('server-rsa.key'), ...OPENSSL_ECDSA], { scope });
    const proc = tlsbio(['get-cert', `127.0.0.1:${port}`, '--servername', 'tlsbio.test'], { scope });
    await proc.exited;
    expect(proc.exit, `${proc.describe()}\n${server.describe()}`).toEqual({ code: 0, signal: null });
    // s_server answers the name it was told with its second certificate (-cert2), so the SNI went out.
    expect(blocks(proc.stdoutText)).toEqual(blocks(file('server-rsa.pem')));
  });

  it('--chain prints every certificate the server sent, leaf first', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_2', ...OPENSSL_ECDSA], { scope });
    const proc = tlsbio(['get-cert', `127.0.0.1:${port}`, '--chain'], { scope });
    await proc.exited;
    expect(proc.exit?.code, proc.describe()).toBe(0);
    expect(blocks(proc.stdoutText)).toEqual(blocks(file('server-ecdsa-chain.pem')));
  });

  it('--CAfile verifies first: an unrelated CA is exit 1 with the verify error', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port } = await startOpensslServer(['-tls1_3', ...OPENSSL_ECDSA], { scope });
    const proc = tlsbio(['get-cert', `127.0.0.1:${port}`, '--servername', 'localhost', '--CAfile', pki('other-ca.pem')], { scope });
    await proc.exited;
    expect(proc.exit?.code).toBe(1);
    expect(proc.stdoutText).toBe('');
    expect(proc.stderr).toMatch(/unable to get local issuer certificate|unable to get issuer certificate/);
  });
});
