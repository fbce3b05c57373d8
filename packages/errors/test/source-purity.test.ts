/**
 * @tlsbio/errors must run in browsers and workers with nothing installed: no Buffer, no Node built-ins, no
 * dependencies. Its source may import only its own modules.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(packageDir, 'src');
const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(srcDir, file), 'utf8') }));

/** The source without comments: an example in a JSDoc block is prose, not an import. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** The source without comments and string contents, so that prose about `Buffer` does not count, code does. */
function code(text: string): string {
  return withoutComments(text).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

/** Every module specifier: static imports and re-exports, dynamic import(), require(). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

describe('the source of @tlsbio/errors', () => {
  it('is there to check', () => {
    expect(sources.map((s) => s.file).sort()).toEqual(
      expect.arrayContaining(['alerts.ts', 'errors.ts', 'index.ts', 'reasons.ts', 'verify-codes.ts', 'versions.ts']),
    );
  });

  it.each(sources)('$file uses no Buffer, process, require or dynamic import', ({ text }) => {
    const body = code(text);
    expect(body).not.toMatch(/\bBuffer\b/);
    expect(body).not.toMatch(/\bprocess\s*\./);
    expect(body).not.toMatch(/\brequire\s*\(/);
    expect(body).not.toMatch(/\bimport\s*\(/);
  });

  it.each(sources)('$file imports only relative modules, with .js suffixes', ({ text }) => {
    for (const specifier of specifiers(withoutComments(text))) {
      expect(specifier, specifier).toMatch(/^\.\.?\/[\w./-]+\.js$/);
    }
  });

  it('the checks above catch what they are meant to catch', () => {
    expect(code("const b = Buffer.from('x'); // Buffer")).toMatch(/\bBuffer\b/);
    expect(code('/** a Buffer in a comment */ const x = 1;')).not.toMatch(/\bBuffer\b/);
    expect(specifiers("import { x } from 'node:fs';\nexport * from \"./a.js\";\nimport 'side';\n")).toEqual([
      'node:fs',
      './a.js',
      'side',
    ]);
    expect(specifiers("import type {\n  A,\n  B,\n} from '@noble/hashes/sha2.js';")).toEqual(['@noble/hashes/sha2.js']);
  });

  it('declares no dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    expect(manifest.sideEffects).toBe(false);
  });
});
