import { defineConfig } from 'tsup';

// `index` is the portable build (browsers, Deno, Workers): it must never import a Node built-in.
// `node` adds the node:crypto provider and makes it the default under the `node` export condition.
const entry = { index: 'src/index.ts', node: 'src/node.ts' };
// Class names are API (`error.name`, stack traces); esbuild would otherwise rename self-referencing classes.
const keepNames = true;

export default defineConfig([
  // ESM keeps @noble external so applications share one copy with their other dependencies.
  { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'es2022', platform: 'neutral', keepNames },
  // @noble 2.x ships ESM only: the CJS build carries it inside so `require` works everywhere.
  {
    entry, format: ['cjs'], dts: true, sourcemap: true, clean: false, target: 'es2022', platform: 'neutral', keepNames,
    noExternal: [/^@noble\//],
  },
]);
