// `tlsbio client` and `tlsbio server` resuming sessions, both as built (`node dist/cli.js`), over loopback TCP:
// --reconnect, --sess_out/--sess_in across processes, --no_ticket, --ticket-keys shared by two servers (and rotated),
// --early_data (0-RTT accepted, and rejected then sent again as 1-RTT data), in TLS 1.3 and TLS 1.2.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, assertBuilt, jsonLines, killAll, pki, runWithInput, startOurServer, tlsbio } from './interop-harness.js';

const SERVER_CERT = ['--cert', pki('server-ecdsa-chain.pem'), '--key', pki('server-ecdsa.key')];
const TRUST = ['--CAfile', pki('ca.pem')];
// Two ticket keys: A, B as 64 hex digits each.
const KEY_A = 'a1'.repeat(32);
const KEY_B = 'b2'.repeat(32);

let tmp: string;
beforeAll(() => {
  assertBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-resume-'));
});
afterEach(killAll);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function client(port: number, args: readonly string[]): Proc {
  return tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', ...TRUST, '--json', ...args]);
}

/** The client's JSON objects, one per connection, after a clean run. */
function records(proc: Proc, count: number): Record<string, unknown>[] {
  expect(proc.exit, proc.describe()).toEqual({ code: 0, signal: null });
  const lines = jsonLines(proc.stderr);
  expect(lines, proc.describe()).toHaveLength(count);
  return lines;
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

describe.each([
  ['TLS 1.3', '--tls1_3', 'TLSv1.3'],
  ['TLS 1.2', '--tls1_2', 'TLSv1.2'],
])('%s', (_name, versionFlag, version) => {
  it('--reconnect 2: a full handshake, then two resumed ones, each echoing the same stdin', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--json']);
    const proc = await runWithInput(client(port, [versionFlag, '--reconnect', '2']), 'same bytes\n');
    const lines = records(proc, 3);
    expect(lines.map((line) => line.resumed)).toEqual([false, true, true]);
    expect(lines.every((line) => line.version === version && line.bytes_in === 11 && line.bytes_out === 11)).toBe(true);
    // A resumed connection still reports the server's verified certificate (kept in the session).
    expect(lines[2]).toMatchObject({ verify: 'ok', peer_subject: expect.stringMatching(/CN=localhost/) });
    expect(proc.stdoutText).toBe('same bytes\n'.repeat(3));
    await server.waitFor(/("resumed":true.*){2}/s, { stream: 'stderr' });
    expect(jsonLines(server.stderr).map((line) => line.resumed)).toEqual([false, true, true]);
  });

  it('--sess_out then --sess_in in another process resumes; a server with --no_ticket gives no session', async () => {
    const { port } = await startOurServer([...SERVER_CERT]);
    const saved = join(tmp, `session-${version}`);
    records(await runWithInput(client(port, [versionFlag, '--sess_out', saved]), 'first\n'), 1);
    expect(existsSync(saved)).toBe(true);
    const [again] = records(await runWithInput(client(port, [versionFlag, '--sess_in', saved]), 'second\n'), 1);
    expect(again).toMatchObject({ version, resumed: true });

    const { port: noTicketPort } = await startOurServer([...SERVER_CERT, '--no_ticket']);
    const none = join(tmp, `none-${version}`);
    const lines = records(await runWithInput(client(noTicketPort, [versionFlag, '--reconnect', '--sess_out', none]), 'x'), 2);
    expect(lines.map((line) => line.resumed)).toEqual([false, false]);
    expect(existsSync(none)).toBe(false);
    // The first server's session offered to the --no_ticket server: a full handshake, not an error.
    const [full] = records(await runWithInput(client(noTicketPort, [versionFlag, '--sess_in', saved]), 'y'), 1);
    expect(full).toMatchObject({ resumed: false });
  });

  it('--ticket-keys: two servers with the same keys resume each other; a rotated-out key means a full handshake', async () => {
    const keysAB = file(`keys-ab-${version}`, `# current first\n${KEY_A}\n${KEY_B}\n`);
    const keysB = file(`keys-b-${version}`, `${KEY_B}\n`);
    const keysBA = file(`keys-ba-${version}`, `${KEY_B}\n\n${KEY_A}\n`);
    const { port: one } = await startOurServer([...SERVER_CERT, '--ticket-keys', keysAB]);
    const { port: two } = await startOurServer([...SERVER_CERT, '--ticket-keys', keysAB]);
    const { port: rotated } = await startOurServer([...SERVER_CERT, '--ticket-keys', keysBA]);
    const { port: dropped } = await startOurServer([...SERVER_CERT, '--ticket-keys', keysB]);
    const saved = join(tmp, `shared-${version}`);
    records(await runWithInput(client(one, [versionFlag, '--sess_out', saved]), 'a'), 1);
    const resumedOn = async (port: number) => records(await runWithInput(client(port, [versionFlag, '--sess_in', saved]), 'b'), 1)[0]!.resumed;
    expect(await resumedOn(two)).toBe(true);
    // Key A sealed the ticket: still accepted after a rotation that keeps it as a previous key, not once it is gone.
    expect(await resumedOn(rotated)).toBe(true);
    expect(await resumedOn(dropped)).toBe(false);
  });
});

describe('0-RTT (TLS 1.3)', () => {
  it('--early_data with --reconnect: accepted by a server with --early_data and echoed before the 1-RTT bytes', async () => {
    const { proc: server, port } = await startOurServer([...SERVER_CERT, '--early_data', '--json']);
    const early = file('early-accepted', 'GET /early\n');
    const proc = await runWithInput(client(port, ['--tls1_3', '--reconnect', '--early_data', early]), 'late\n');
    const lines = records(proc, 2);
    expect(lines.map((line) => [line.resumed, line.early_data, line.bytes_out])).toEqual([
      [false, 'not_sent', 5],
      [true, 'accepted', 16],
    ]);
    // The echo server returns the early bytes first, then stdin's.
    expect(proc.stdoutText).toBe('late\nGET /early\nlate\n');
    await server.waitFor(/"early_data":"accepted"/, { stream: 'stderr' });
  });

  it('a server without --early_data rejects it: the client reports it and sends the bytes again after the handshake', async () => {
    // The session must allow 0-RTT (a ticket from a server with --early_data) for the client to send any: the server
    // that rejects it shares that server's ticket keys, so it resumes the session but takes no early data.
    const keys = file('keys-early', `${KEY_A}\n`);
    const { port: allowing } = await startOurServer([...SERVER_CERT, '--early_data', '--ticket-keys', keys]);
    const { port } = await startOurServer([...SERVER_CERT, '--ticket-keys', keys]);
    const early = file('early-rejected', 'GET /early\n');
    const saved = join(tmp, 'session-for-early');
    records(await runWithInput(client(allowing, ['--tls1_3', '--sess_out', saved]), ''), 1);
    const proc = await runWithInput(client(port, ['--tls1_3', '--sess_in', saved, '--early_data', early]), 'late\n');
    const [line] = records(proc, 1);
    // bytes_out counts the early bytes, sent again as 1-RTT data.
    expect(line).toMatchObject({ resumed: true, early_data: 'rejected', bytes_out: 16, bytes_in: 16 });
    expect(proc.stdoutText).toBe('GET /early\nlate\n');
  });

  it('a session without early data (a server without --early_data made it): nothing goes early, the bytes go after the handshake', async () => {
    const { port } = await startOurServer([...SERVER_CERT]);
    const saved = join(tmp, 'session-without-early');
    records(await runWithInput(client(port, ['--tls1_3', '--sess_out', saved]), ''), 1);
    const early = file('early-not-sent', 'GET /early\n');
    const proc = await runWithInput(client(port, ['--tls1_3', '--sess_in', saved, '--early_data', early]), 'late\n');
    expect(records(proc, 1)[0]).toMatchObject({ resumed: true, early_data: 'not_sent', bytes_out: 16, bytes_in: 16 });
    expect(proc.stdoutText).toBe('GET /early\nlate\n');
  });

  it('refuses --early_data without a session to send it under', async () => {
    const proc = await runWithInput(tlsbio(['client', '--connect', '127.0.0.1:9', '--early_data', file('unused', 'x')]), '');
    expect(proc.exit?.code, proc.describe()).toBe(2);
    expect(proc.stderr).toMatch(/--early_data needs a session/);
  });
});

describe('bad input', () => {
  it('a --sess_in file that is not a session ends in a clear error, exit code 1', async () => {
    const { port } = await startOurServer([...SERVER_CERT]);
    const proc = await runWithInput(client(port, ['--sess_in', file('garbage', 'not a session at all')]), '');
    expect(proc.exit?.code, proc.describe()).toBe(1);
    expect(jsonLines(proc.stderr)[0]).toMatchObject({ code: expect.any(String), error: expect.stringMatching(/--sess_in/) });
  });

  it('a --ticket-keys file with a short key stops the server with BAD_TICKET_KEYS', async () => {
    const proc = await runWithInput(
      tlsbio(['server', '--accept', '127.0.0.1:0', ...SERVER_CERT, '--json', '--ticket-keys', file('short-key', 'abcd\n')]),
      '',
    );
    expect(proc.exit?.code, proc.describe()).toBe(1);
    expect(jsonLines(proc.stderr)[0]).toMatchObject({ code: 'BAD_TICKET_KEYS' });
  });
});
