import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    // The two builds run in parallel: this one's clean must not remove the page the other one writes.
    clean: ['!browser-page.js'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
  // The page of `tlsbio demo --browser`: one self-contained browser bundle (core's portable provider + the
  // WebSocket client), read and served by the CLI. The browser platform resolves each package's `browser` export.
  {
    entry: { 'browser-page': 'src/browser/page.ts' },
    format: ['esm'],
    clean: false,
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
  },
]);
