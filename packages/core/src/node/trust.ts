// The trust source of the `node` entry point: files through node:fs, default roots from Node's bundled Mozilla
// store (tls.rootCertificates, the same list Node's own `tls` trusts by default). Imported only by node/index.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { TrustSource } from '../trust-source.js';

export const nodeTrustSource: TrustSource = {
  readFile: (path) => new Uint8Array(readFileSync(path)),
  listDirectory: (path) => readdirSync(path).filter((name) => statSync(join(path, name)).isFile()),
  defaultCertificates: () => rootCertificates,
};
