import { defineConfig } from 'tsup';

export default defineConfig({
  // `index` is the browser-safe client (no `ws`, no Node built-in); `relay` and `server` are Node only.
  entry: { index: 'src/index.ts', relay: 'src/relay.ts', server: 'src/server.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Class names are API (error.name, instanceof messages); esbuild would otherwise rename self-referencing classes.
  keepNames: true,
});
