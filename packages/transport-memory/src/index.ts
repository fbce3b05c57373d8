export { createPair, type Fault, type MemoryTransport, type PairOptions, type Side } from './pair.js';
