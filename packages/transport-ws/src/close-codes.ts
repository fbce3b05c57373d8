/**
 * The WebSocket close codes of a tlsbio tunnel, shared by the client transport, the relay and the WS-terminating
 * server, so that a client can name the relay's reason for ending a tunnel. RFC 6455 §7.4.1 codes where one fits;
 * the 4000–4999 range (§7.4.2, private use) for the relay's own refusals. The package README lists them all.
 */
export const CloseCode = {
  /** The tunnel ended as intended: the target closed its side, or the client closed. */
  NORMAL: 1000,
  /** The relay or server is shutting down. */
  GOING_AWAY: 1001,
  /** A text frame: a tunnel carries binary frames only. */
  UNSUPPORTED_DATA: 1003,
  /** A frame larger than the relay's `maxFrameBytes`. */
  MESSAGE_TOO_BIG: 1009,
  /** An unexpected failure inside the relay. */
  INTERNAL_ERROR: 1011,
  /** `maxConnections` tunnels are open already. */
  TRY_AGAIN_LATER: 1013,
  /** The URL names no target, or a malformed one (`/HOST:PORT` or `?target=HOST:PORT`). */
  BAD_TARGET: 4400,
  /** The `authorize` hook refused the request (or threw). */
  UNAUTHORIZED: 4401,
  /** The request's `Origin` is not one of `origins`. */
  ORIGIN_NOT_ALLOWED: 4403,
  /** The target's `host:port` is not on the allow-list. */
  TARGET_NOT_ALLOWED: 4404,
  /** The target resolved only to refused addresses (loopback, private, link-local, metadata, reserved). */
  ADDRESS_NOT_ALLOWED: 4405,
  /** The target's name did not resolve. */
  DNS_FAILED: 4406,
  /** No byte moved either way for `idleTimeoutMs`. */
  IDLE_TIMEOUT: 4408,
  /** The target refused the TCP connection, or it failed before it opened. */
  TARGET_UNREACHABLE: 4502,
  /** The target's connection failed after it opened (a reset, for one). */
  TARGET_RESET: 4503,
  /** The TCP connection to the target did not open within `connectTimeoutMs`. */
  TARGET_TIMEOUT: 4504,
} as const;

export type CloseCodeName = keyof typeof CloseCode;

const NAMES = new Map<number, CloseCodeName>(
  (Object.entries(CloseCode) as [CloseCodeName, number][]).map(([name, code]) => [code, name]),
);

/** The name of a close code from {@link CloseCode}, e.g. `'TARGET_NOT_ALLOWED'` for 4404, or `undefined`. */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return NAMES.get(code);
}
