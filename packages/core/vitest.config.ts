import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // The protocol tests run over @tlsbio/transport-memory's ConnectionPair, which depends on core: core cannot list it
  // as a dependency (a cycle for pnpm and turbo), so the tests take it from its source, and its own imports of
  // @tlsbio/core resolve to core's source too (one copy of every class, the code under test). Same mapping for tsc
  // in tsconfig.json's paths.
  resolve: {
    alias: [
      { find: /^@tlsbio\/transport-memory$/, replacement: source('../transport-memory/src/index.ts') },
      { find: /^@tlsbio\/core$/, replacement: source('./src/index.ts') },
    ],
  },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
