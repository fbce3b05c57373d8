// `tlsbio demo --browser`: serves the browser page on loopback, beside the demo's tunnel (relay + TLS server), so
// that the user's own browser runs the TLS handshake itself, through the relay.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CA } from '../demo-cert.js';
import { startTunnelDemo, type TunnelDemo } from '../ws-tunnel.js';
import { PAGE_HTML } from './html.js';

export interface BrowserDemo {
  /** The page to open, with the relay and target in its query. */
  readonly url: string;
  readonly tunnel: TunnelDemo;
  close(): Promise<void>;
}

/**
 * Starts the page server on `host:port` (port 0 picks one) and the tunnel, whose relay accepts only this page's
 * origin. `pageScript` is the bundled page (dist/browser-page.js).
 */
export async function startBrowserDemo(pageScript: string, port = 0, host = '127.0.0.1'): Promise<BrowserDemo> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page.invalid').pathname;
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    else if (path === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(pageScript);
    else if (path === '/ca.pem') response.writeHead(200, { 'content-type': 'text/plain' }).end(DEMO_CA);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: pagePort } = server.address() as AddressInfo;
  const tunnel = await startTunnelDemo({ origins: [`http://${host}:${pagePort}`, `http://localhost:${pagePort}`] });
  const query = new URLSearchParams({ relay: tunnel.relayUrl, target: tunnel.target });
  return {
    url: `http://${host}:${pagePort}/?${query}`,
    tunnel,
    close: async () => {
      await tunnel.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
