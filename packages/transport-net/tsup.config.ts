import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // No keepNames: its __name() wrapper gives every closure made at run time (per connection) its own property array.
  // Without it esbuild renames only on a clash inside the bundle (none among the exported names, checked).
  keepNames: false,
});
