import { lookup as dnsLookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { InvalidArgumentError } from '@tlsbio/errors';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, closeCodeName } from '../close-codes.js';
import { listenForUpgrades, type ListenOptions, type ListeningAddress } from '../node/upgrade-server.js';
import { AddressPolicy, formatAddress, parseAddress, type AddressKind } from './address-policy.js';
import { AllowList, targetFromUrl, type RelayTarget } from './target.js';

export type { RelayTarget } from './target.js';
export type { AddressKind } from './address-policy.js';

/** Options of {@link createRelay}. Every limit has a safe default; nothing is reachable until `allow` says so. */
export interface RelayOptions extends ListenOptions {
  /**
   * Which targets may be reached (deny by default): `host:port` entries (`db.internal:5432`, `10.1.2.3:5432`,
   * `[2001:db8::1]:443`), `*.example.com:443` for any name under example.com, `host:*` for any port; or a function
   * deciding. A target passing here is still refused when it resolves to a refused address (see `allowAddresses`).
   */
  readonly allow: readonly string[] | ((target: RelayTarget) => boolean);
  /**
   * Networks exempt from the address check made after DNS, which otherwise refuses loopback, private, link-local,
   * cloud metadata, multicast and reserved addresses: e.g. `['10.1.0.0/16']` for an internal database network,
   * `['127.0.0.1']` for a service on the relay's own host.
   */
  readonly allowAddresses?: readonly string[];
  /** When given, a request's `Origin` header must be one of these (`https://app.example`); no Origin is refused. */
  readonly origins?: readonly string[];
  /** Called for every request that passed the other checks; `false` (or a throw, or a rejection) refuses it. */
  readonly authorize?: (request: IncomingMessage, target: RelayTarget) => boolean | Promise<boolean>;
  /**
   * The part of the path before `HOST:PORT` (or before `?target=`), starting and ending with `/`. Default `'/'`. On
   * a shared `server`, upgrades to other paths are left to its other listeners.
   */
  readonly pathPrefix?: string;
  /** Most tunnels open at once; the next is closed with 1013. Default 1000. */
  readonly maxConnections?: number;
  /**
   * Bytes buffered per tunnel and direction before the relay stops reading from the other side (and resumes once
   * they drained): a peer that does not read stalls its tunnel, it does not grow the relay's memory. Default 1 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Largest WebSocket message accepted; a larger one closes the tunnel with 1009. Default 256 KiB. */
  readonly maxFrameBytes?: number;
  /** A tunnel through which no byte moved for this long is closed with 4408. 0 disables. Default 5 minutes. */
  readonly idleTimeoutMs?: number;
  /** DNS look-up plus TCP connect to the target; past it the tunnel closes with 4504. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long a closing tunnel waits for the client's close frame before its socket is destroyed. Default 5 s. */
  readonly closeTimeoutMs?: number;
  /** Resolves a target name to addresses. Default: the system resolver (`dns.lookup` with `all: true`). */
  readonly lookup?: (hostname: string) => Promise<readonly string[]>;
  /** Receives one entry per refused or ended tunnel. Default: one line on stderr. `false` for none. */
  readonly log?: ((entry: RelayLogEntry) => void) | false;
}

/** What the relay says about a tunnel when it ends (`closed`) or is refused before it reached its target (`refused`). */
export interface RelayLogEntry {
  readonly event: 'refused' | 'closed';
  /** The close code sent (or received from the client, when it closed). */
  readonly code: number;
  /** The code's name from {@link CloseCode}, e.g. `'TARGET_NOT_ALLOWED'`. */
  readonly name: string;
  readonly message: string;
  readonly remoteAddress: string | undefined;
  readonly origin: string | undefined;
  /** `host:port` as requested, when the URL named one. */
  readonly target: string | undefined;
  /** The address connected to (or refused), when the relay got that far. */
  readonly address: string | undefined;
  /** Bytes from the client to the target, and back. */
  readonly bytesUp: number;
  readonly bytesDown: number;
}

/** Counters for monitoring (and for proving that nothing leaks). */
export interface RelayStats {
  /** Tunnels whose WebSocket is not closed yet. */
  readonly tunnels: number;
  /** TCP connections to targets not yet closed. */
  readonly targetSockets: number;
  /** Tunnels opened since start, and how many of them were refused. */
  readonly accepted: number;
  readonly refused: number;
}

/** A relay, returned at once by {@link createRelay}, like a Node server after `listen()`. */
export interface Relay {
  /**
   * Resolves once the relay listens on `port` (at once when attached to a `server`); rejects with `SysCallError`
   * when listening fails (port in use, no such interface). Await it before handing out `address()`.
   */
  readonly ready: Promise<void>;
  /** The address listened on (the given server's, when attached to one), or `null` before `ready`. */
  address(): ListeningAddress | null;
  /** Closes every tunnel with 1001, stops accepting, and resolves once every socket is closed. */
  close(): Promise<void>;
  stats(): RelayStats;
}

const DEFAULTS = {
  maxConnections: 1000,
  maxBufferedBytes: 1 << 20,
  maxFrameBytes: 256 << 10,
  idleTimeoutMs: 300_000,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 5_000,
};

/**
 * A WebSocket-to-TCP relay speaking the websockify convention: each WebSocket is one TCP stream, raw bytes in binary
 * frames. The relay sees only what the client sends, which for tlsbio is TLS ciphertext: it never holds a key.
 *
 * Each request goes through, in order: `maxConnections`, the `Origin` check, the target in the URL, the allow-list,
 * `authorize`, DNS, the address check (on every resolved address: the relay then connects to the checked address
 * itself, so a second, different DNS answer cannot slip past it), and the TCP connect. A failed step closes the
 * WebSocket with its code from {@link CloseCode} and logs one entry. Frames the client sends meanwhile are held
 * (up to `maxBufferedBytes`, then the client is no longer read).
 *
 * Returns the handle at once and starts listening, as Node's `server.listen()` does; `relay.ready` settles when
 * listening has begun (or failed, with `SysCallError`).
 *
 * @example
 * const relay = createRelay({ port: 8080, allow: ['db.internal:5432'], allowAddresses: ['10.1.0.0/16'] });
 * await relay.ready;
 * // browser: await connect('wss://relay.example/db.internal:5432', { context, serverHostname: 'db.internal' })
 *
 * @throws {InvalidArgumentError} for a malformed option (an allow-list entry, a network, a limit, `port` and
 *   `server` both or neither given), synchronously.
 */
export function createRelay(options: RelayOptions): Relay {
  const allow = options.allow;
  const allowList = Array.isArray(allow) ? new AllowList(allow) : undefined;
  if (!allowList && typeof allow !== 'function') {
    throw new InvalidArgumentError('allow', 'INVALID_ARGUMENT', 'must be a list of host:port entries or a function');
  }
  const permits = allowList ? (target: RelayTarget) => allowList.permits(target) : (allow as (target: RelayTarget) => boolean);
  const policy = new AddressPolicy(options.allowAddresses);
  const limits = {
    maxConnections: positive('maxConnections', options.maxConnections, DEFAULTS.maxConnections),
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
    maxFrameBytes: positive('maxFrameBytes', options.maxFrameBytes, DEFAULTS.maxFrameBytes),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs, DEFAULTS.idleTimeoutMs, 0),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULTS.connectTimeoutMs),
    closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, DEFAULTS.closeTimeoutMs),
  };
  const prefix = options.pathPrefix ?? '/';
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new InvalidArgumentError('pathPrefix', 'INVALID_ARGUMENT', `must start and end with /, got ${prefix}`);
  }
  const origins = options.origins === undefined ? undefined : new Set(options.origins);
  const lookup = options.lookup ?? defaultLookup;
  const log = options.log === false ? () => {} : (options.log ?? logLine);

  const tunnels = new Set<Tunnel>();
  const counters = { accepted: 0, refused: 0, targetSockets: 0 };
  let closing = false;
  let allClosed: (() => void) | undefined;

  const relayContext: RelayContext = {
    permits, policy, limits, origins, prefix, lookup, authorize: options.authorize, counters,
    log: (entry) => {
      if (entry.event === 'refused') counters.refused++;
      try {
        log(entry);
      } catch {
        // A failing logger must not take a tunnel (or the relay) down with it.
      }
    },
    active: () => [...tunnels].filter((tunnel) => !tunnel.closing).length,
    forget: (tunnel) => {
      tunnels.delete(tunnel);
      if (tunnels.size === 0) allClosed?.();
    },
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // websockify clients (noVNC and others) may ask for the `binary` sub-protocol: it is what every tunnel speaks.
    // Any other (websockify's old `base64`) is not offered back, so such a client fails at once instead of later.
    handleProtocols: (protocols: Set<string>) => (protocols.has('binary') ? 'binary' : false),
  });
  // On a shared server, only requests under the prefix are the relay's (a malformed target there is refused
  // with 4400); on our own, every request is.
  const isOurs = (request: IncomingMessage) => (request.url ?? '/').startsWith(prefix);
  const upgrades = listenForUpgrades(options, isOurs, (request, socket, head) => {
    if (closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {}); // an early reset of the client's socket is the client's business
    wss.handleUpgrade(request, socket, head, (ws) => {
      counters.accepted++;
      const tunnel = new Tunnel(ws, request, relayContext);
      tunnels.add(tunnel);
      tunnel.start();
    });
  });

  return {
    ready: upgrades.ready,
    address: () => upgrades.address(),
    stats: () => ({ tunnels: tunnels.size, targetSockets: counters.targetSockets, accepted: counters.accepted, refused: counters.refused }),
    close: async () => {
      closing = true;
      const drained = new Promise<void>((resolve) => {
        allClosed = resolve;
        if (tunnels.size === 0) resolve();
      });
      for (const tunnel of tunnels) tunnel.end(CloseCode.GOING_AWAY, 'the relay is shutting down');
      await drained;
      await upgrades.close();
    },
  };
}

function positive(name: string, value: number | undefined, fallback: number, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= minimum)) {
    throw new InvalidArgumentError(name, 'INVALID_ARGUMENT', `must be an integer of at least ${minimum}, got ${value}`);
  }
  return value;
}

async function defaultLookup(hostname: string): Promise<readonly string[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}

function logLine(entry: RelayLogEntry): void {
  const where = `${entry.remoteAddress ?? '?'} -> ${entry.target ?? '?'}${entry.address ? ` (${entry.address})` : ''}`;
  console.error(`tlsbio-relay ${entry.event} ${entry.code} ${entry.name} ${where}: ${entry.message} [up ${entry.bytesUp} B, down ${entry.bytesDown} B]`);
}

interface RelayContext {
  readonly permits: (target: RelayTarget) => boolean;
  readonly policy: AddressPolicy;
  readonly limits: typeof DEFAULTS;
  readonly origins: ReadonlySet<string> | undefined;
  readonly prefix: string;
  readonly lookup: (hostname: string) => Promise<readonly string[]>;
  readonly authorize: RelayOptions['authorize'];
  readonly counters: { targetSockets: number };
  readonly log: (entry: RelayLogEntry) => void;
  /** Tunnels open and not closing. */
  readonly active: () => number;
  readonly forget: (tunnel: Tunnel) => void;
}

/** A refusal or failure on the way to the target: the close code and what to log. */
class Refusal {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

/** One WebSocket and, once checked and connected, its TCP connection. */
class Tunnel {
  closing = false;
  readonly #ws: WebSocket;
  readonly #request: IncomingMessage;
  readonly #relay: RelayContext;
  #tcp: Socket | undefined;
  /** Client frames received before the target connection opened. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #target: string | undefined;
  #address: string | undefined;
  #bytesUp = 0;
  #bytesDown = 0;
  /** True once the target is connected and bytes flow: a failure then is a `closed` entry, not a `refused` one. */
  #flowing = false;
  #targetPaused = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #logged = false;

  constructor(ws: WebSocket, request: IncomingMessage, relay: RelayContext) {
    this.#ws = ws;
    this.#request = request;
    this.#relay = relay;
  }

  start(): void {
    const ws = this.#ws;
    const { limits } = this.#relay;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#fromClient(data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      // ws has already failed the connection (and sent its close frame, e.g. 1009): record why, drop the target.
      const code = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? CloseCode.MESSAGE_TOO_BIG : 1002;
      this.#report(code, `WebSocket error: ${error.message}`, true);
      this.closing = true;
      this.#tcp?.destroy();
    });
    ws.on('close', (code: number, reason: Buffer) => this.#closed(code, reason.toString()));
    if (limits.idleTimeoutMs > 0) {
      this.#idleTimer = setTimeout(() => this.end(CloseCode.IDLE_TIMEOUT, `nothing moved for ${limits.idleTimeoutMs} ms`), limits.idleTimeoutMs);
    }
    if (this.#relay.active() > limits.maxConnections) {
      this.end(CloseCode.TRY_AGAIN_LATER, `${limits.maxConnections} tunnels are open already`);
      return;
    }
    this.#open().catch((error: unknown) => {
      if (error instanceof Refusal) this.end(error.code, error.message);
      else this.end(CloseCode.INTERNAL_ERROR, `relay error: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** The checks, in order, then the connection. Throws a {@link Refusal}. */
  async #open(): Promise<void> {
    const relay = this.#relay;
    const request = this.#request;
    const origin = request.headers.origin;
    if (relay.origins && (origin === undefined || !relay.origins.has(origin))) {
      throw new Refusal(CloseCode.ORIGIN_NOT_ALLOWED, origin === undefined ? 'no Origin header' : `origin ${origin} is not allowed`);
    }
    const target = targetFromUrl(request.url ?? '/', relay.prefix);
    if (typeof target === 'string') throw new Refusal(CloseCode.BAD_TARGET, target);
    this.#target = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    if (!relay.permits(target)) throw new Refusal(CloseCode.TARGET_NOT_ALLOWED, 'not on the allow-list');
    if (relay.authorize) {
      let authorized: boolean;
      try {
        authorized = (await relay.authorize(request, target)) === true;
      } catch (error) {
        throw new Refusal(CloseCode.UNAUTHORIZED, `authorize threw: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!authorized) throw new Refusal(CloseCode.UNAUTHORIZED, 'authorize refused the request');
      if (this.closing) return;
    }

    const deadline = Date.now() + relay.limits.connectTimeoutMs;
    const addresses = await this.#resolve(target, deadline);
    if (this.closing) return;
    // Every answer is checked; the relay connects to the checked bytes, never to the name again.
    const permitted: string[] = [];
    const refused: string[] = [];
    for (const text of addresses) {
      const bytes = parseAddress(text);
      const kind: AddressKind | 'unparsable' | undefined = bytes ? relay.policy.check(bytes) : 'unparsable';
      if (kind === undefined) permitted.push(formatAddress(bytes!));
      else refused.push(`${text} (${kind})`);
    }
    if (permitted.length === 0) {
      this.#address = refused.join(', ');
      throw new Refusal(CloseCode.ADDRESS_NOT_ALLOWED, `resolved only to refused addresses: ${refused.join(', ')}`);
    }
    await this.#connect(permitted, target.port, deadline);
  }

  async #resolve(target: RelayTarget, deadline: number): Promise<readonly string[]> {
    if (target.isAddress) return [target.host];
    let timer: NodeJS.Timeout | undefined;
    try {
      const addresses = await Promise.race([
        this.#relay.lookup(target.host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Refusal(CloseCode.TARGET_TIMEOUT, 'DNS look-up timed out')), Math.max(0, deadline - Date.now()));
        }),
      ]);
      if (addresses.length === 0) throw new Refusal(CloseCode.DNS_FAILED, `${target.host} has no address`);
      return addresses;
    } catch (error) {
      if (error instanceof Refusal) throw error;
      throw new Refusal(CloseCode.DNS_FAILED, `${target.host} did not resolve: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tries each permitted address in turn until one connects. */
  async #connect(addresses: readonly string[], port: number, deadline: number): Promise<void> {
    let lastError = '';
    for (const address of addresses) {
      this.#address = address;
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const outcome = await this.#connectOne(address, port, remaining);
      if (outcome === 'connected' || this.closing) return;
      lastError = outcome;
      if (outcome === 'timeout') break;
    }
    if (lastError === 'timeout' || lastError === '') {
      throw new Refusal(CloseCode.TARGET_TIMEOUT, `no connection within ${this.#relay.limits.connectTimeoutMs} ms`);
    }
    throw new Refusal(CloseCode.TARGET_UNREACHABLE, `connect failed: ${lastError}`);
  }

  #connectOne(address: string, port: number, timeoutMs: number): Promise<string> {
    const relay = this.#relay;
    return new Promise((resolve) => {
      const tcp = netConnect({ host: address, port, noDelay: true });
      relay.counters.targetSockets++;
      tcp.once('close', () => relay.counters.targetSockets--);
      const timer = setTimeout(() => {
        tcp.destroy();
        resolve('timeout');
      }, timeoutMs);
      tcp.once('error', (error: Error & { code?: string }) => {
        clearTimeout(timer);
        resolve(error.code ?? error.message);
      });
      tcp.once('connect', () => {
        clearTimeout(timer);
        tcp.removeAllListeners('error');
        if (this.closing) {
          tcp.destroy();
        } else {
          this.#pipe(tcp);
        }
        resolve('connected');
      });
    });
  }

  #pipe(tcp: Socket): void {
    const { maxBufferedBytes } = this.#relay.limits;
    const ws = this.#ws;
    this.#tcp = tcp;
    this.#flowing = true;
    tcp.on('error', (error: Error & { code?: string }) => this.end(CloseCode.TARGET_RESET, `target connection failed: ${error.code ?? error.message}`));
    tcp.on('end', () => this.end(CloseCode.NORMAL, 'the target closed the connection'));
    tcp.on('drain', () => ws.resume());
    const resumeTarget = () => {
      if (this.#targetPaused && ws.bufferedAmount <= maxBufferedBytes) {
        this.#targetPaused = false;
        tcp.resume();
      }
    };
    tcp.on('data', (chunk: Buffer) => {
      this.#bytesDown += chunk.length;
      this.#idleTimer?.refresh();
      ws.send(chunk, { binary: true }, resumeTarget);
      // The client does not keep up: stop reading the target until the WebSocket has sent what it holds.
      if (ws.bufferedAmount > maxBufferedBytes && !this.#targetPaused) {
        this.#targetPaused = true;
        tcp.pause();
      }
    });
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const chunk of held) tcp.write(chunk);
    ws.resume();
  }

  #fromClient(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    if (!isBinary) {
      this.end(CloseCode.UNSUPPORTED_DATA, 'a text frame: the tunnel carries binary frames only');
      return;
    }
    this.#bytesUp += data.length;
    this.#idleTimer?.refresh();
    const { maxBufferedBytes } = this.#relay.limits;
    const tcp = this.#tcp;
    if (tcp) {
      tcp.write(data);
      // The target does not keep up: stop reading the client until the socket drains.
      if (tcp.writableLength > maxBufferedBytes) this.#ws.pause();
      return;
    }
    this.#held.push(data);
    this.#heldBytes += data.length;
    if (this.#heldBytes > maxBufferedBytes) this.#ws.pause();
  }

  /** Closes the tunnel with `code`: logs once, sends the close frame, drops the target, bounds the wait. */
  end(code: number, message: string): void {
    if (this.closing) return;
    this.closing = true;
    this.#report(code, message, true);
    clearTimeout(this.#idleTimer);
    const ws = this.#ws;
    // After a clean end from the target, its last bytes are already queued ahead of our close frame.
    if (code === CloseCode.NORMAL) this.#tcp?.end();
    else this.#tcp?.destroy();
    ws.resume();
    ws.close(code, closeCodeName(code) ?? '');
    this.#closeTimer = setTimeout(() => ws.terminate(), this.#relay.limits.closeTimeoutMs);
  }

  /** The WebSocket is closed: the one place a tunnel is released. */
  #closed(code: number, reason: string): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#closeTimer);
    if (!this.closing) {
      // The client ended the tunnel: forward what it sent, then our FIN, and let the target go.
      this.closing = true;
      this.#report(code, `the client closed the tunnel${reason ? ` (${reason})` : ''}`, false);
    }
    const tcp = this.#tcp;
    if (tcp && !tcp.destroyed) {
      if (code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY) tcp.end(() => tcp.destroy());
      else tcp.destroy();
      // A target that keeps sending after we ended must not hold the socket open.
      tcp.resume();
      setTimeout(() => tcp.destroy(), this.#relay.limits.closeTimeoutMs).unref();
    }
    this.#held = [];
    this.#relay.forget(this);
  }

  /** Logs the tunnel's end once: `refused` when the relay stopped it before it reached its target. */
  #report(code: number, message: string, byRelay: boolean): void {
    if (this.#logged) return;
    this.#logged = true;
    this.#relay.log({
      event: byRelay && !this.#flowing ? 'refused' : 'closed',
      code,
      name: closeCodeName(code) ?? 'UNKNOWN',
      message,
      remoteAddress: this.#request.socket.remoteAddress,
      origin: this.#request.headers.origin,
      target: this.#target,
      address: this.#address,
      bytesUp: this.#bytesUp,
      bytesDown: this.#bytesDown,
    });
  }
}
