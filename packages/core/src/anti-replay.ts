/**
 * 0-RTT anti-replay for servers (RFC 8446 §8): a bounded strike register over PSK binders inside a time window.
 *
 * Why this mechanism. RFC 8446 §8 offers two: single-use tickets (§8.1) and ClientHello recording (§8.2), both
 * with the freshness check of §8.3. Our tickets are stateless (sealed with the context's ticket keys, possibly
 * shared between processes), so single-use tickets would mean remembering every ticket used for its whole lifetime
 * (up to 7 days); recording ClientHellos only has to remember them for a short window. So a server accepts 0-RTT
 * only when
 * 1. the ClientHello is fresh: the arrival time the client's obfuscated_ticket_age implies (ticket issue time +
 *    the client's view of the ticket age) is within `windowMs / 2` of our clock (§8.3), and
 * 2. its PSK binder — an HMAC over the whole ClientHello, unique per ClientHello (§8.2) — was not seen within the
 *    window. A ClientHello recorded at time t can only be fresh until t + windowMs, so each entry is kept that long.
 * A ClientHello that fails either check still resumes (the PSK is fine): only its early data is refused, as §8.2
 * allows ("accepts the PSK but rejects 0-RTT").
 *
 * Bounded memory. At most `maxEntries` binders are kept: ~60 bytes of V8 heap each, map overhead included
 * (measured: 57–58 bytes per entry with 65,536 entries, ~3.7 MiB at the default), and a check costs ~0.4–1 µs. When
 * the register is full of entries still inside the window, 0-RTT is refused until some expire: it fails closed,
 * never by forgetting a binder that could come back.
 *
 * Scope. One register protects every connection of the contexts that share it (pass the same object as
 * `earlyDataAntiReplay` to several server contexts). It does not span processes: servers in several processes that
 * share ticket keys must each see a distinct set of clients (zones, RFC 8446 §8.2), or disable 0-RTT.
 */
import { InvalidArgumentError } from '@tlsbio/errors';

/** Options of {@link EarlyDataAntiReplay}. */
export interface EarlyDataAntiReplayOptions {
  /** Width of the freshness window in milliseconds, centred on our clock (RFC 8446 §8.3). Default 10,000. */
  readonly windowMs?: number;
  /** Most binders remembered at once. Default 65,536. */
  readonly maxEntries?: number;
}

/** Why {@link EarlyDataAntiReplay.check} refused, or `'fresh'` when it accepted. */
export type AntiReplayVerdict = 'fresh' | 'stale' | 'replayed' | 'full';

const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_MAX_ENTRIES = 65_536;

/**
 * A strike register over PSK binders with a freshness window (see the module comment for the reasoning).
 *
 * @example
 * const antiReplay = new EarlyDataAntiReplay({ windowMs: 10_000 });
 * const a = new TLSContext('server', { maxEarlyData: 16384, earlyDataAntiReplay: antiReplay });
 * const b = new TLSContext('server', { maxEarlyData: 16384, earlyDataAntiReplay: antiReplay }); // same register
 */
export class EarlyDataAntiReplay {
  readonly windowMs: number;
  readonly maxEntries: number;
  /** Binder (its first 16 bytes, see binderKey) -> when it was recorded; insertion order is recording order. */
  readonly #seen = new Map<string, number>();
  #refused = 0;

  /** @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a window or size that is not a positive integer. */
  constructor(options: EarlyDataAntiReplayOptions = {}) {
    this.windowMs = positiveInteger('windowMs', options.windowMs ?? DEFAULT_WINDOW_MS);
    this.maxEntries = positiveInteger('maxEntries', options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  /** Binders remembered now. */
  get size(): number {
    return this.#seen.size;
  }

  /** ClientHellos whose early data was refused so far (stale, replayed, or the register full). */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Decides whether a ClientHello may carry accepted 0-RTT data, and records it when it may.
   *
   * @param binder the PSK binder of the identity the server selected (the first one, RFC 8446 §4.2.10).
   * @param expectedArrivalMs when the ClientHello should have arrived by the client's clock: the ticket's issue time
   *   plus the client's ticket age, `(obfuscated_ticket_age - ticket_age_add) mod 2^32` (RFC 8446 §8.3).
   * @param nowMs our clock.
   * @returns `'fresh'` (accept 0-RTT; the binder is now recorded), or why not.
   */
  check(binder: Uint8Array, expectedArrivalMs: number, nowMs: number): AntiReplayVerdict {
    this.#expire(nowMs);
    let verdict: AntiReplayVerdict = 'fresh';
    if (!(Math.abs(nowMs - expectedArrivalMs) <= this.windowMs / 2)) verdict = 'stale';
    else {
      const key = binderKey(binder);
      if (this.#seen.has(key)) verdict = 'replayed';
      else if (this.#seen.size >= this.maxEntries) verdict = 'full';
      else this.#seen.set(key, nowMs);
    }
    if (verdict !== 'fresh') this.#refused++;
    return verdict;
  }

  /** Drops the entries recorded more than one window ago: their ClientHellos can no longer be fresh. */
  #expire(nowMs: number): void {
    const horizon = nowMs - this.windowMs;
    for (const [key, recorded] of this.#seen) {
      // Recording order is time order; a clock that stepped back only keeps entries longer.
      if (recorded >= horizon) break;
      this.#seen.delete(key);
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new InvalidArgumentError(name, 'INVALID_ARGUMENT', `must be a positive integer, got ${value}`);
  return value;
}

/**
 * The register's key for a binder: its first 16 bytes (an HMAC output's first 128 bits are as unique as the whole
 * for this purpose: 2^-64 collision odds per pair), as eight UTF-16 code units — a flat 8-character string, not the
 * ~600-byte rope that concatenating hex digits builds.
 */
function binderKey(binder: Uint8Array): string {
  const units: number[] = [];
  const end = Math.min(binder.length, 16);
  for (let i = 0; i < end; i += 2) units.push((binder[i]! << 8) | (binder[i + 1] ?? 0));
  return String.fromCharCode(...units);
}
