// The demo's transports section: one connection through every transport, checked byte for byte, as `tlsbio demo --json`
// reports it; and a failing row must show as ✗ and fail the section.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderTransportTable, runTransportRows, type TransportRow } from '../src/sections/transports.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('demo transports', () => {
  it('tlsbio demo --json --bytes N: every transport row verified its N bytes over TLS 1.3', () => {
    const result = spawnSync(process.execPath, [cli, 'demo', '--json', '--bytes', '300000'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; sections: Array<{ title: string; ok: boolean; data?: unknown }> };
    expect(report.ok).toBe(true);
    const section = report.sections.find((s) => s.title.startsWith('One connection through every transport'));
    const rows = section!.data as TransportRow[];
    expect(rows.map((row) => row.transport)).toEqual([
      'net: connect() → createServer()',
      'Node Duplex: https.get → Node https',
      'memory pair, 1..16384-byte fragments',
      'split transport (Node streams)',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ version: 'TLSv1.3', bytesVerified: 300_000, expected: 300_000 });
      expect(row.cipher).toMatch(/^TLS_/);
      expect(row.handshakeMs).toBeGreaterThan(0);
    }
  }, 120_000);

  it('runs the rows in process too, and a row that did not verify is marked ✗', async () => {
    const rows = await runTransportRows(10_000);
    expect(rows.every((row) => row.bytesVerified === 10_000)).toBe(true);
    const broken: TransportRow = { ...rows[0]!, bytesVerified: 0, error: 'SysCallError: boom' };
    const table = renderTransportTable([rows[1]!, broken]);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('✗ SysCallError: boom');
    expect(table.split('\n')[1]).toMatch(/✓$/);
  }, 120_000);

  it('refuses a bad --bytes', () => {
    const result = spawnSync(process.execPath, [cli, 'demo', '--bytes', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--bytes');
  });
});
