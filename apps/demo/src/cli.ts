// The `tlsbio` command: global flags, then dispatch to one command. Everything else lives in commands/.
import { type FlagSpec, UsageError, describeFlags, parseArgs } from './args.js';
import { benchCryptoCommand } from './commands/bench-crypto.js';
import { clientCommand } from './commands/client.js';
import type { Command, Output } from './commands/command.js';
import { demoCommand } from './commands/demo.js';
import { getCertCommand } from './commands/get-cert.js';
import { serverCommand } from './commands/server.js';
import { verifyCommand } from './commands/verify.js';
import { VERSION } from './version.js';

const COMMANDS: readonly Command[] = [demoCommand, benchCryptoCommand, clientCommand, serverCommand, verifyCommand, getCertCommand];
const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', description: 'show help' };
const GLOBAL_FLAGS: readonly FlagSpec[] = [HELP_FLAG, { name: 'version', short: 'V', description: 'print the version' }];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `tlsbio ${VERSION}: a sans-IO TLS library for JavaScript, and its demo`,
    '',
    'Usage: tlsbio <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    describeFlags(GLOBAL_FLAGS),
    '',
    "Run 'tlsbio <command> --help' for a command's options.",
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [`Usage: ${command.usage}`, '', command.summary, '', 'Options:', describeFlags([...command.flags, HELP_FLAG])].join('\n');
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code: 0, 1 on failure, 2 on misuse. */
export async function main(argv: readonly string[], output: Output): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) throw new UsageError('no command given');
    if (first.startsWith('-')) {
      const { flags, positionals } = parseArgs(argv, GLOBAL_FLAGS);
      if (positionals.length > 0) throw new UsageError('options go after the command');
      output.out(`${flags.has('version') ? VERSION : mainHelp()}\n`);
      return 0;
    }
    if (first === 'help') {
      const command = COMMANDS.find((candidate) => candidate.name === rest[0]);
      if (rest[0] !== undefined && command === undefined) throw new UsageError(`unknown command '${rest[0]}'`);
      output.out(`${command === undefined ? mainHelp() : commandHelp(command)}\n`);
      return 0;
    }
    const command = COMMANDS.find((candidate) => candidate.name === first);
    if (command === undefined) throw new UsageError(`unknown command '${first}'`);
    const args = parseArgs(rest, [...command.flags, HELP_FLAG]);
    if (args.flags.has('help')) {
      output.out(`${commandHelp(command)}\n`);
      return 0;
    }
    return await command.run(args, output);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`tlsbio: ${error.message}\nRun 'tlsbio --help' for usage.\n`);
    return 2;
  }
}

const stdio: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
main(process.argv.slice(2), stdio).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tlsbio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
