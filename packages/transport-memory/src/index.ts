export { createPair, type Fault, type Fragmentation, type MemoryTransport, type PairOptions, type Side } from './pair.js';
export { ConnectionPair, type ConnectionPairOptions, type PairFault } from './connection-pair.js';
