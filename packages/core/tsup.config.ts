import { defineConfig } from 'tsup';

// `index` is the portable build (browsers, Deno, Workers): it must never import a Node built-in.
// `node` adds the node:crypto provider and makes it the default under the `node` export condition.
const entry = { index: 'src/index.ts', node: 'src/node.ts' };

export default defineConfig([
  // ESM keeps @noble external so applications share one copy with their other dependencies.
  { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'es2022', platform: 'neutral' },
  // @noble 2.x ships ESM only: the CJS build carries it inside so `require` works everywhere.
  {
    entry, format: ['cjs'], dts: true, sourcemap: true, clean: false, target: 'es2022', platform: 'neutral',
    noExternal: [/^@noble\//],
  },
]);
