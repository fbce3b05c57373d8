import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Class names are API (error.name, instanceof messages); esbuild would otherwise rename self-referencing classes.
  keepNames: true,
});
