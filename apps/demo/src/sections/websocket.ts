// Demo section: TLS through the WebSocket relay, client -> relay -> tlsbio server, all on loopback in this process,
// once per crypto provider; then two tunnels the relay must refuse.
import { TLSContext, type CryptoProvider } from '@tlsbio/core';
import { connect, type WebSocketConstructor } from '@tlsbio/transport-ws';
import { WebSocket } from 'ws';
import { DEMO_CA } from '../demo-cert.js';
import { mark, renderTable } from '../format.js';
import { startTunnelDemo } from '../ws-tunnel.js';
import type { DemoSection } from './section.js';

const WS = WebSocket as unknown as WebSocketConstructor;

export function webSocketSection(providers: readonly CryptoProvider[]): DemoSection {
  return {
    title: 'TLS over WebSocket: client -> tlsbio relay -> tlsbio server (loopback, this process)',
    run: async () => {
      const tunnel = await startTunnelDemo();
      const rows: string[][] = [];
      const failures: string[] = [];
      try {
        for (const provider of providers) {
          const context = new TLSContext('client', { provider });
          context.loadVerifyLocations({ cadata: DEMO_CA });
          const label = `${provider.name} client, GET through the relay`;
          try {
            const started = performance.now();
            const stream = await connect(`${tunnel.relayUrl}/${tunnel.target}`, { WebSocket: WS, context, serverHostname: 'localhost' });
            const ms = performance.now() - started;
            const info = stream.info();
            const writer = stream.writable.getWriter();
            await writer.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
            await writer.close();
            let response = '';
            for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) response += new TextDecoder().decode(chunk);
            const ok = response.startsWith('HTTP/1.1 200 OK') && response.includes(`cipher ${info.cipher}, group ${info.group}`);
            if (!ok) failures.push(`${label}: unexpected answer ${JSON.stringify(response.slice(0, 80))}`);
            rows.push([label, `${info.version} ${info.cipher} ${info.group}`, `${ms.toFixed(1)} ms`, mark(ok)]);
          } catch (error) {
            failures.push(`${label}: ${String((error as Error)?.message ?? error)}`);
            rows.push([label, '-', '-', mark(false)]);
          }
        }
        const context = new TLSContext('client', { provider: providers[0] });
        context.loadVerifyLocations({ cadata: DEMO_CA });
        for (const [path, expected, why] of [
          ['/db.internal:5432', 4404, 'a target not on the allow-list'],
          ['/169.254.169.254:80', 4405, 'a cloud-metadata address (allow-listed here on purpose)'],
        ] as const) {
          const label = `relay refuses ${why}`;
          const error = await connect(`${tunnel.relayUrl}${path}`, { WebSocket: WS, context, serverHostname: 'localhost' }).then(
            (stream) => {
              void stream.close().catch(() => {});
              return undefined;
            },
            (e: unknown) => e as { cause?: { closeCode?: number; closeReason?: string } },
          );
          const code = error?.cause?.closeCode;
          const ok = code === expected;
          if (!ok) failures.push(`${label}: expected close code ${expected}, got ${code ?? 'a connection'}`);
          rows.push([label, `close ${code ?? '-'} ${error?.cause?.closeReason ?? ''}`.trimEnd(), '', mark(ok)]);
        }
      } finally {
        await tunnel.close();
      }
      const text = [
        renderTable([{ title: 'tunnel' }, { title: 'result' }, { title: 'handshake', align: 'right' }, { title: 'ok', align: 'center' }], rows),
        '',
        '  The relay saw only ciphertext. `tlsbio demo --browser` runs the same handshake in your browser.',
      ];
      if (failures.length > 0) text.push(`  ${failures.length} FAILED:`, ...failures.map((line) => `  ✗ ${line}`));
      return { ok: failures.length === 0, text: text.join('\n') };
    },
  };
}
