// The public surface of @tlsbio/core for browsers, Deno, Workers and bundlers: portable crypto by default.
export * from './api.js';
export { portableProvider as defaultProvider } from './crypto/portable/index.js';
