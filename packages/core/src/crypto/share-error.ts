import { ProtocolError } from '@tlsbio/errors';
import type { GroupName } from './provider.js';

/**
 * The error for any unusable key share from the peer, in every provider: always `INVALID_KEY_SHARE`
 * (illegal_parameter, RFC 8446 §4.2.8), with the library's own error, if any, kept as `cause` rather than escaping raw.
 */
export function invalidKeyShare(group: GroupName, detail: string, cause?: unknown): ProtocolError {
  return new ProtocolError('INVALID_KEY_SHARE', `${group} key share: ${detail}`, {
    fault: 'remote',
    ...(cause === undefined ? {} : { cause }),
  });
}
