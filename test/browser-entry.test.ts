// The portable entry of core (and errors) must bundle for browsers with no Node built-in anywhere in the graph.
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

describe.each([
  ['@tlsbio/errors', 'packages/errors/dist/index.js'],
  ['@tlsbio/core (portable entry)', 'packages/core/dist/index.js'],
  // The WebSocket client: the relay and the WS-terminating server are other entries, so `ws` and `net` stay out.
  ['@tlsbio/transport-ws (client entry)', 'packages/transport-ws/dist/index.js'],
])('%s in a browser bundle', (_name, entry) => {
  it('bundles for the browser platform without any node: import', async () => {
    const result = await build({
      entryPoints: [resolve(root, entry)],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      // Resolve each package as a browser would: the `browser` condition, never `node`.
      conditions: ['browser'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((path) => /node_modules\/(\.pnpm\/ws@[^/]+\/node_modules\/)?ws\//.test(path))).toEqual([]);
    expect(imports.filter((path) => path.startsWith('node:') || /^(crypto|fs|net|os|path|buffer)$/.test(path))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(["']node:/);
  });
});

// The Node-only entries of transport-ws really are where `ws` and `net` live: the split above is not vacuous.
describe.each([
  ['@tlsbio/transport-ws/relay', 'packages/transport-ws/dist/relay.js', ['ws', 'net']],
  ['@tlsbio/transport-ws/server', 'packages/transport-ws/dist/server.js', ['ws']],
])('%s', (_name, entry, expected) => {
  it('imports its Node dependencies', async () => {
    const result = await build({
      entryPoints: [resolve(root, entry)],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      packages: 'external',
    });
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    // tsup writes Node built-ins without their `node:` prefix.
    for (const name of expected) expect(imports.map((path) => path.replace(/^node:/, ''))).toContain(name);
  });
});
