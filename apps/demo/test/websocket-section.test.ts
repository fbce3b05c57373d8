// The demo's WebSocket section: real TLS through a real relay on loopback, and it must fail loudly when TLS breaks.
import { nodeProvider, portableProvider, type CryptoProvider, type HashAlgorithm } from '@tlsbio/core';
import { describe, expect, it } from 'vitest';
import { webSocketSection } from '../src/sections/websocket.js';

describe('the WebSocket section', () => {
  it('passes with both providers and shows the tunnels and the refusals', async () => {
    const { ok, text } = await webSocketSection([nodeProvider, portableProvider]).run();
    expect(ok, text).toBe(true);
    expect(text).toMatch(/node client, GET through the relay +TLSv1\.3 TLS_AES_128_GCM_SHA256 x25519 .*✓/);
    expect(text).toMatch(/portable client, GET through the relay +TLSv1\.3 .*✓/);
    expect(text).toMatch(/close 4404 TARGET_NOT_ALLOWED +✓/);
    expect(text).toMatch(/close 4405 ADDRESS_NOT_ALLOWED +✓/);
  });

  it('fails, with the reason, when the client cannot complete the handshake', async () => {
    const sha256 = nodeProvider.hashes.sha256 as HashAlgorithm;
    const broken: CryptoProvider = {
      ...nodeProvider,
      name: 'broken',
      hashes: {
        ...nodeProvider.hashes,
        sha256: { ...sha256, name: sha256.name, digest: (data) => sha256.digest(data).map((b, i) => (i === 0 ? b ^ 1 : b)) },
      },
    };
    const { ok, text } = await webSocketSection([broken]).run();
    expect(ok).toBe(false);
    expect(text).toMatch(/broken client, GET through the relay +- +- +✗/);
    expect(text).toMatch(/FAILED/);
  });
});
