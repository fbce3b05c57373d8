// `tlsbio get-cert HOST:PORT`: the server's certificate as PEM on stdout, like Python's ssl.get_server_certificate()
// (and `openssl s_client -showcerts </dev/null`, without the noise). Nothing is verified unless --CAfile (or --verify,
// for Node's bundled roots) asks for it: the point is to look at what a server presents, whatever it is.
import { isTLSError } from '@tlsbio/errors';
import { getServerCertificate } from '@tlsbio/transport-net';
import { type ParsedArgs, UsageError } from '../args.js';
import { CliError, parseHostPort, readUserFile, stringFlag } from '../tls/options.js';
import { describeFailure, errorRecord } from '../tls/summary.js';
import type { Command, Output } from './command.js';

export const getCertCommand: Command = {
  name: 'get-cert',
  summary: "print a server's certificate as PEM, like Python's ssl.get_server_certificate (--chain: all it sent)",
  usage: 'tlsbio get-cert HOST:PORT [--servername NAME | --noservername] [--chain] [--CAfile F | --verify]',
  flags: [
    { name: 'servername', value: true, description: 'the name sent as SNI (default: HOST)' },
    { name: 'noservername', description: 'send no SNI' },
    { name: 'chain', description: 'print every certificate the server sent, leaf first' },
    { name: 'CAfile', value: true, description: 'verify the chain and name against these certificates (PEM) first' },
    { name: 'verify', description: "verify the chain and name against Node's bundled roots first" },
    { name: 'timeout', value: true, description: 'give up after this many seconds (default 10)' },
  ],
  run: (args, output) => runGetCert(args, output),
};

/** Resolves to 0 with the PEM printed, 1 when the connection or the verification fails. */
export async function runGetCert(args: ParsedArgs, output: Output): Promise<number> {
  const [target, ...rest] = args.positionals;
  if (target === undefined || rest.length > 0) throw new UsageError('give exactly one HOST:PORT');
  const { host, port } = parseHostPort('get-cert', target);
  const servername = stringFlag(args, 'servername');
  if (servername !== undefined && args.flags.has('noservername')) throw new UsageError('give --servername or --noservername, not both');
  const caFile = stringFlag(args, 'CAfile');
  if (caFile !== undefined && args.flags.has('verify')) throw new UsageError('give --CAfile or --verify, not both');
  const timeout = stringFlag(args, 'timeout') ?? '10';
  if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) === 0) throw new UsageError(`--timeout takes seconds, got '${timeout}'`);
  try {
    const pem = await getServerCertificate(host!, port, {
      ...(args.flags.has('noservername') ? { servername: null } : servername === undefined ? {} : { servername }),
      ...(caFile === undefined ? {} : { ca: readUserFile('CAfile', caFile) }),
      ...(args.flags.has('verify') ? { verify: true } : {}),
      chain: args.flags.has('chain'),
      timeoutMs: Number(timeout) * 1000,
    });
    output.out(pem);
    return 0;
  } catch (error) {
    if (!(error instanceof CliError) && !isTLSError(error)) throw error;
    output.err(`tlsbio get-cert: ${describeFailure(errorRecord(error))}\n`);
    return 1;
  }
}
