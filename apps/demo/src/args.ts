// Hand-written argument parsing: the CLI has a handful of flags and no dependencies.

/** A mistake on the command line: the CLI prints it with a pointer to `--help` and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** Long name without dashes, e.g. `'filter'`. */
  readonly name: string;
  /** One-letter alias without the dash, e.g. `'h'`. */
  readonly short?: string;
  /** The flag takes a value (`--filter gcm` or `--filter=gcm`). */
  readonly value?: boolean;
  /**
   * The flag may stand alone or take a count: `--reconnect`, `--reconnect 3`, `--reconnect=3` (only an unsigned
   * integer after a space is taken as its value, so `--reconnect --json` keeps working). Alone it maps to `true`.
   */
  readonly optionalCount?: boolean;
  readonly description: string;
}

export interface ParsedArgs {
  /** Boolean flags map to `true`; valued flags to their value. Absent flags are absent. */
  readonly flags: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` against `specs`. `--` ends the flags.
 * @throws UsageError for an unknown flag, a missing value, or a value given to a boolean flag.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const written = equals === -1 ? arg : arg.slice(0, equals);
    const spec = arg.startsWith('--')
      ? specs.find((candidate) => `--${candidate.name}` === written)
      : specs.find((candidate) => candidate.short !== undefined && `-${candidate.short}` === written);
    if (spec === undefined) throw new UsageError(`unknown option '${written}'`);
    if (spec.optionalCount) {
      const value = equals !== -1 ? arg.slice(equals + 1) : /^\d+$/.test(argv[i + 1] ?? '') ? argv[++i] : undefined;
      if (value !== undefined && !/^\d+$/.test(value)) throw new UsageError(`option '--${spec.name}' takes a count, got '${value}'`);
      flags.set(spec.name, value ?? true);
      continue;
    }
    if (!spec.value) {
      if (equals !== -1) throw new UsageError(`option '--${spec.name}' takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    const value = equals !== -1 ? arg.slice(equals + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`option '--${spec.name}' needs a value`);
    flags.set(spec.name, value);
  }
  return { flags, positionals };
}

/** The options part of a help text: one aligned line per flag. */
export function describeFlags(specs: readonly FlagSpec[]): string {
  const names = specs.map((spec) =>
    `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${spec.name}${spec.value ? ` <${spec.name === 'filter' ? 'text' : 'value'}>` : spec.optionalCount ? ' [N]' : ''}`);
  const width = Math.max(...names.map((name) => name.length));
  return specs.map((spec, i) => `  ${(names[i] ?? '').padEnd(width)}  ${spec.description}`).join('\n');
}
