// Demo section: one TLS connection through every transport, each moving `bytes` of data that is checked on arrival.
// A throw-away CA and server certificate are made first; servers listen on loopback only.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { get as httpsGet, createServer as createHttpsServer } from 'node:https';
import { PassThrough } from 'node:stream';
import { TLSContext, secure, splitTransport, type SecureStream, type Transport } from '@tlsbio/core';
import { createPair } from '@tlsbio/transport-memory';
import { connect, createConnection, createServer, type SecureSocket } from '@tlsbio/transport-net';
import { makeThrowawayPki, type ThrowawayPki } from '../throwaway-pki.js';
import type { DemoSection } from './section.js';

/** One row of the table. */
export interface TransportRow {
  readonly transport: string;
  readonly version: string | null;
  readonly cipher: string | null;
  readonly group: string | null;
  readonly handshakeMs: number;
  readonly mbPerSecond: number;
  /** Bytes that arrived and matched what was sent (0 when they did not all match). */
  readonly bytesVerified: number;
  readonly expected: number;
  readonly error?: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function payload(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 0x2545f491;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

interface Contexts {
  readonly client: TLSContext;
  readonly server: TLSContext;
}

function contexts(pki: ThrowawayPki): Contexts {
  const server = new TLSContext('server');
  server.loadCertChain(pki.chainPem, pki.keyPem);
  const client = new TLSContext('client');
  client.loadVerifyLocations({ cadata: pki.caPem });
  return { client, server };
}

/** Sends `data` through `stream` to an echoing peer, reads it back; the row's timings and checks. */
async function echoRow(name: string, stream: SecureStream, data: Uint8Array, started: number): Promise<TransportRow> {
  const info = await stream.opened;
  const handshakeMs = performance.now() - started;
  const moving = performance.now();
  const writer = stream.writable.getWriter();
  const hash = createHash('sha256');
  let received = 0;
  const reading = (async () => {
    for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
    }
  })();
  for (let offset = 0; offset < data.length; offset += 64 * 1024) await writer.write(data.subarray(offset, offset + 64 * 1024));
  await writer.close();
  await reading;
  await stream.closed;
  const seconds = (performance.now() - moving) / 1000;
  const ok = received === data.length && hash.digest('hex') === sha256(data);
  return {
    transport: name,
    version: info.version,
    cipher: info.cipher,
    group: info.group,
    handshakeMs,
    mbPerSecond: data.length / 1e6 / seconds,
    bytesVerified: ok ? received : 0,
    expected: data.length,
  };
}

/** Our server, echoing, on a loopback port. */
async function echoServer(context: TLSContext) {
  const server = createServer({ context }, (stream) => void stream.readable.pipeTo(stream.writable).catch(() => {}));
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, close: () => server.close({ dropConnections: true }) };
}

/** An echoing server stream over `transport` (for the in-process transports). */
function echoOver(transport: Transport, context: TLSContext): void {
  const server = secure(transport, context);
  void server.readable.pipeTo(server.writable).catch(() => {});
}

type RowRunner = (data: Uint8Array, pki: ThrowawayPki, tls: Contexts) => Promise<TransportRow>;

const ROWS: ReadonlyArray<readonly [string, RowRunner]> = [
  [
    'net: connect() → createServer()',
    async (data, _pki, tls) => {
      const server = await echoServer(tls.server);
      try {
        const started = performance.now();
        const stream = await connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', context: tls.client });
        return await echoRow('net: connect() → createServer()', stream, data, started);
      } finally {
        await server.close();
      }
    },
  ],
  [
    'Node Duplex: https.get → Node https',
    async (data, pki) => {
      const name = 'Node Duplex: https.get → Node https';
      const web = createHttpsServer({ cert: pki.chainPem, key: pki.keyPem }, (_req, res) => res.end(data));
      web.listen(0, '127.0.0.1');
      await once(web, 'listening');
      try {
        const { port } = web.address() as { port: number };
        const started = performance.now();
        let handshakeMs = 0;
        let moving = 0;
        const { body, socket } = await new Promise<{ body: Buffer; socket: SecureSocket }>((resolve, reject) => {
          const request = httpsGet(`https://localhost:${port}/`, { createConnection, ca: pki.caPem } as never, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ body: Buffer.concat(chunks), socket: response.socket as unknown as SecureSocket }));
            response.on('error', reject);
          });
          request.on('socket', (socket) =>
            socket.once('secureConnect', () => {
              handshakeMs = performance.now() - started;
              moving = performance.now();
            }),
          );
          request.on('error', reject);
        });
        const seconds = (performance.now() - moving) / 1000;
        const info = socket.info();
        const ok = body.length === data.length && sha256(body) === sha256(data);
        return {
          transport: name,
          version: info?.version ?? null,
          cipher: info?.cipher ?? null,
          group: info?.group ?? null,
          handshakeMs,
          mbPerSecond: data.length / 1e6 / seconds,
          bytesVerified: ok ? body.length : 0,
          expected: data.length,
        };
      } finally {
        web.closeAllConnections();
        await new Promise((resolve) => web.close(resolve));
      }
    },
  ],
  [
    'memory pair, 1..16384-byte fragments',
    async (data, _pki, tls) => {
      const [clientSide, serverSide] = createPair({ fragment: 16_384, seed: 7 });
      echoOver(serverSide, tls.server);
      const started = performance.now();
      return echoRow('memory pair, 1..16384-byte fragments', secure(clientSide, tls.client, { serverHostname: 'localhost' }), data, started);
    },
  ],
  [
    'split transport (Node streams)',
    async (data, _pki, tls) => {
      const up = new PassThrough();
      const down = new PassThrough();
      echoOver(splitTransport({ reader: up, writer: down }), tls.server);
      const started = performance.now();
      const stream = secure(splitTransport({ reader: down, writer: up }), tls.client, { serverHostname: 'localhost' });
      return echoRow('split transport (Node streams)', stream, data, started);
    },
  ],
];

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs every row (a failing row is reported, not thrown). */
export async function runTransportRows(bytes: number, progress: (line: string) => void = () => {}): Promise<TransportRow[]> {
  progress('  making a throw-away CA and server certificate (RSA-2048) …\n');
  const pki = makeThrowawayPki();
  const tls = contexts(pki);
  const data = payload(bytes);
  const rows: TransportRow[] = [];
  for (const [name, run] of ROWS) {
    progress(`  ${name} …`);
    let row: TransportRow;
    try {
      row = await run(data, pki, tls);
    } catch (error) {
      row = { transport: name, version: null, cipher: null, group: null, handshakeMs: 0, mbPerSecond: 0, bytesVerified: 0, expected: bytes, error: describe(error) };
    }
    progress(row.bytesVerified === row.expected ? ' ok\n' : ` FAILED${row.error === undefined ? '' : `: ${row.error}`}\n`);
    rows.push(row);
  }
  return rows;
}

/** The table, one line per transport. */
export function renderTransportTable(rows: readonly TransportRow[]): string {
  const header = ['transport', 'TLS', 'cipher', 'group', 'handshake ms', 'MB/s', 'bytes verified', ''];
  const lines = rows.map((row) => [
    row.transport,
    row.version ?? '-',
    row.cipher ?? '-',
    row.group ?? '-',
    row.handshakeMs.toFixed(1),
    row.mbPerSecond.toFixed(1),
    `${row.bytesVerified.toLocaleString('en-US')} / ${row.expected.toLocaleString('en-US')}`,
    row.bytesVerified === row.expected ? '✓' : `✗${row.error === undefined ? '' : ` ${row.error}`}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: readonly string[]) => `  ${cells.map((cell, column) => (column >= 4 && column <= 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd()}`;
  return [format(header), ...lines.map(format)].join('\n');
}

export function transportsSection(bytes: number): DemoSection {
  return {
    title: `One connection through every transport (${bytes.toLocaleString('en-US')} bytes each, checked on arrival)`,
    run: async (progress) => {
      const rows = await runTransportRows(bytes, progress);
      const ok = rows.every((row) => row.bytesVerified === row.expected);
      const text = [
        renderTransportTable(rows),
        '',
        '  handshake ms: from the first byte to the handshake done; MB/s: payload bytes a second (echoed rows carry each',
        '  byte both ways; https.get downloads). Throw-away certificates, loopback only; figures move with machine load.',
      ].join('\n');
      return { ok, text, data: rows };
    },
  };
}
