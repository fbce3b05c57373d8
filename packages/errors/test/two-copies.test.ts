/**
 * isTLSError across two installed copies of the package: an application that ends up with two copies (two versions
 * in node_modules, or the ESM build next to the CJS build) gets two distinct sets of classes, so `instanceof` fails
 * across them. The Symbol.for marker and the code-based `isInstance` must still work.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ErrorsModule from '../src/index.js';

type Errors = typeof ErrorsModule;
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every error class with a way to make one, so that each is checked across copies. */
function samples(copy: Errors) {
  return [
    new copy.WantReadError(),
    new copy.WantWriteError(),
    new copy.WantX509LookupError(),
    new copy.ZeroReturnError(),
    new copy.EOFError(),
    new copy.SysCallError('reset'),
    new copy.InvalidArgumentError('key', 'BAD_KEY_LENGTH', 'must be 32 bytes'),
    new copy.ProtocolError('DECODE_ERROR', 'truncated'),
    new copy.AlertError(48),
    new copy.CertVerificationError(10, 0),
  ];
}

const classNames = [
  'WantReadError',
  'WantWriteError',
  'WantX509LookupError',
  'ZeroReturnError',
  'EOFError',
  'SysCallError',
  'InvalidArgumentError',
  'ProtocolError',
  'AlertError',
  'CertVerificationError',
] as const;

describe('two copies built from this source', () => {
  let root: string;
  let esmA: Errors;
  let esmB: Errors;
  let cjs: Errors;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tlsbio-errors-copies-'));
    const built = join(root, 'build');
    // the package's own tsup settings (ESM + CJS, es2022), into a private directory: the real dist/ is left alone
    await build({
      config: false,
      entry: { index: join(packageDir, 'src/index.ts') },
      format: ['esm', 'cjs'],
      target: 'es2022',
      outDir: built,
      dts: false,
      sourcemap: false,
      silent: true,
      tsconfig: join(packageDir, 'tsconfig.json'),
    });
    // install it twice, as a package manager would when two dependants pin different versions
    for (const copy of ['app-a', 'app-b']) {
      const target = join(root, copy, 'node_modules', '@tlsbio', 'errors');
      mkdirSync(join(target, 'dist'), { recursive: true });
      cpSync(built, join(target, 'dist'), { recursive: true });
      cpSync(join(packageDir, 'package.json'), join(target, 'package.json'));
      writeFileSync(join(root, copy, 'entry.mjs'), "export * from '@tlsbio/errors';\n");
    }
    esmA = await import(pathToFileURL(join(root, 'app-a', 'entry.mjs')).href);
    esmB = await import(pathToFileURL(join(root, 'app-b', 'entry.mjs')).href);
    cjs = createRequire(join(root, 'app-a', 'entry.cjs'))('@tlsbio/errors') as Errors;
  }, 60_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('loads three distinct copies of every class', () => {
    expect(esmA.TLSError).not.toBe(esmB.TLSError);
    expect(esmA.TLSError).not.toBe(cjs.TLSError);
    expect(esmB.ProtocolError).not.toBe(cjs.ProtocolError);
  });

  it('instanceof fails across copies, isTLSError and TLSError.isInstance do not', () => {
    const copies = [esmA, esmB, cjs];
    for (const maker of copies) {
      for (const error of samples(maker)) {
        for (const checker of copies) {
          const same = checker === maker;
          expect(error instanceof checker.TLSError).toBe(same);
          expect(checker.isTLSError(error)).toBe(true);
          expect(checker.TLSError.isInstance(error)).toBe(true);
        }
      }
    }
  });

  it("each class's isInstance recognises its own errors from the other copies, and only those", () => {
    const pairs: [Errors, Errors][] = [
      [esmA, cjs],
      [cjs, esmA],
      [esmA, esmB],
    ];
    for (const [maker, checker] of pairs) {
      const errors = samples(maker);
      classNames.forEach((className, i) => {
        errors.forEach((error, j) => {
          expect(error instanceof checker[className]).toBe(false);
          expect(checker[className].isInstance(error), `${className} vs ${error.name}`).toBe(i === j);
        });
      });
    }
  });

  it('an error from the other copy keeps its fields', () => {
    const error = new cjs.CertVerificationError(cjs.X509VerifyCode.X509_V_ERR_HOSTNAME_MISMATCH, 0);
    expect(esmA.CertVerificationError.isInstance(error)).toBe(true);
    if (esmA.CertVerificationError.isInstance(error)) {
      expect(error.verifyMessage).toBe('hostname mismatch');
      expect(error.alert?.name).toBe('bad_certificate');
    }
  });

  it('rejects plain errors in every copy', () => {
    for (const copy of [esmA, esmB, cjs]) {
      expect(copy.isTLSError(new Error('x'))).toBe(false);
      expect(copy.isTLSError({ code: 'ERR_TLS_PROTOCOL', reason: 'DECODE_ERROR' })).toBe(false);
    }
  });
});

const dist = join(packageDir, 'dist');
describe(
  'the built dist/ (pnpm --filter @tlsbio/errors build)',
  () => {
    it('dist/index.js and dist/index.cjs are two class identities that recognise each other', async () => {
      const esm: Errors = await import(pathToFileURL(join(dist, 'index.js')).href);
      const cjs = createRequire(import.meta.url)(join(dist, 'index.cjs')) as Errors;
      expect(esm.TLSError).not.toBe(cjs.TLSError);
      const fromEsm = new esm.ProtocolError('DECODE_ERROR', 'x');
      const fromCjs = new cjs.AlertError(40);
      expect(fromEsm instanceof cjs.TLSError).toBe(false);
      expect(fromCjs instanceof esm.TLSError).toBe(false);
      expect(cjs.isTLSError(fromEsm)).toBe(true);
      expect(esm.isTLSError(fromCjs)).toBe(true);
      expect(cjs.TLSError.isInstance(fromEsm)).toBe(true);
      expect(esm.TLSError.isInstance(fromCjs)).toBe(true);
    });
  },
);
