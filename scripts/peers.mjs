// The real programs the tests talk to. Missing ones are installed with apt-get when we are root;
// otherwise we say exactly what to install and stop, rather than letting tests fail obscurely.
import { execFileSync, spawnSync } from 'node:child_process';

/** command on PATH -> Debian package that provides it */
export const PEERS = [
  { command: 'openssl', aptPackage: 'openssl', why: 'fixtures and interop peer' },
];

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function ensurePeers(peers = PEERS) {
  const missing = peers.filter((peer) => !onPath(peer.command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((peer) => peer.aptPackage))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`Missing test peers: ${missing.map((p) => `${p.command} (${p.why})`).join(', ')}.`);
    console.error(`Install them first, e.g.: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing test peers: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}
