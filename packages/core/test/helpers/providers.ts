/**
 * The crypto providers every provider-agnostic suite runs against, and a scripted random source to make key shares
 * reproducible.
 */
import { createNodeProvider } from '../../src/node/crypto/index.js';
import { createPortableProvider } from '../../src/crypto/portable/index.js';
import type { CryptoProvider, ProviderOptions, RandomSource } from '../../src/crypto/provider.js';

/** A provider factory as both built-in providers export it. */
export type ProviderFactory = (options?: ProviderOptions) => CryptoProvider;

/** `[name, factory]` pairs, in the shape `describe.each` takes. */
export const providers: ReadonlyArray<readonly [string, ProviderFactory]> = [
  ['node', createNodeProvider],
  ['portable', createPortableProvider],
];

/** A random source that hands out exactly the chunks it was given, in order. */
export interface ScriptedRandom extends RandomSource {
  /** Replaces whatever was not drawn with `chunks` (a rejected key share may leave its key undrawn). */
  load(...chunks: Uint8Array[]): void;
  /** How many queued chunks have not been drawn yet. */
  readonly remaining: number;
}

/**
 * A random source returning `chunks` in order, each as a fresh copy (providers may wipe what they draw).
 * A draw of a different length than the next chunk, or past the last one, throws: a test that injects a key through
 * the random source then fails loudly instead of silently using other bytes.
 */
export function fixedRandom(...chunks: Uint8Array[]): ScriptedRandom {
  const queue = [...chunks];
  const draw = (length: number): Uint8Array => {
    const next = queue.shift();
    if (next === undefined) throw new Error(`fixedRandom: asked for ${length} bytes with no chunk left`);
    if (next.length !== length) {
      throw new Error(`fixedRandom: asked for ${length} bytes, the next chunk has ${next.length}`);
    }
    return next.slice();
  };
  return Object.defineProperties(draw, {
    load: { value: (...next: Uint8Array[]) => void queue.splice(0, queue.length, ...next) },
    remaining: { get: () => queue.length },
  }) as ScriptedRandom;
}
