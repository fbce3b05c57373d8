// A throw-away CA and server certificate for the demo, made fresh on every run so that `pnpm demo` needs no files:
// RSA-2048 keys from node:crypto (fast), certificates built and signed with node-forge (its X.509 writer only; its TLS
// is never used). They live in memory and die with the process.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface ThrowawayPki {
  /** The CA certificate (PEM): what a client trusts. */
  readonly caPem: string;
  /** The server's chain (leaf, then CA) and its key (PEM), for `localhost`, 127.0.0.1 and ::1. */
  readonly chainPem: string;
  readonly keyPem: string;
}

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function certificate(options: {
  subject: string;
  issuer: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  serial: string;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = options.serial;
  // Valid from an hour ago (clock skew) for a day: long enough for any demo, short enough to be useless after.
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: options.subject }]);
  cert.setIssuer(options.issuer);
  cert.setExtensions(options.extensions);
  cert.sign(options.signer, forge.md.sha256.create());
  return cert;
}

/** Makes the CA and the server certificate it signs. */
export function makeThrowawayPki(): ThrowawayPki {
  const ca = rsaKeyPair();
  const caCert = certificate({
    subject: 'tlsbio demo throw-away CA',
    issuer: [{ name: 'commonName', value: 'tlsbio demo throw-away CA' }],
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    serial: '01',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  const server = rsaKeyPair();
  const serverCert = certificate({
    subject: 'localhost',
    issuer: caCert.subject.attributes,
    publicKey: server.publicKey,
    signer: ca.privateKey,
    serial: '02',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  const caPem = forge.pki.certificateToPem(caCert);
  return { caPem, chainPem: forge.pki.certificateToPem(serverCert) + caPem, keyPem: server.pem };
}
