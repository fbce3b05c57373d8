// The demo must fail loudly: a broken provider gives ✗ rows and a non-zero exit code. These tests feed it one.
import type { AeadAlgorithm, CryptoProvider, HashAlgorithm } from '@tlsbio/core';
import { nodeProvider } from '@tlsbio/core';
import { describe, expect, it } from 'vitest';
import type { Output } from '../src/commands/command.js';
import { runSections } from '../src/commands/demo.js';
import { renderChecks } from '../src/sections/crypto-checks.js';
import { selfCheck } from '../src/self-check.js';

function recorder(): Output & { text: () => string } {
  let text = '';
  return { out: (chunk) => void (text += chunk), err: (chunk) => void (text += chunk), text: () => text };
}

/** nodeProvider with an AES-128-GCM that skips tag verification and a SHA-256 that gets one bit wrong. */
function brokenProvider(): CryptoProvider {
  const aes = nodeProvider.aeads.aes_128_gcm as AeadAlgorithm;
  const sha256 = nodeProvider.hashes.sha256 as HashAlgorithm;
  const uncheckedAes: AeadAlgorithm = {
    ...aes,
    name: aes.name,
    importKey(key) {
      const real = aes.importKey(key);
      return {
        seal: (nonce, plaintext, aad) => real.seal(nonce, plaintext, aad),
        sealInPlace: (nonce, buffer, offset, length, aad) => real.sealInPlace(nonce, buffer, offset, length, aad),
        // "Decrypts" by sealing the ciphertext again: CTR mode is its own inverse, and the tag is never checked.
        open: (nonce, sealed, aad) => real.seal(nonce, sealed.subarray(0, sealed.length - 16), aad).subarray(0, sealed.length - 16),
      };
    },
  };
  const wrongSha256: HashAlgorithm = {
    ...sha256,
    name: sha256.name,
    digest(data) {
      const digest = sha256.digest(data);
      digest[0] = (digest[0] ?? 0) ^ 1;
      return digest;
    },
  };
  return {
    ...nodeProvider,
    name: 'broken',
    hashes: { ...nodeProvider.hashes, sha256: wrongSha256 },
    aeads: { ...nodeProvider.aeads, aes_128_gcm: uncheckedAes },
    randomBytes: nodeProvider.randomBytes,
    importPrivateKey: (key) => nodeProvider.importPrivateKey(key),
    importPublicKey: (key) => nodeProvider.importPublicKey(key),
  };
}

describe('self-check', () => {
  it('passes every row for the node provider', () => {
    const table = selfCheck([nodeProvider]);
    const failed = table.rows.filter((row) => !row.outcomes[0]?.ok);
    expect(failed).toEqual([]);
    expect(table.rows.length).toBe(28);
  });

  it('marks exactly the broken algorithms ✗, with their reasons', () => {
    const table = selfCheck([nodeProvider, brokenProvider()]);
    const failed = table.rows.filter((row) => !row.outcomes[1]?.ok).map((row) => row.label);
    expect(failed).toEqual(['SHA-256 "abc" = FIPS 180-4 (one-shot, running, fork)', 'aes_128_gcm seal/open, tampering rejected']);
    expect(table.rows.every((row) => row.outcomes[0]?.ok)).toBe(true);
    const rendered = renderChecks(table);
    expect(rendered.ok).toBe(false);
    expect(rendered.text).toContain('broken: aes_128_gcm seal/open, tampering rejected: a flipped ciphertext bit was not rejected');
    expect(rendered.text).toContain('2 of 56 checks FAILED');
  });
});

describe('runSections', () => {
  it('returns 0 when every section passes', async () => {
    const output = recorder();
    const code = await runSections([{ title: 'one', run: async () => ({ ok: true, text: '  fine' }) }], output);
    expect(code).toBe(0);
    expect(output.text()).toContain('Demo passed: 1 of 1 sections');
  });

  it('returns 1 when a section fails or throws, and still runs the others', async () => {
    const output = recorder();
    const ran: string[] = [];
    const code = await runSections([
      { title: 'fails', run: async () => (ran.push('fails'), { ok: false, text: '  ✗ no' }) },
      { title: 'throws', run: async () => { ran.push('throws'); throw new Error('boom'); } },
      { title: 'passes', run: async () => (ran.push('passes'), { ok: true, text: '  ✓ yes' }) },
    ], output);
    expect(code).toBe(1);
    expect(ran).toEqual(['fails', 'throws', 'passes']);
    expect(output.text()).toContain('the section stopped with Error: boom');
    expect(output.text()).toContain('Demo FAILED: 2 of 3 sections');
  });
});
