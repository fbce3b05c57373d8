// The browser half of bench/ws.mjs: bundled by esbuild for the browser (core's portable provider + the WebSocket
// client) and run in Debian's Chromium. Query: relay, target, handshakes, bytes, suite, version (1.2 or 1.3, the only one
// the context may negotiate). Result in window.benchResult.
import { TLSContext } from '@tlsbio/core';
import { connect } from '@tlsbio/transport-ws';

/** Reads the server's answer (the number of bytes it counted) until its close_notify. */
async function drain(stream) {
  let text = '';
  for await (const chunk of stream.readable) text += new TextDecoder().decode(chunk);
  return Number(text);
}

async function run() {
  const params = new URLSearchParams(location.search);
  const url = `${params.get('relay')}/${params.get('target')}`;
  const handshakes = Number(params.get('handshakes'));
  const bytes = Number(params.get('bytes'));
  const version = params.get('version') === '1.2' ? 0x0303 : 0x0304; // TLS 1.2 / 1.3 on the wire
  const context = new TLSContext('client', {
    verifyMode: 'required',
    checkHostname: true,
    cipherSuites: [params.get('suite')],
    groups: version === 0x0303 ? ['x25519', 'secp256r1'] : ['x25519'], // 1.2: also the ECDSA curves accepted (RFC 8422 §5.1)
    minimumVersion: version,
    maximumVersion: version,
  });
  context.loadVerifyLocations({ cadata: await (await fetch('ca.pem')).text() });

  const times = [];
  for (let i = 0; i < handshakes; i++) {
    const started = performance.now();
    const stream = await connect(url, { context, serverHostname: 'localhost' });
    times.push(performance.now() - started);
    await stream.writable.close();
    await drain(stream);
  }

  const stream = await connect(url, { context, serverHostname: 'localhost' });
  const chunk = new Uint8Array(64 * 1024).fill(7);
  const started = performance.now();
  const writer = stream.writable.getWriter();
  const reading = drain(stream);
  for (let sent = 0; sent < bytes; sent += chunk.length) await writer.write(chunk);
  await writer.close();
  const answer = await reading;
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { ok: true, handshakeMs: times[Math.floor(times.length / 2)], bulkMBps: bytes / 1e6 / seconds, answer };
}

run().then(
  (result) => (window.benchResult = result),
  (error) => (window.benchResult = { ok: false, error: String(error?.message ?? error) }),
);
