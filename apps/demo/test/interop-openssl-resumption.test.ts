// The CLI's resumption and 0-RTT flags against OpenSSL 3.0, both roles, as built (`node dist/cli.js`):
// `tlsbio client --reconnect` and `--sess_out`/`--sess_in` against `openssl s_server -www` (whose page says "New" or
// "Reused"), `openssl s_client` resuming against `tlsbio server --json`, and 0-RTT both ways (`tlsbio client
// --early_data` against `s_server -early_data`, which prints what it got; `s_client -sess_in -early_data` against
// `tlsbio server --early_data`). Each side's own report must say resumed, not only ours.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CA,
  OPENSSL_ECDSA,
  OUR_ECDSA,
  type Proc,
  interopFile,
  jsonLines,
  ourClient,
  runWithInput,
  spawnProc,
  startOurServer,
  testScope,
} from './interop-harness.js';

const GET = 'GET / HTTP/1.0\r\n\r\n';
const tmp = interopFile({ tempPrefix: 'tlsbio-ossl-resume-' });

function file(name: string, content: string): string {
  const path = join(tmp(), name);
  writeFileSync(path, content);
  return path;
}

/** `openssl s_server` on a free port, serving `naccept` connections; resolves once it prints ACCEPT. */
async function opensslServer(naccept: number, args: readonly string[], scope: Set<Proc>): Promise<{ proc: Proc; port: number }> {
  const proc = spawnProc('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', String(naccept), ...OPENSSL_ECDSA, ...args], { scope });
  const match = await proc.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m);
  return { proc, port: Number(match[1]) };
}

/** The client's JSON objects, one per connection, after a clean run. */
function records(proc: Proc, count: number, peer?: Proc): Record<string, unknown>[] {
  expect(proc.exit, `${proc.describe()}\n${peer?.describe() ?? ''}`).toEqual({ code: 0, signal: null });
  const lines = jsonLines(proc.stderr);
  expect(lines, proc.describe()).toHaveLength(count);
  return lines;
}

/** s_server -www's status lines ("New, TLSv1.3, Cipher is …" / "Reused, …"), in the order the pages came. */
function pages(proc: Proc): string[] {
  return [...proc.stdoutText.matchAll(/^(New|Reused), (TLSv1\.[23]),/gm)].map((match) => `${match[1]} ${match[2]}`);
}

/**
 * `openssl s_client` against our echo server: writes `line`, waits for its echo (our tickets go out before it, so the
 * session is complete by then), then ends stdin and waits for the exit.
 */
async function sClientEcho(port: number, args: readonly string[], line: string, scope: Set<Proc>): Promise<Proc> {
  const proc = spawnProc('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', CA, '-verify_return_error', ...args], { scope });
  proc.write(line);
  // Not anchored at a line start: s_client prints sessions through a buffered BIO, the echo with write(2).
  await proc.waitFor(new RegExp(`${line}`));
  proc.end();
  await proc.exited;
  return proc;
}

/** Waits until our server has logged `count` JSON lines and returns them. */
async function serverRecords(server: Proc, count: number): Promise<Record<string, unknown>[]> {
  await server.waitUntil(() => jsonLines(server.stderr).length >= count, `${count} JSON lines from our server`);
  const lines = jsonLines(server.stderr);
  expect(lines, server.describe()).toHaveLength(count);
  return lines;
}

describe.concurrent.each([
  ['TLS 1.3', '-tls1_3', 'TLSv1.3'],
  ['TLS 1.2', '-tls1_2', 'TLSv1.2'],
] as const)('tlsbio client against openssl s_server -www (%s)', (_name, opensslVersion, version) => {
  it('--reconnect 2: a full handshake then two resumed ones, "Reused" on both of s_server\'s pages', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await opensslServer(3, ['-www', opensslVersion], scope);
    const client = await runWithInput(ourClient(port, ['--reconnect', '2'], scope), GET);
    const lines = records(client, 3, server);
    expect(lines.map((line) => [line.version, line.resumed])).toEqual([
      [version, false],
      [version, true],
      [version, true],
    ]);
    // The resumed connections still report the server's verified chain (from the session).
    expect(lines[2]).toMatchObject({ verify: 'ok', peer_subject: expect.stringMatching(/CN=localhost/) });
    expect(pages(client)).toEqual([`New ${version}`, `Reused ${version}`, `Reused ${version}`]);
    expect(client.stdoutText).toMatch(/^\s*2 session cache hits$/m);
  });

  it('--sess_out, then --sess_in in another process: "Reused"', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await opensslServer(2, ['-www', opensslVersion], scope);
    const saved = join(tmp(), `s_server-${port}.session`);
    const first = await runWithInput(ourClient(port, ['--sess_out', saved], scope), GET);
    expect(records(first, 1, server)[0]).toMatchObject({ version, resumed: false });
    expect(pages(first)).toEqual([`New ${version}`]);
    const second = await runWithInput(ourClient(port, ['--sess_in', saved], scope), GET);
    expect(records(second, 1, server)[0]).toMatchObject({ version, resumed: true });
    expect(pages(second)).toEqual([`Reused ${version}`]);
  });
});

describe.concurrent('openssl s_client resumes against tlsbio server --json', () => {
  it('TLS 1.3: -sess_out, then -sess_in: "Reused, TLSv1.3" and resumed in our JSON line', async ({ onTestFinished }) => {
    // (s_client -reconnect cannot show TLS 1.3 resumption: it drops each connection as soon as the handshake is
    // done, before any NewSessionTicket, so OpenSSL 3.0 makes a full handshake every time, against s_server too.)
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json'], { scope });
    const saved = join(tmp(), `ours13-${port}.pem`);
    const first = await sClientEcho(port, ['-tls1_3', '-sess_out', saved], 'first\n', scope);
    expect(first.stdoutText, first.describe()).toMatch(/^New, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$/m);
    const second = await sClientEcho(port, ['-tls1_3', '-sess_in', saved], 'second\n', scope);
    expect(second.stdoutText, second.describe()).toMatch(/^Reused, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$/m);
    const lines = await serverRecords(server, 2);
    expect(lines.map((line) => [line.version, line.resumed, line.bytes_in])).toEqual([
      ['TLSv1.3', false, 6],
      ['TLSv1.3', true, 7],
    ]);
  });

  it('TLS 1.2: -reconnect: five "Reused" after the first, six lines in our JSON', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json'], { scope });
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', CA, '-verify_return_error', '-tls1_2', '-reconnect'];
    // The line goes out on the last connection only (s_client drops the first five right after their handshakes).
    const client = await runWithInput(spawnProc('openssl', args, { scope }), 'last\n');
    expect(client.exit?.code, client.describe()).toBe(0);
    expect([...client.stdoutText.matchAll(/^(New|Reused), TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256$/gm)].map((match) => match[1])).toEqual([
      'New',
      ...Array<string>(5).fill('Reused'),
    ]);
    const lines = await serverRecords(server, 6);
    expect(lines.map((line) => line.resumed)).toEqual([false, true, true, true, true, true]);
    expect(lines.every((line) => line.version === 'TLSv1.2' && line.sni === 'localhost')).toBe(true);
    expect(lines[5]).toMatchObject({ bytes_in: 5, bytes_out: 5 });
  });
});

describe.concurrent('0-RTT between the CLI and OpenSSL (TLS 1.3)', () => {
  it('tlsbio client --reconnect --early_data against s_server -early_data: accepted, and s_server prints the bytes as early data', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await opensslServer(2, ['-tls1_3', '-early_data'], scope);
    const early = file(`early-${port}`, 'EARLY-BYTES-0RTT\n');
    const client = await runWithInput(ourClient(port, ['--reconnect', '--early_data', early], scope), 'late-1rtt\n');
    const lines = records(client, 2, server);
    expect(lines.map((line) => [line.resumed, line.early_data, line.bytes_out])).toEqual([
      [false, 'not_sent', 10],
      [true, 'accepted', 27],
    ]);
    await server.waitFor(/(CONNECTION CLOSED[^]*){2}/);
    const out = server.stdoutText;
    // s_server's labels go through a buffered BIO, the data it prints with write(2): check each, not their order.
    expect(out).toContain('No early data received');
    expect(out).toContain('Early data received:');
    expect(out).toContain('End of early data');
    expect(out.match(/EARLY-BYTES-0RTT/g)).toHaveLength(1);
    expect(out.match(/late-1rtt/g)).toHaveLength(2);
    expect(out.match(/Reused session-id/g)).toHaveLength(1);
  });

  it('tlsbio client --sess_in --early_data twice with one session: OpenSSL takes the 0-RTT once, then refuses the reused ticket', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await opensslServer(3, ['-tls1_3', '-early_data'], scope);
    const saved = join(tmp(), `early-twice-${port}.session`);
    records(await runWithInput(ourClient(port, ['--sess_out', saved], scope), ''), 1, server);
    const early = file(`early-twice-${port}`, 'ONCE-ONLY\n');
    const accepted = await runWithInput(ourClient(port, ['--sess_in', saved, '--early_data', early], scope), 'first\n');
    expect(records(accepted, 1, server)[0]).toMatchObject({ resumed: true, early_data: 'accepted', bytes_out: 16 });
    // OpenSSL's anti-replay (on by default with -early_data) makes a ticket single-use: offered again, it is not
    // resumed and its 0-RTT is rejected. Our client then sends the early bytes as 1-RTT data, ahead of stdin's.
    const replayed = await runWithInput(ourClient(port, ['--sess_in', saved, '--early_data', early], scope), 'second\n');
    expect(records(replayed, 1, server)[0]).toMatchObject({ resumed: false, early_data: 'rejected', bytes_out: 17 });
    await server.waitFor(/(CONNECTION CLOSED[^]*){3}/);
    const out = server.stdoutText;
    expect(out).toContain('Early data received:');
    expect(out).toContain('Early data was rejected');
    expect(out.match(/ONCE-ONLY/g)).toHaveLength(2);
    expect(out.match(/Reused session-id/g)).toHaveLength(1);
  });

  it('openssl s_client -sess_in -early_data against tlsbio server --early_data: "Early data was accepted", early_data accepted in our JSON', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { proc: server, port } = await startOurServer([...OUR_ECDSA, '--json', '--early_data'], { scope });
    const saved = join(tmp(), `ours-early-${port}.pem`);
    const first = await sClientEcho(port, ['-tls1_3', '-sess_out', saved], 'first\n', scope);
    // Our tickets allow 16384 bytes of early data (the CLI's --early_data limit, as s_server's).
    expect(first.stdoutText, first.describe()).toMatch(/Max Early Data: 16384/);
    const early = file(`s_client-early-${port}`, 'GET /zero-rtt\n');
    const second = await sClientEcho(port, ['-tls1_3', '-sess_in', saved, '-early_data', early], 'one-rtt\n', scope);
    expect(second.stdoutText, second.describe()).toMatch(/^Reused, TLSv1\.3, /m);
    expect(second.stdoutText).toContain('Early data was accepted');
    // Our echo server sends the early bytes back first.
    expect(second.stdoutText).toContain('GET /zero-rtt\none-rtt\n');
    const lines = await serverRecords(server, 2);
    expect(lines.map((line) => [line.resumed, line.early_data, line.bytes_in])).toEqual([
      [false, 'not_sent', 6],
      [true, 'accepted', 22],
    ]);
  });
});
