// `tlsbio demo`: runs the demo sections in order and prints each one's result. No set-up, no network.
import { UsageError } from '../args.js';
import { builtInProviders } from '../providers.js';
import { type DemoSection, demoSections } from '../sections/index.js';
import { VERSION } from '../version.js';
import type { Command, Output } from './command.js';

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs `sections` one after the other, printing each title and result as it completes, and a verdict at the end.
 * Resolves to 0 when every section passed, 1 otherwise (a throwing section counts as failed).
 */
export async function runSections(sections: readonly DemoSection[], output: Output): Promise<number> {
  const failed: string[] = [];
  for (const section of sections) {
    output.out(`\n${section.title}\n\n`);
    let ok: boolean;
    let text: string;
    try {
      ({ ok, text } = await section.run());
    } catch (error) {
      ok = false;
      text = `  ✗ the section stopped with ${describe(error)}`;
    }
    output.out(`${text}\n`);
    if (!ok) failed.push(section.title);
  }
  if (failed.length === 0) {
    output.out(`\nDemo passed: ${sections.length} of ${sections.length} sections.\n`);
    return 0;
  }
  output.err(`\nDemo FAILED: ${failed.length} of ${sections.length} sections:\n${failed.map((title) => `  ✗ ${title}`).join('\n')}\n`);
  return 1;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'self-check both crypto providers, cross-check them, and time them (runs offline, ~10 s)',
  usage: 'tlsbio demo',
  flags: [],
  async run(args, output) {
    if (args.positionals.length > 0) throw new UsageError(`'demo' takes no arguments (got '${args.positionals[0]}')`);
    output.out(`tlsbio ${VERSION} demo · Node ${process.version} · ${process.platform} ${process.arch}\n`);
    output.out('Everything runs in this process: nothing to set up, no network.\n');
    return runSections(demoSections(builtInProviders()), output);
  },
};
