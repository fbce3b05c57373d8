export { createPair } from './pair.js';
