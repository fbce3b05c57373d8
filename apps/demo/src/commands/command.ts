// What every `tlsbio <command>` provides to the dispatcher in cli.ts.
import type { FlagSpec, ParsedArgs } from '../args.js';

/** Where a command writes: the CLI passes stdout/stderr, tests can pass buffers. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  /** One line for `tlsbio --help`. */
  readonly summary: string;
  /** Usage line(s), shown by `tlsbio <command> --help` above the flags. */
  readonly usage: string;
  /** The command's own flags (`--help` is added by the dispatcher). */
  readonly flags: readonly FlagSpec[];
  /**
   * Runs the command and resolves to its exit code.
   * @throws UsageError for a bad combination of arguments (exit code 2).
   */
  run(args: ParsedArgs, output: Output): Promise<number>;
}
