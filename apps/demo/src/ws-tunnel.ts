// The demo's WebSocket tunnel, all on loopback in this process: a tlsbio TLS server (TCP), and a tlsbio relay in
// front of it. Used by the demo's WebSocket section and by `tlsbio demo --browser`.
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { createServer } from '@tlsbio/transport-net';
import { createRelay, type RelayLogEntry } from '@tlsbio/transport-ws/relay';
import { DEMO_SERVER_CERT, DEMO_SERVER_KEY } from './demo-cert.js';

export interface TunnelDemo {
  /** `ws://127.0.0.1:PORT`: append `/HOST:PORT` for a tunnel. */
  readonly relayUrl: string;
  /** The TLS server behind the relay, as the relay's allow-list names it: `localhost:PORT`. */
  readonly target: string;
  /** What the relay logged, one entry per tunnel. */
  readonly relayLog: readonly RelayLogEntry[];
  close(): Promise<void>;
}

/**
 * Starts the TLS server and the relay. The relay allows only the server, plus 169.254.169.254:80 so that the demo
 * can show the address check refusing a cloud-metadata address even behind the allow-list.
 */
export async function startTunnelDemo(options: { origins?: readonly string[] } = {}): Promise<TunnelDemo> {
  const context = new TLSContext('server');
  context.loadCertChain(DEMO_SERVER_CERT, DEMO_SERVER_KEY);
  const server = createServer({ context }, (stream) => void answerHttp(stream));
  const { port } = await server.listen(0, '127.0.0.1');
  const relayLog: RelayLogEntry[] = [];
  const relay = createRelay({
    port: 0,
    host: '127.0.0.1',
    allow: [`localhost:${port}`, '169.254.169.254:80'],
    allowAddresses: ['127.0.0.1', '::1'],
    ...(options.origins === undefined ? {} : { origins: options.origins }),
    log: (entry) => relayLog.push(entry),
  });
  await relay.ready;
  return {
    relayUrl: `ws://127.0.0.1:${relay.address()!.port}`,
    target: `localhost:${port}`,
    relayLog,
    close: async () => {
      await relay.close();
      await server.close();
    },
  };
}

const MAX_REQUEST = 16 * 1024;

/** Reads one HTTP request head and answers with what was negotiated, like `openssl s_server -www`; then closes. */
async function answerHttp(stream: SecureStream): Promise<void> {
  const reader = stream.readable.getReader();
  const decoder = new TextDecoder();
  let request = '';
  try {
    while (!request.includes('\r\n\r\n') && request.length < MAX_REQUEST) {
      const { value, done } = await reader.read();
      if (done) break;
      request += decoder.decode(value, { stream: true });
    }
  } catch {
    return; // the client went away
  }
  reader.releaseLock();
  const info = stream.info();
  const body = `Hello from a tlsbio server, through a tlsbio relay.\nversion ${info.version}, cipher ${info.cipher}, group ${info.group}\n`;
  const bytes = new TextEncoder().encode(body);
  const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
  try {
    const writer = stream.writable.getWriter();
    await writer.write(new TextEncoder().encode(head + body));
    writer.releaseLock();
    await stream.close();
  } catch {
    // a client that left without close_notify: nothing to answer any more
  }
}
