// Time-boxed speed measurements of the crypto providers, for the demo's speed table and `tlsbio bench-crypto`.
// Each cell checks its operation once before timing it (a fast wrong answer must not show up as a speed), then runs
// it for a warm-up and a fixed window, counting whole operations. The one implementation of the cells: the
// repository's `pnpm bench` (bench/crypto.mjs) runs `tlsbio bench-crypto`. Keys are the embedded demo keys.
import type { AeadName, CryptoProvider, GroupName, SignatureSchemeName } from '@tlsbio/core';
import { equalBytes, patterned, utf8 } from './bytes.js';
import { SCHEME_KEYS, demoKeyPair } from './key-catalogue.js';

export interface Budget {
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Slow operations (RSA signing in pure JS) still get this many timed runs, even past the window. */
  readonly minOps: number;
}

export const BUDGETS = {
  /** `tlsbio bench-crypto`: about a minute for every cell. */
  full: { warmupMs: 200, measureMs: 500, minOps: 5 },
  /** `tlsbio bench-crypto --quick`: about 15 seconds for every cell. */
  quick: { warmupMs: 40, measureMs: 120, minOps: 3 },
  /** The demo's short table (a dozen cells): about 5 seconds. */
  demo: { warmupMs: 40, measureMs: 160, minOps: 3 },
} as const satisfies Record<string, Budget>;

export type SectionId = 'aead' | 'kex' | 'signature' | 'hash';

export const SECTION_TITLES: Record<SectionId, string> = {
  aead: 'AEAD, 16 KiB records',
  kex: 'Key exchange (client start + server accept + client complete)',
  signature: 'Signatures (over a TLS 1.3 CertificateVerify input, 130 bytes)',
  hash: 'Hashing (SHA-256)',
};

/** The provider lacks the algorithm: shown as "n/a", not as a failure. */
export class Unsupported extends Error {}

export interface Cell {
  readonly section: SectionId;
  readonly name: string;
  readonly unit: 'MB/s' | 'exchanges/s' | 'ops/s';
  /** Bytes processed per operation for `MB/s` cells; 0 for operation counts. */
  readonly bytesPerOp: number;
  /** Part of the demo's short table. */
  readonly inDemo: boolean;
  /**
   * Sets the operation up for `provider` and checks it once.
   * @throws Unsupported when the provider lacks the algorithm; any other error when the check fails.
   */
  prepare(provider: CryptoProvider): () => unknown;
}

export type Figure =
  | { readonly value: number; readonly ops: number; readonly seconds: number }
  | { readonly unsupported: string }
  | { readonly error: string };

/** TLS's largest record plaintext (RFC 8446 §5.1): bulk transfer moves data in records of this size. */
export const RECORD_SIZE = 16384;

const AEADS: readonly AeadName[] = ['aes_128_gcm', 'aes_256_gcm', 'chacha20_poly1305'];
const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];
const DEMO_AEADS: readonly string[] = ['aes_128_gcm seal', 'chacha20_poly1305 seal'];
const DEMO_GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'X25519MLKEM768'];
const DEMO_SCHEMES: readonly SignatureSchemeName[] = ['ecdsa_secp256r1_sha256', 'ed25519', 'rsa_pss_rsae_sha256'];

/** What TLS 1.3 signs in CertificateVerify (RFC 8446 §4.4.3): 64 spaces, the context string, 0, the transcript hash. */
const SIGNED_CONTENT = new Uint8Array([
  ...new Uint8Array(64).fill(0x20),
  ...utf8('TLS 1.3, server CertificateVerify'),
  0,
  ...patterned(32, 7),
]);

/** HkdfLabel (RFC 8446 §7.1) for "c hs traffic" with a SHA-256 context, plus HKDF-Expand's block counter: one HMAC. */
const EXPAND_LABEL_BLOCK = (() => {
  const label = utf8('tls13 c hs traffic');
  return new Uint8Array([0, 32, label.length, ...label, 32, ...patterned(32, 3), 1]);
})();

function need<T>(table: Readonly<Partial<Record<string, T>>>, name: string, what: string): T {
  const algorithm = table[name];
  if (algorithm === undefined) throw new Unsupported(`no ${what} ${name}`);
  return algorithm;
}

function aeadCells(): Cell[] {
  return AEADS.flatMap((name): Cell[] => {
    const setUp = (provider: CryptoProvider) => {
      const aead = need(provider.aeads, name, 'AEAD');
      const key = aead.importKey(patterned(aead.keyLength, 1));
      const nonce = patterned(aead.nonceLength, 2);
      const aad = patterned(5, 3); // the TLS 1.3 record header is the AAD
      const plaintext = patterned(RECORD_SIZE, 4);
      const sealed = key.seal(nonce, plaintext, aad);
      const opened = key.open(nonce, sealed, aad);
      if (opened === null || !equalBytes(opened, plaintext)) throw new Error('seal/open round trip failed');
      return { key, nonce, aad, plaintext, sealed };
    };
    const seal = `${name} seal`;
    const open = `${name} open`;
    return [
      {
        section: 'aead', name: seal, unit: 'MB/s', bytesPerOp: RECORD_SIZE, inDemo: DEMO_AEADS.includes(seal),
        prepare(provider) {
          const { key, nonce, aad, plaintext } = setUp(provider);
          return () => key.seal(nonce, plaintext, aad);
        },
      },
      {
        section: 'aead', name: open, unit: 'MB/s', bytesPerOp: RECORD_SIZE, inDemo: DEMO_AEADS.includes(open),
        prepare(provider) {
          const { key, nonce, aad, sealed } = setUp(provider);
          return () => {
            if (key.open(nonce, sealed, aad) === null) throw new Error('open rejected a valid record');
          };
        },
      },
    ];
  });
}

function keyExchangeCells(): Cell[] {
  return GROUPS.map((name): Cell => ({
    section: 'kex', name, unit: 'exchanges/s', bytesPerOp: 0, inDemo: DEMO_GROUPS.includes(name),
    prepare(provider) {
      const group = need(provider.groups, name, 'group');
      const exchange = (): boolean => {
        const client = group.start();
        const server = group.accept(client.publicKey);
        return equalBytes(client.complete(server.publicKey), server.sharedSecret);
      };
      if (!exchange()) throw new Error('client and server secrets differ');
      return exchange;
    },
  }));
}

function signatureCells(): Cell[] {
  return SCHEME_KEYS.flatMap(([name, keyName]): Cell[] => {
    const setUp = (provider: CryptoProvider) => {
      const scheme = need(provider.signatures, name, 'signature scheme');
      const { privateKey, publicKey } = demoKeyPair(provider, keyName);
      const signature = scheme.sign(privateKey, SIGNED_CONTENT);
      if (!scheme.verify(publicKey, SIGNED_CONTENT, signature)) throw new Error('its own signature does not verify');
      return { scheme, privateKey, publicKey, signature };
    };
    const inDemo = DEMO_SCHEMES.includes(name);
    return [
      {
        section: 'signature', name: `${name} sign`, unit: 'ops/s', bytesPerOp: 0, inDemo,
        prepare(provider) {
          const { scheme, privateKey } = setUp(provider);
          return () => scheme.sign(privateKey, SIGNED_CONTENT);
        },
      },
      {
        section: 'signature', name: `${name} verify`, unit: 'ops/s', bytesPerOp: 0, inDemo,
        prepare(provider) {
          const { scheme, publicKey, signature } = setUp(provider);
          return () => {
            if (!scheme.verify(publicKey, SIGNED_CONTENT, signature)) throw new Error('a valid signature failed');
          };
        },
      },
    ];
  });
}

function hashCells(): Cell[] {
  return [
    {
      section: 'hash', name: 'sha256 transcript update, 1 KiB messages', unit: 'MB/s', bytesPerOp: 1024, inDemo: false,
      prepare(provider) {
        const running = need(provider.hashes, 'sha256', 'hash').create();
        const message = patterned(1024, 5);
        return () => running.update(message);
      },
    },
    {
      section: 'hash', name: 'sha256 transcript fork + digest', unit: 'ops/s', bytesPerOp: 0, inDemo: false,
      prepare(provider) {
        const running = need(provider.hashes, 'sha256', 'hash').create();
        running.update(patterned(4000, 6)); // about a ClientHello..Certificate transcript
        return () => running.fork().digest();
      },
    },
    {
      section: 'hash', name: 'hmac-sha256, one HKDF-Expand-Label block', unit: 'ops/s', bytesPerOp: 0, inDemo: true,
      prepare(provider) {
        const sha256 = need(provider.hashes, 'sha256', 'hash');
        const secret = patterned(32, 8);
        return () => sha256.hmac(secret, EXPAND_LABEL_BLOCK);
      },
    },
  ];
}

/** Every cell, in table order. */
export function allCells(): Cell[] {
  return [...aeadCells(), ...keyExchangeCells(), ...signatureCells(), ...hashCells()];
}

/** Whether `cell` matches a `--filter` substring (case-insensitive, against "section-id section-title name"). */
export function matchesFilter(cell: Cell, filter: string): boolean {
  return `${cell.section} ${SECTION_TITLES[cell.section]} ${cell.name}`.toLowerCase().includes(filter.toLowerCase());
}

/**
 * Runs `op` for `warmupMs` (to let the JIT settle and to size batches), then for at least `measureMs` and `minOps`
 * calls. The clock is read once per batch of ~2 ms so it does not weigh on sub-microsecond operations.
 */
export function measure(op: () => unknown, budget: Budget): { ops: number; seconds: number } {
  let start = performance.now();
  let warmupOps = 0;
  do {
    op();
    warmupOps++;
  } while (performance.now() - start < budget.warmupMs);
  const batch = Math.max(1, Math.floor(2 / ((performance.now() - start) / warmupOps)));
  let ops = 0;
  let elapsed = 0;
  start = performance.now();
  do {
    for (let i = 0; i < batch; i++) op();
    ops += batch;
    elapsed = performance.now() - start;
  } while (elapsed < budget.measureMs || ops < budget.minOps);
  return { ops, seconds: elapsed / 1000 };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** One provider's figure for one cell; never throws. `MB/s` is 10^6 bytes of plaintext per second. */
export function runCell(cell: Cell, provider: CryptoProvider, budget: Budget): Figure {
  let op: () => unknown;
  try {
    op = cell.prepare(provider);
  } catch (error) {
    return error instanceof Unsupported ? { unsupported: error.message } : { error: describe(error) };
  }
  try {
    const { ops, seconds } = measure(op, budget);
    const value = cell.bytesPerOp > 0 ? (ops * cell.bytesPerOp) / seconds / 1e6 : ops / seconds;
    return { value, ops, seconds };
  } catch (error) {
    return { error: describe(error) };
  }
}

/** `a / b` when both were measured. */
export function ratioOf(a: Figure | undefined, b: Figure | undefined): number | undefined {
  return a !== undefined && b !== undefined && 'value' in a && 'value' in b && b.value > 0 ? a.value / b.value : undefined;
}
