import { InvalidArgumentError } from '@tlsbio/errors';
import type { RandomSource } from './provider.js';

/**
 * Wraps an injected random source so that a faulty one fails loudly at the call rather than deep inside a key
 * generation. Both providers apply it to `options.random`.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`, argument `random`) when the source returns anything but a
 *   Uint8Array of `length` bytes.
 */
export function checkedRandom(source: RandomSource): RandomSource {
  return (length: number): Uint8Array => {
    const bytes: unknown = source(length);
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw new InvalidArgumentError('random', 'INVALID_ARGUMENT', `must return a Uint8Array of ${length} bytes`);
    }
    return bytes;
  };
}
