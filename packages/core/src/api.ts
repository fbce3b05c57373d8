// Everything @tlsbio/core exports on every platform. Entry points (`index.ts`, `node.ts`) add the default provider.
export * from './crypto/provider.js';
export { createPortableProvider, portableProvider } from './crypto/portable/index.js';
export type { Transport, TransportInfo } from './transport.js';
export { MemoryBIO, type MemoryBIOOptions } from './bio/memory-bio.js';
