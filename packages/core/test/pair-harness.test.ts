/**
 * The harness itself: core's protocol tests get @tlsbio/transport-memory's ConnectionPair (from its source, see
 * vitest.config.ts), cutting what each side sends into seeded pieces of at most 300 bytes, once per provider.
 */
import { WantReadError } from '@tlsbio/errors';
import { ConnectionPair as WirePair } from '@tlsbio/transport-memory';
import { describe, expect, it } from 'vitest';
import { MemoryBIO } from '../src/bio/memory-bio.js';
import { ConnectionPair, clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

describe.each(providers)('the protocol tests\' pair, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  it('is transport-memory\'s ConnectionPair over core\'s own MemoryBIO, handing over pieces of at most 300 bytes', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    expect(pair).toBeInstanceOf(WirePair);
    // One copy of core: the pair's BIOs are the class under test, not a built copy.
    expect(pair.clientIn).toBeInstanceOf(MemoryBIO);
    expect(() => pair.client.doHandshake()).toThrow(WantReadError);
    const sent = pair.clientOut.pending;
    let steps = 0;
    let largest = 0;
    for (let before = 0; pair.serverIn.pending < sent; before = pair.serverIn.pending, steps++) {
      pair.step();
      largest = Math.max(largest, pair.serverIn.pending - before);
    }
    expect(largest).toBeLessThanOrEqual(300);
    expect(steps).toBeGreaterThan(Math.floor(sent / 300));
    pair.handshake();
    expect(pair.client.version()).toBe('TLSv1.3');
  });
});
