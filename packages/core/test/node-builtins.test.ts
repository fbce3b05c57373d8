// Core runs in browsers: outside src/node/ (the node:crypto provider, the node:fs/node:tls trust source and the
// `node` entry point that registers them) no source file may import a Node built-in or use a Node-only global.
// The sources are parsed, not grepped, so comments that mention `Buffer` or `require` do not count and an import
// split over several lines does.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packagesRoot = join(import.meta.dirname, '..', '..');
const coreSource = join(packagesRoot, 'core', 'src');
const nodeOnlyFolder = join(coreSource, 'node');

const builtins = new Set(builtinModules);
/** `node:anything`, `fs`, `fs/promises`, `crypto`… */
function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]!);
}
/** Globals that exist in Node and not in browsers, Deno's web mode or Workers. */
const nodeGlobals = new Set(['Buffer', 'process', 'global', '__dirname', '__filename', 'require', 'setImmediate', 'clearImmediate', 'NodeJS']);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** Every use of a Node built-in in one file, as `line: what`. */
function nodeUses(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) =>
    found.push(`${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (isBuiltin(node.moduleSpecifier.text)) report(node, `imports '${node.moduleSpecifier.text}'`);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      report(node, 'import = require(…)');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (!specifier || !ts.isStringLiteralLike(specifier) || isBuiltin(specifier.text)) report(node, `import(${specifier?.getText(file) ?? ''})`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      if (isBuiltin(node.argument.literal.text)) report(node, `import('${node.argument.literal.text}') type`);
    } else if (ts.isIdentifier(node) && nodeGlobals.has(node.text) && !isMemberName(node)) {
      report(node, `uses ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** `x.Buffer`, `{ process: 1 }`, `NodeJS.Timeout`'s right side: a name inside something else, not the global. */
function isMemberName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isQualifiedName(parent) && parent.right === node) ||
    ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) &&
      parent.name === node)
  );
}

describe('Node built-ins in @tlsbio/core', () => {
  const files = sourceFiles(coreSource);
  const nodeOnly = files.filter((path) => path.startsWith(nodeOnlyFolder + sep));
  const portable = files.filter((path) => !path.startsWith(nodeOnlyFolder + sep));

  it('appear in no source file outside src/node/', () => {
    const offenders = portable.flatMap((path) => nodeUses(path).map((use) => `${relative(coreSource, path)}:${use}`));
    expect(offenders).toEqual([]);
    // The scan covered the engine, not an empty folder.
    expect(portable.length).toBeGreaterThan(50);
    expect(portable.map((path) => relative(coreSource, path))).toContain(join('handshake', 'client13.ts'));
  });

  it('are found by the scan where they are (src/node/)', () => {
    const uses = nodeOnly.flatMap((path) => nodeUses(path).map((use) => `${relative(coreSource, path)}:${use}`));
    expect(uses).toEqual(expect.arrayContaining([
      expect.stringMatching(/^node\/trust\.ts:\d+: imports 'node:fs'$/),
      expect.stringMatching(/^node\/trust\.ts:\d+: imports 'node:tls'$/),
      expect.stringMatching(/^node\/crypto\/hashes\.ts:\d+: imports 'node:crypto'$/),
    ]));
  });

  it('are recognised in every form the guard claims to catch', () => {
    const sample = join(packagesRoot, 'core', 'test', 'fixtures', 'node-builtins-sample.ts.txt');
    expect(nodeUses(sample)).toEqual([
      "2: imports 'node:fs'",
      "3: imports 'path'",
      "4: imports 'fs/promises'",
      "5: imports 'crypto'",
      '6: import = require(…)',
      "7: import('node:net')",
      '8: uses require',
      '9: uses Buffer',
      '10: uses process',
      '11: uses setImmediate',
      "12: import('node:tls') type",
      '13: uses NodeJS',
    ]);
  });
});
