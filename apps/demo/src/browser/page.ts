// The page of `tlsbio demo --browser`, also run by the repository's Chromium test: bundled for the browser platform
// with core's portable provider and the WebSocket client, nothing from Node (tsup's `browser-page` build).
// It opens a WebSocket to the relay named in the query, runs a TLS handshake with the target through it (TLS 1.3 or
// 1.2 as negotiated; `&version=1.2` or `&version=1.3` pins the context to one), verifies the server against the CA
// served beside the page, sends one HTTP request and shows the answer.
import { TLSContext } from '@tlsbio/core';
import { TLSVersion } from '@tlsbio/errors';
import { connect } from '@tlsbio/transport-ws';

interface PageResult {
  ok: boolean;
  version?: string | null;
  cipher?: string | null;
  group?: string | null;
  provider?: string;
  status?: string;
  body?: string;
  handshakeMs?: number;
  totalMs?: number;
  error?: string;
  errorCode?: string;
}

declare global {
  interface Window {
    tlsbioResult?: PageResult;
  }
}

async function run(): Promise<PageResult> {
  const params = new URLSearchParams(location.search);
  const relay = params.get('relay');
  const target = params.get('target');
  const serverName = params.get('servername') ?? 'localhost';
  if (!relay || !target) throw new Error('the page needs ?relay=ws://...&target=HOST:PORT');
  const pinned = pinnedVersion(params.get('version'));
  const ca = await (await fetch('ca.pem')).text();
  const context = new TLSContext('client', {
    verifyMode: 'required',
    checkHostname: true,
    ...(pinned === undefined ? {} : { minimumVersion: pinned, maximumVersion: pinned }),
  });
  context.loadVerifyLocations({ cadata: ca });
  const started = performance.now();
  const stream = await connect(`${relay}/${target}`, { context, serverHostname: serverName });
  const handshakeMs = performance.now() - started;
  const info = stream.info();
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode(`GET /hello HTTP/1.1\r\nHost: ${serverName}\r\nConnection: close\r\n\r\n`));
  await writer.close();
  let response = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) response += decoder.decode(chunk, { stream: true });
  const [head = '', body = ''] = response.split('\r\n\r\n');
  return {
    ok: true,
    version: info.version,
    cipher: info.cipher,
    group: info.group,
    provider: context.provider.name,
    status: head.split('\r\n')[0] ?? '',
    body,
    handshakeMs: Math.round(handshakeMs),
    totalMs: Math.round(performance.now() - started),
  };
}

/** `?version=1.2` or `1.3`: the one version the context may negotiate; absent: both. */
function pinnedVersion(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (text === '1.2') return TLSVersion.TLSv1_2;
  if (text === '1.3') return TLSVersion.TLSv1_3;
  throw new Error(`?version= takes 1.2 or 1.3, got ${text}`);
}

function show(result: PageResult): void {
  window.tlsbioResult = result;
  const table = document.getElementById('result')!;
  table.replaceChildren(
    ...Object.entries(result).map(([key, value]) => {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.textContent = key;
      const cell = document.createElement('td');
      cell.textContent = String(value);
      row.append(name, cell);
      return row;
    }),
  );
  document.getElementById('status')!.textContent = result.ok ? 'TLS through the relay: OK' : 'TLS through the relay: FAILED';
  document.body.dataset.done = 'true';
}

run().then(show, (error: unknown) => {
  const e = error as { message?: string; code?: string };
  show({ ok: false, error: String(e?.message ?? error), errorCode: e?.code ?? '' });
});
