// Selective install: each package, packed as it would be published, installed alone into an empty project with
// only its declared dependencies, must import as ESM and as CJS and resolve its types under NodeNext.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tlsbio-pack-'));
const tarballs = new Map<string, string>();

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  files?: string[];
}

const packageDirs = readdirSync(join(root, 'packages')).map((dir) => join(root, 'packages', dir));
const manifests = new Map<string, Manifest>(
  packageDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    return [manifest.name, manifest];
  }),
);

/** A line of code run in the installed project, per package: it must print "ok". */
const smoke: Record<string, string> = {
  '@tlsbio/errors': `const e = new m.WantReadError();
    // The built class names must survive bundling (tsup once renamed them to \`_WantReadError\`).
    const named = [m.TLSError, m.WantReadError, m.ProtocolError, m.AlertError, m.CertVerificationError].every((C) => /^[A-Z]/.test(C.name));
    console.log(m.isTLSError(e) && e.code === 'ERR_TLS_WANT_READ' && e.name === 'WantReadError' && named ? 'ok' : 'bad')`,
  '@tlsbio/core': `const h = m.defaultProvider.hashes.sha256.digest(new Uint8Array([97, 98, 99]));
    const p = m.portableProvider.hashes.sha256.digest(new Uint8Array([97, 98, 99]));
    console.log(m.defaultProvider.name === 'node' && h.length === 32 && h.every((b, i) => b === p[i]) ? 'ok' : 'bad')`,
  // The Node-only entries are subpaths: each must load in both module systems too.
  '@tlsbio/transport-ws': `(typeof require === 'function'
      ? Promise.resolve([require('@tlsbio/transport-ws/relay'), require('@tlsbio/transport-ws/server')])
      : Promise.all([import('@tlsbio/transport-ws/relay'), import('@tlsbio/transport-ws/server')])
    ).then(([r, s]) => console.log(typeof m.connect === 'function' && typeof r.createRelay === 'function'
      && typeof s.createWsTlsServer === 'function' && r.CloseCode.TARGET_NOT_ALLOWED === 4404 ? 'ok' : 'bad'))`,
};

function sh(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Internal dependencies, transitively: they are not on the registry, so the test feeds their tarballs. */
function internalClosure(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(manifests.get(name)?.dependencies ?? {})) {
    if (manifests.has(dep) && !seen.has(dep)) {
      seen.add(dep);
      internalClosure(dep, seen);
    }
  }
  return seen;
}

beforeAll(() => {
  const packDir = join(work, 'tarballs');
  mkdirSync(packDir);
  for (const dir of packageDirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const out = sh('pnpm', ['pack', '--pack-destination', packDir], dir).trim().split('\n');
    const file = out.find((line) => line.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack printed no tarball for ${manifest.name}: ${out.join('\n')}`);
    tarballs.set(manifest.name, resolve(dir, file));
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([...manifests.keys()])('%s installed alone', (name) => {
  it('ships only dist and README, with ESM, CJS and types for each', () => {
    const listing = sh('tar', ['-tzf', tarballs.get(name)!], work).split('\n').filter(Boolean);
    expect(listing.every((path) => /^package\/(dist\/|README\.md$|package\.json$|LICENSE$|[A-Z]+\.md$)/.test(path))).toBe(true);
    for (const suffix of ['.js', '.cjs', '.d.ts', '.d.cts']) {
      expect(listing.some((path) => path.startsWith('package/dist/index') && path.endsWith(suffix))).toBe(true);
    }
    const packed = JSON.parse(sh('tar', ['-xzOf', tarballs.get(name)!, 'package/package.json'], work)) as Manifest;
    expect(JSON.stringify(packed.dependencies ?? {})).not.toContain('workspace:');
  });

  it('imports as ESM and CJS with the same exports, and resolves types', () => {
    const project = join(work, name.replace('/', '__'));
    mkdirSync(project);
    const overrides = Object.fromEntries([...internalClosure(name)].map((dep) => [dep, `file:${tarballs.get(dep)}`]));
    writeFileSync(join(project, 'package.json'), JSON.stringify({
      name: 'consumer', private: true,
      dependencies: { [name]: `file:${tarballs.get(name)}` },
      pnpm: { overrides },
    }));
    sh('pnpm', ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'], project);

    const check = smoke[name] ?? `console.log(Object.keys(m).length > 0 ? 'ok' : 'bad')`;
    const esmKeys = sh('node', ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort())); ${check}`], project);
    const cjsKeys = sh('node', ['-e',
      `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).filter(k => k !== '__esModule').sort())); ${check}`], project);
    const [esmList, esmOk] = esmKeys.trim().split('\n');
    const [cjsList, cjsOk] = cjsKeys.trim().split('\n');
    expect(esmOk).toBe('ok');
    expect(cjsOk).toBe('ok');
    expect(JSON.parse(cjsList!)).toEqual(JSON.parse(esmList!));

    writeFileSync(join(project, 'check.mts'), `import * as m from ${JSON.stringify(name)};\nexport const keys: string[] = Object.keys(m);\n`);
    writeFileSync(join(project, 'check.cts'), `import m = require(${JSON.stringify(name)});\nexport const keys: string[] = Object.keys(m);\n`);
    sh(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), 'check.mts', 'check.cts'], project);
  });
});
