// `tlsbio verify`: openssl verify's everyday use, on tlsbio's validator. Prints `FILE: OK` on stdout for each
// certificate that verifies, or OpenSSL's three lines on stderr (the failing certificate's subject, `error N at D
// depth lookup: MESSAGE` with OpenSSL's numbers and words, `error FILE: verification failed`), and exits 0 only
// when every certificate verified. Any certificate in --CAfile/--CApath anchors a path (openssl's -partial_chain);
// without either, Node's bundled roots are the trust store, as openssl falls back to its default store.
import { readFileSync } from 'node:fs';
import {
  CertificatePool,
  TLSContext,
  parseCertificate,
  parseCertificatesPem,
  verifyCertificateChain,
  type Certificate,
  type VerifyPurpose,
  type X509Name,
} from '@tlsbio/core';
import { CertVerificationError, isTLSError, verifyCodeMessage } from '@tlsbio/errors';
import { type ParsedArgs, UsageError } from '../args.js';
import type { Command, Output } from './command.js';

const PURPOSES: Readonly<Record<string, VerifyPurpose>> = { sslserver: 'serverAuth', sslclient: 'clientAuth', any: 'any' };

export const verifyCommand: Command = {
  name: 'verify',
  summary: "verify certificate chains, like openssl verify: 'FILE: OK', or OpenSSL's error number and depth",
  usage: [
    'tlsbio verify [--CAfile F] [--CApath D] [--untrusted F] [--purpose sslserver|sslclient|any]',
    '                     [--verify_hostname NAME] [--verify_ip IP] [--attime UNIX_SECONDS] [--show_chain] CERT.pem...',
  ].join('\n'),
  flags: [
    { name: 'CAfile', value: true, description: 'trusted certificates (PEM, any number; or DER)' },
    { name: 'CApath', value: true, description: 'a directory of trusted certificate files' },
    { name: 'untrusted', value: true, description: 'intermediates that may complete a chain (PEM, any number)' },
    { name: 'purpose', value: true, description: 'sslserver, sslclient or any (default: no purpose check)' },
    { name: 'verify_hostname', value: true, description: 'the DNS name the certificate must be valid for' },
    { name: 'verify_ip', value: true, description: 'the IP address the certificate must be valid for' },
    { name: 'attime', value: true, description: 'check validity at this time (seconds since 1970) instead of now' },
    { name: 'show_chain', description: 'print the verified chain, depth by depth' },
  ],
  run: async (args, output) => runVerify(args, output),
};

/**
 * Verifies each positional certificate file. Resolves to 0 when all verified, 1 otherwise.
 * @throws UsageError for missing files, unknown purposes, a bad time, or both --verify_hostname and --verify_ip.
 */
export function runVerify(args: ParsedArgs, output: Output): number {
  const flag = (name: string): string | undefined => {
    const value = args.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  if (args.positionals.length === 0) throw new UsageError('name at least one certificate file');
  const purposeName = flag('purpose');
  const purpose = purposeName === undefined ? 'any' : PURPOSES[purposeName];
  if (purpose === undefined) throw new UsageError(`unknown purpose '${purposeName}' (sslserver, sslclient or any)`);
  const hostname = flag('verify_hostname');
  const ip = flag('verify_ip');
  if (hostname !== undefined && ip !== undefined) throw new UsageError('give --verify_hostname or --verify_ip, not both');
  const attime = flag('attime');
  if (attime !== undefined && !/^\d+$/.test(attime)) throw new UsageError('--attime takes whole seconds since 1970');

  // The trust store: the files given, or the default roots.
  const store = new TLSContext('client');
  const cafile = flag('CAfile');
  const capath = flag('CApath');
  try {
    if (cafile === undefined && capath === undefined) store.loadDefaultCerts();
    else store.loadVerifyLocations({ ...(cafile === undefined ? {} : { cafile }), ...(capath === undefined ? {} : { capath }) });
  } catch (error) {
    if (!isTLSError(error)) throw error;
    output.err(`tlsbio verify: cannot load the trust store: ${error.message}\n`);
    return 1;
  }
  let untrusted: Certificate[] = [];
  const untrustedFile = flag('untrusted');
  if (untrustedFile !== undefined) {
    const loaded = readCertificates(untrustedFile, output);
    if (loaded === undefined) return 1;
    untrusted = loaded;
  }
  const intermediates = new CertificatePool(untrusted);
  const trustAnchors = new CertificatePool(store.trustAnchors);

  let failures = 0;
  for (const file of args.positionals) {
    const [leaf] = readCertificates(file, output) ?? [];
    if (leaf === undefined) {
      failures++;
      continue;
    }
    // The first failure's certificate, whose subject OpenSSL prints above the error.
    let failing: Certificate = leaf;
    try {
      const path = verifyCertificateChain([leaf], {
        provider: store.provider,
        callback: (cert, _errno, _depth, ok) => {
          if (!ok) failing = cert;
          return ok;
        },
        trustAnchors,
        intermediates,
        purpose,
        ...(attime === undefined ? {} : { now: new Date(Number(attime) * 1000) }),
        ...(hostname ?? ip) === undefined ? {} : { hostname: (hostname ?? ip) as string },
      });
      output.out(`${file}: OK\n`);
      if (args.flags.has('show_chain')) {
        output.out('Chain:\n');
        path.forEach((cert, depth) => {
          const trusted = trustAnchors.find(cert) !== undefined ? '' : ' (untrusted)';
          output.out(`depth=${depth}: ${oneline(cert.subject)}${trusted}\n`);
        });
      }
    } catch (error) {
      if (!CertVerificationError.isInstance(error)) throw error;
      failures++;
      output.err(`${oneline(failing.subject)}\n`);
      output.err(`error ${error.verifyCode} at ${error.depth} depth lookup: ${verifyCodeMessage(error.verifyCode)}\n`);
      output.err(`error ${file}: verification failed\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}

/** Every certificate of a PEM file, or the one of a DER file; undefined (reported) when it cannot be read. */
function readCertificates(file: string, output: Output): Certificate[] | undefined {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (error) {
    output.err(`error ${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return undefined;
  }
  try {
    const certs = bytes[0] === 0x30 ? [parseCertificate(bytes)] : parseCertificatesPem(new TextDecoder().decode(bytes));
    if (certs.length === 0) throw new Error('no certificate in the file');
    return certs;
  } catch (error) {
    output.err(`error ${file}: unable to load certificate: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

// OpenSSL's short names for the usual attribute types, as `openssl verify` prints a subject (XN_FLAG_ONELINE).
const SHORT_NAMES: Readonly<Record<string, string>> = {
  commonName: 'CN',
  countryName: 'C',
  localityName: 'L',
  stateOrProvinceName: 'ST',
  organizationName: 'O',
  organizationalUnitName: 'OU',
  domainComponent: 'DC',
  userId: 'UID',
  streetAddress: 'street',
};

function oneline(name: X509Name): string {
  return name.attributes
    .map((rdn) => rdn.map((attribute) => `${SHORT_NAMES[attribute.name] ?? attribute.name} = ${attribute.value}`).join(' + '))
    .join(', ');
}
