#!/usr/bin/env node
// Certificate chain validation: tlsbio's parser and path validator against node:crypto's X509Certificate
// (OpenSSL), in one run, on two 3-certificate chains from packages/core/test/fixtures:
//   ECDSA: leaf P-256 <- intermediate P-384 (ecdsa-with-SHA384) <- root P-256 (ecdsa-with-SHA256)   (pki/)
//   RSA:   leaf, intermediate and root RSA 2048, sha256WithRSAEncryption                           (corpus/)
//
//   node bench/x509.mjs [--quick] [--json]
//
// Rows (operations per second; ratio tlsbio/native, above 1 means tlsbio is faster):
//   parse    — parseCertificate of the leaf and the intermediate (what a handshake parses per connection)
//   parse+verify — parseCertificate, then verifyCertificateChain on the fresh objects: path building, both
//              signatures, times, extensions, host name, nothing cached but the parsed trust store (a context's)
//   handshake — what the engine does per handshake: parse the peer's two certificates, then verify the context's
//              interned copies (TLSContext.internCertificate), whose keys and checked signatures are cached
// native: new X509Certificate() for leaf and intermediate, then intermediate.verify(root key),
//   leaf.verify(intermediate key), checkIssued ×2, validity and checkHost — the same checks as far as node:crypto
//   exposes them (it has no path building, EKU or name-constraint API, so native does less work).
// Run `pnpm build` first.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TLSContext, nodeProvider, parseCertificate, parseCertificatesPem, portableProvider, verifyCertificateChain } from '@tlsbio/core';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const windowMs = quick ? 300 : 1500;
const fixture = (path) => readFileSync(fileURLToPath(new URL(`../packages/core/test/fixtures/${path}`, import.meta.url)), 'utf8');

const CHAINS = {
  ECDSA: { leaf: fixture('pki/server-ecdsa.pem'), int: fixture('pki/ca-int.pem'), root: fixture('pki/ca.pem'), host: 'localhost' },
  RSA: { leaf: fixture('corpus/rsa-leaf.pem'), int: fixture('corpus/rsa-int.pem'), root: fixture('corpus/rsa-root.pem'), host: 'www.example.com' },
};

const der = (pem) => parseCertificatesPem(pem)[0].der;

// Runs `a` and `b` in alternating slices (so that load from other processes hits both alike) and returns the
// operations per second of each.
function measurePair(a, b) {
  const slices = 20;
  const slice = windowMs / slices;
  const counts = [0, 0];
  const times = [0, 0];
  const runFor = (run, index, ms) => {
    const start = performance.now();
    const end = start + ms;
    let count = 0;
    while (performance.now() < end) for (let i = 0; i < 5; i++, count++) run();
    counts[index] += count;
    times[index] += performance.now() - start;
  };
  runFor(a, 0, slice); // warm-up
  runFor(b, 1, slice);
  counts.fill(0);
  times.fill(0);
  for (let i = 0; i < slices; i++) {
    runFor(a, 0, slice);
    runFor(b, 1, slice);
  }
  return [(counts[0] * 1000) / times[0], (counts[1] * 1000) / times[1]];
}

const rows = [];
for (const [label, chain] of Object.entries(CHAINS)) {
  const leafDer = der(chain.leaf);
  const intDer = der(chain.int);
  const anchors = parseCertificatesPem(chain.root);
  const now = new Date();
  const ours = (provider) => ({
    parse: () => [parseCertificate(leafDer), parseCertificate(intDer)],
    both: () =>
      verifyCertificateChain([parseCertificate(leafDer), parseCertificate(intDer)], { provider, trustAnchors: anchors, hostname: chain.host, now }),
    // What a handshake does: parse what the peer sent, then verify the context's interned copies.
    cached: () =>
      verifyCertificateChain([parseCertificate(leafDer), parseCertificate(intDer)].map((cert) => context.internCertificate(cert)), {
        provider,
        trustAnchors: anchors,
        hostname: chain.host,
        now,
      }),
  });
  const context = new TLSContext('client');
  const root = new X509Certificate(chain.root);
  const nativeParse = () => [new X509Certificate(leafDer), new X509Certificate(intDer)];
  const nativeVerify = ([leaf, int]) => {
    const ok =
      int.checkIssued(root) &&
      leaf.checkIssued(int) &&
      int.verify(root.publicKey) &&
      leaf.verify(int.publicKey) &&
      leaf.checkHost(chain.host) !== undefined &&
      Date.parse(leaf.validTo) > Date.now();
    if (!ok) throw new Error(`native ${label} chain did not verify`);
  };
  const parsedNative = nativeParse();
  // Check once that every variant verifies before timing it.
  for (const provider of [nodeProvider, portableProvider]) ours(provider).both();
  nativeVerify(parsedNative);

  const native = {
    parse: nativeParse,
    both: () => nativeVerify(nativeParse()),
  };
  for (const [name, provider] of [['node', nodeProvider], ['portable', portableProvider]]) {
    const run = ours(provider);
    for (const op of ['parse', 'both', 'cached']) {
      if (op === 'parse' && name === 'portable') continue; // parsing does not use the provider
      const [value, reference] = measurePair(run[op], native[op === 'cached' ? 'both' : op]);
      const opName = { parse: 'parse', verify: 'verify', both: 'parse+verify', cached: 'handshake' }[op];
      rows.push({ chain: label, op: opName, provider: name, tlsbio: value, native: reference, ratio: value / reference });
    }
  }
}

if (json) {
  console.log(JSON.stringify(rows, null, 1));
} else {
  const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  console.log('chain  operation     provider   tlsbio ops/s   native ops/s   tlsbio/native');
  for (const row of rows) {
    console.log(
      `${row.chain.padEnd(6)} ${row.op.padEnd(13)} ${row.provider.padEnd(9)} ${fmt(row.tlsbio).padStart(13)} ${fmt(row.native).padStart(14)} ${row.ratio.toFixed(2).padStart(15)}`,
    );
  }
}
