// The key log proof: `tshark` captures a `tlsbio client` -> `tlsbio server --www` session on loopback, then decrypts
// the capture with the key log our client wrote (SSLKEYLOGFILE) and finds the HTTP request and response in it — TLS
// 1.3 (its five NSS secrets) and TLS 1.2 (CLIENT_RANDOM and the master secret). The server's --keylogfile holds the
// same lines. Without the key log the same capture shows no HTTP at all, so the decryption is the log's doing.
// tshark is a test peer (scripts/peers.mjs installs it); capturing needs root or the capture capability.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killAll, pki, runWithInput, spawnProc, startOurServer, tlsbio } from './interop-harness.js';

const SERVER_CERT = ['--cert', pki('server-ecdsa-chain.pem'), '--key', pki('server-ecdsa.key')];
const TRUST = ['--CAfile', pki('ca.pem')];
const REQUEST = 'GET /tlsbio-keylog-proof HTTP/1.0\r\n\r\n';

let tmp: string;
beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-keylog-'));
});
afterEach(killAll);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const keylogLines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

/** Reads the capture back with tshark, decrypting with `keylog` when given; returns the HTTP packets, verbose. */
async function httpInCapture(capture: string, port: number, keylog?: string): Promise<string> {
  const keylogOption = keylog === undefined ? [] : ['-o', `tls.keylog_file:${keylog}`];
  // The --www page has no Content-Length and ends with close_notify: dissect it without waiting for its body's end.
  const options = [...keylogOption, '-o', 'http.desegment_body:FALSE', '-d', `tcp.port==${port},tls`];
  const reader = spawnProc('tshark', ['-n', '-r', capture, ...options, '-Y', 'http', '-V'], { timeoutMs: 30_000 });
  const exit = await reader.exited;
  expect(exit, reader.describe()).toEqual({ code: 0, signal: null });
  return reader.stdoutText;
}

describe.each([
  ['TLSv1.3', '--tls1_3', ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']],
  ['TLSv1.2', '--tls1_2', ['CLIENT_RANDOM']],
] as const)('%s', (version, flag, labels) => {
  it('tshark decrypts a captured session with our key log and finds the HTTP request and response', async () => {
    const clientLog = join(tmp, `client-${version}.keys`);
    const serverLog = join(tmp, `server-${version}.keys`);
    const capture = join(tmp, `session-${version}.pcapng`);
    const { port } = await startOurServer([...SERVER_CERT, '--www', '--alpn', 'http/1.1', '--keylogfile', serverLog]);

    // Capture only this test's port; wait until tshark has the interface open before connecting.
    const capturer = spawnProc('tshark', ['-n', '-i', 'lo', '-f', `tcp port ${port}`, '-w', capture, '-a', 'duration:30'], { timeoutMs: 40_000 });
    await capturer.waitFor(/Capturing on/, { stream: 'stderr', timeoutMs: 20_000 });

    const client = await runWithInput(
      tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', ...TRUST, '--alpn', 'http/1.1', flag], {
        env: { ...process.env, SSLKEYLOGFILE: clientLog },
      }),
      REQUEST,
    );
    expect(client.exit, client.describe()).toEqual({ code: 0, signal: null });
    expect(client.stdoutText).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    expect(client.stdoutText).toContain(`Protocol: ${version}`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last segments reach the capture
    await capturer.stop();

    // The key logs: NSS lines for this version, the same on both sides.
    const lines = keylogLines(clientLog);
    expect(lines.map((line) => line.split(' ')[0]).sort()).toEqual([...labels]);
    for (const line of lines) expect(line).toMatch(version === 'TLSv1.2' ? /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/ : /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/);
    expect(keylogLines(serverLog).sort()).toEqual([...lines].sort());

    const decrypted = await httpInCapture(capture, port, clientLog);
    expect(decrypted).toContain('GET /tlsbio-keylog-proof HTTP/1.0');
    expect(decrypted).toContain('HTTP/1.0 200 ok');
    expect(decrypted).toContain(version === 'TLSv1.3' ? 'TLSv1.3 Record Layer: Application Data' : 'TLSv1.2 Record Layer: Application Data');
    // The control: without the key log, tshark sees no HTTP in the same capture.
    expect(await httpInCapture(capture, port)).not.toContain('tlsbio-keylog-proof');
  }, 90_000);
});
