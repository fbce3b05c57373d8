// The real programs the tests talk to. Missing ones are installed with apt-get when we are root;
// otherwise we say exactly what to install and stop, rather than letting tests fail obscurely.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** command on PATH -> Debian package that provides it */
export const PEERS = [
  { command: 'openssl', aptPackage: 'openssl', why: 'fixtures and interop peer' },
  { command: 'gnutls-cli', aptPackage: 'gnutls-bin', why: 'interop peer (gnutls-cli)' },
  { command: 'gnutls-serv', aptPackage: 'gnutls-bin', why: 'interop peer (gnutls-serv)' },
  { command: 'curl', aptPackage: 'curl', why: "HTTPS client against transport-net's server-side Duplex" },
  { command: 'socat', aptPackage: 'socat', why: 'stdin/stdout-to-TCP bridge for the split-transport test' },
  { command: 'chromium', aptPackage: 'chromium', why: 'browser tests (Debian\'s Chromium driven by playwright-core; never a downloaded browser)' },
  { command: 'websockify', aptPackage: 'websockify', why: 'interop peer of the WebSocket transport (a websockify relay)' },
  { file: '/usr/lib/python3/dist-packages/websocket/__init__.py', aptPackage: 'python3-websocket', why: 'interop peer of the WebSocket relay (a websockify-style client)' },
  { file: '/usr/include/openssl/x509_vfy.h', aptPackage: 'libssl-dev', why: "OpenSSL's verify codes and reasons, checked against its headers" },
  {
    command: 'tshark',
    aptPackage: 'tshark',
    why: 'decrypts a captured session with our key log (the keylog proof)',
    // wireshark-common asks whether non-root users may capture; answered in advance (no), so the install never waits.
    debconf: ['wireshark-common wireshark-common/install-setuid boolean false'],
  },
];

function present(peer) {
  if (peer.file) return existsSync(peer.file);
  return spawnSync('sh', ['-c', `command -v ${peer.command}`], { stdio: 'ignore' }).status === 0;
}
const onPath = (command) => present({ command });

export function ensurePeers(peers = PEERS) {
  const missing = peers.filter((peer) => !present(peer));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((peer) => peer.aptPackage))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`Missing test peers: ${missing.map((p) => `${p.command ?? p.file} (${p.why})`).join(', ')}.`);
    console.error(`Install them first, e.g.: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing test peers: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const answers = missing.flatMap((peer) => peer.debconf ?? []);
  if (answers.length > 0) execFileSync('debconf-set-selections', [], { input: `${answers.join('\n')}\n`, stdio: ['pipe', 'inherit', 'inherit'], env });
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}
