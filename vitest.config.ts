import { defineConfig } from 'vitest/config';

// One vitest run over every package (each keeps its own vitest.config.ts) plus the repository-level tests
// in test/ (packaging, browser entry). scripts/test.mjs drives it and prints CI's closing line.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      { test: { name: 'repo', include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } },
    ],
  },
});
