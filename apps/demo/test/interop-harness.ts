// Spawning real peers for the client/server and interop tests: our built CLI (`node dist/cli.js`), openssl and
// gnutls. Every process is bounded by a timeout and registered, so `killAll()` in afterEach leaves none behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';

export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** The test PKI of @tlsbio/core (packages/core/test/fixtures/pki). */
export const pkiDir = fileURLToPath(new URL('../../../packages/core/test/fixtures/pki/', import.meta.url));

/** The path of a file of the test PKI. */
export function pki(name: string): string {
  return `${pkiDir}${name}`;
}

export function assertBuilt(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'pnpm build' first`);
}

/** The test root, for --CAfile / -CAfile. */
export const CA = pki('ca.pem');
/** `openssl s_server`'s ECDSA chain: -cert takes only the leaf, so the intermediate goes in -cert_chain. */
export const OPENSSL_ECDSA = ['-cert', pki('server-ecdsa.pem'), '-cert_chain', pki('ca-int.pem'), '-key', pki('server-ecdsa.key')];
/** `tlsbio server`'s ECDSA chain (leaf and intermediate in one file). */
export const OUR_ECDSA = ['--cert', pki('server-ecdsa-chain.pem'), '--key', pki('server-ecdsa.key')];
/** `tlsbio server` with both chains, ECDSA and RSA: in TLS 1.2 the suite decides which one serves. */
export const OUR_BOTH = [...OUR_ECDSA, '--cert2', pki('server-rsa.pem'), '--key2', pki('server-rsa.key')];

/**
 * The set-up every interop file repeats: the CLI must be built before the tests, and no process may outlive the file
 * (the tests are concurrent: each kills its own through {@link testScope}, this catches the rest). With
 * `tempPrefix`, the file also gets a temporary folder, removed afterwards; the function returned gives its path.
 */
export function interopFile(options: { readonly tempPrefix?: string } = {}): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    assertBuilt();
    if (options.tempPrefix !== undefined) dir = mkdtempSync(join(tmpdir(), options.tempPrefix));
  });
  afterAll(async () => {
    await killAll();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error('no temporary folder: pass tempPrefix, and use it inside a test');
    return dir;
  };
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A spawned process with its output collected as it comes. */
export class Proc {
  readonly child: ChildProcess;
  readonly name: string;
  #stdout: Buffer[] = [];
  #stdoutLength = 0;
  #stderr: Buffer[] = [];
  #listeners = new Set<() => void>();
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;
  #timer: NodeJS.Timeout;

  constructor(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs: number }) {
    this.name = `${command} ${args.join(' ')}`;
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.#stdout.push(chunk);
      this.#stdoutLength += chunk.length;
      this.#notify();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr.push(chunk);
      this.#notify();
    });
    // A peer that exits early closes its stdin: writing to it must not crash the test process.
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#exit = { code, signal };
        clearTimeout(this.#timer);
        this.#notify();
        resolve({ code, signal });
      });
    });
    this.#timer = setTimeout(() => this.kill(), options.timeoutMs);
    running.add(this);
    options.scope?.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get stdout(): Buffer {
    // Concatenated once per new chunk, not once per look: waits look at every chunk.
    if (this.#stdout.length > 1) this.#stdout = [Buffer.concat(this.#stdout)];
    return this.#stdout[0] ?? Buffer.alloc(0);
  }
  get stdoutText(): string {
    return this.stdout.toString('latin1');
  }
  get stderr(): string {
    return Buffer.concat(this.#stderr).toString('utf8');
  }
  get exit(): Exit | undefined {
    return this.#exit;
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Waits until `pattern` matches stdout (or stderr), failing on exit or after `timeoutMs`. */
  async waitFor(pattern: RegExp, options: { stream?: 'stdout' | 'stderr'; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const stream = options.stream ?? 'stdout';
    let match: RegExpMatchArray | null = null;
    await this.waitUntil(
      () => {
        match = pattern.exec(stream === 'stdout' ? this.stdoutText : this.stderr);
        return match !== null;
      },
      `${pattern} on ${stream}`,
      options.timeoutMs,
    );
    return match!;
  }

  /** Waits until `stdout` holds at least `length` bytes. */
  async waitForLength(length: number, timeoutMs?: number): Promise<void> {
    await this.waitUntil(() => this.#stdoutLength >= length, `${length} bytes on stdout`, timeoutMs);
  }

  /** Waits until `condition()` (checked at every output and at exit) holds; fails on exit or after `timeoutMs`. */
  waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) {
          done();
          resolve();
        } else if (this.#exit !== undefined) {
          done();
          reject(new Error(`${this.name} exited (${JSON.stringify(this.#exit)}) before ${what}:\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  write(data: string | Uint8Array): void {
    this.child.stdin!.write(data);
  }
  end(data?: string | Uint8Array): void {
    if (data === undefined) this.child.stdin!.end();
    else this.child.stdin!.end(data);
  }

  kill(): void {
    if (this.#exit === undefined) this.child.kill('SIGKILL');
  }

  /** Sends SIGTERM and waits for the exit. */
  async stop(): Promise<Exit> {
    if (this.#exit === undefined) this.child.kill('SIGTERM');
    return this.exited;
  }

  describe(): string {
    const tail = (text: string) => (text.length > 3000 ? `…${text.slice(-3000)}` : text);
    return `$ ${this.name}\n--- stdout ---\n${tail(this.stdoutText)}\n--- stderr ---\n${tail(this.stderr)}`;
  }
}

export interface SpawnOptions {
  /** Killed after this long (default 20 s). */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A test's own set of processes, killed when that test finishes (see {@link testScope}). */
  readonly scope?: Set<Proc>;
}

const running = new Set<Proc>();

/** Kills every process still running (afterEach of sequential tests, afterAll of concurrent ones). */
export async function killAll(): Promise<void> {
  await killProcs(running);
}

async function killProcs(procs: Iterable<Proc>): Promise<void> {
  const list = [...procs];
  for (const proc of list) proc.kill();
  await Promise.all(list.map((proc) => proc.exited));
}

/**
 * The processes of one test, killed when it finishes. Concurrent tests use this instead of a global afterEach,
 * which would kill the processes of the tests still running beside it.
 */
export function testScope(onTestFinished: (fn: () => Promise<void>) => void): Set<Proc> {
  const scope = new Set<Proc>();
  onTestFinished(() => killProcs(scope));
  return scope;
}

export function spawnProc(command: string, args: readonly string[], options: SpawnOptions = {}): Proc {
  return new Proc(command, args, { ...options, timeoutMs: options.timeoutMs ?? 20_000 });
}

/** Our CLI (`node dist/cli.js …`). */
export function tlsbio(args: readonly string[], options: SpawnOptions = {}): Proc {
  return spawnProc(process.execPath, [cli, ...args], options);
}

/** Runs a process to its end with `input` on stdin. */
export async function runWithInput(proc: Proc, input: string | Uint8Array): Promise<Proc> {
  proc.end(input);
  await proc.exited;
  return proc;
}

/** Starts `tlsbio server` on 127.0.0.1 with a free port; resolves once it prints ACCEPT. */
export async function startOurServer(args: readonly string[], options: SpawnOptions = {}): Promise<{ proc: Proc; port: number }> {
  const proc = tlsbio(['server', '--accept', '127.0.0.1:0', ...args], options);
  const match = await proc.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m);
  return { proc, port: Number(match[1]) };
}

/** `tlsbio client --json` to 127.0.0.1:`port` for the name localhost, trusting the test root. */
export function ourClient(port: number, args: readonly string[], scope: Set<Proc>): Proc {
  return tlsbio(['client', '--connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--CAfile', CA, '--json', ...args], { scope });
}

/** The one JSON summary a `--json` run printed on stderr (fails on none or several). */
export function summary(proc: Proc): Record<string, unknown> {
  const records = jsonLines(proc.stderr);
  expect(records, proc.describe()).toHaveLength(1);
  return records[0]!;
}

/**
 * Starts `gnutls-serv --echo` with `priority` and the given chain; resolves once it listens. gnutls-serv cannot report
 * a port it picked, so it takes one that was free a moment ago.
 */
export async function startGnutlsServer(priority: string, cert: string, key: string, scope: Set<Proc>): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  // -a: do not ask for a client certificate.
  const proc = spawnProc('gnutls-serv', ['--echo', '-a', '--priority', priority, '--x509certfile', cert, '--x509keyfile', key, '-p', String(port)], { scope });
  // gnutls-serv's "listening" line sits in its stdout buffer when stdout is a pipe: watch the port instead.
  await waitForListen(port);
  return { proc, port };
}

/** Text lines (gnutls-serv's echo works on text), `count` of them, reproducible. */
export function textLines(count: number, tag: string): Buffer {
  let text = '';
  for (let i = 0; i < count; i++) text += `${tag} line ${i} ${'abcdefghijklmnopqrstuvwxyz'.repeat(1 + (i % 3))}\n`;
  return Buffer.from(text, 'latin1');
}

/** Starts `openssl s_server` on 127.0.0.1 with a free port; resolves once it prints ACCEPT. */
export async function startOpensslServer(args: readonly string[], options: SpawnOptions = {}): Promise<{ proc: Proc; port: number }> {
  const proc = spawnProc('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', ...args], options);
  const match = await proc.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m);
  return { proc, port: Number(match[1]) };
}

/** A port that was free a moment ago (for peers that cannot bind port 0 and report it, like gnutls-serv). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Resolves once some socket listens on TCP `port` (any address, IPv4 or IPv6), read from /proc/net/tcp{,6}: for
 * peers that print nothing we can wait for (s_server -quiet) or print it into a buffered pipe (gnutls-serv). A probe
 * connection would not do: it would use up s_server's `-naccept 1`. At most `timeoutMs`.
 */
export async function waitForListen(port: number, timeoutMs = 10_000): Promise<void> {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      // Columns: sl, local_address, rem_address, st (0A = LISTEN).
      for (const row of text.split('\n')) {
        const columns = row.trim().split(/\s+/);
        if (columns[1]?.endsWith(suffix) && columns[3] === '0A') return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}

/** The one JSON object a `--json` run prints on stderr (fails when there is anything else). */
export function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    });
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `length` bytes that are not all alike (a counter mixed by a small LCG), reproducible. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

export const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
/** OpenSSL's group names, and the names our JSON reports for them. */
export const GROUPS = [
  { openssl: 'X25519', ours: 'x25519' },
  { openssl: 'P-256', ours: 'secp256r1' },
  { openssl: 'P-384', ours: 'secp384r1' },
] as const;
