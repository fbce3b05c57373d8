import { defineConfig } from 'tsup';

// `index` is the portable build (browsers, Deno, Workers): it must never import a Node built-in.
// `node` adds the node:crypto provider and makes it the default under the `node` export condition.
const entry = { index: 'src/index.ts', node: 'src/node/index.ts' };
// No keepNames: it wraps every arrow function in `__name(fn, "…")`, a defineProperty that gives each closure made
// at run time its own property array (56 -> 312 bytes, ~11 KiB per idle connection pair through `secure()`). Without
// it esbuild renames only on a clash inside the bundle (none among the exported names, checked) and names a
// self-referencing internal class `_Name`; the error classes, whose names are API, live in @tlsbio/errors.
const keepNames = false;

export default defineConfig([
  // ESM keeps @noble external so applications share one copy with their other dependencies.
  { entry, format: ['esm'], dts: { compilerOptions: { stripInternal: true } }, sourcemap: true, clean: true, target: 'es2022', platform: 'neutral', keepNames },
  // @noble 2.x ships ESM only: the CJS build carries it inside so `require` works everywhere.
  {
    entry, format: ['cjs'], dts: { compilerOptions: { stripInternal: true } }, sourcemap: true, clean: false, target: 'es2022', platform: 'neutral', keepNames,
    noExternal: [/^@noble\//],
  },
]);
