// `tlsbio demo`: runs the demo sections in order and prints each one's result. No set-up, no network.
import { readFileSync } from 'node:fs';
import { UsageError } from '../args.js';
import { startBrowserDemo } from '../browser/serve.js';
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
  summary: 'self-check both crypto providers, cross-check them, TLS over a WebSocket relay, and time them (~10 s)',
  usage: 'tlsbio demo [--browser]',
  flags: [{ name: 'browser', description: 'serve a page that runs the same TLS handshake in your browser, through the relay (Ctrl-C stops)' }],
  async run(args, output) {
    if (args.positionals.length > 0) throw new UsageError(`'demo' takes no arguments (got '${args.positionals[0]}')`);
    if (args.flags.has('browser')) return runBrowserDemo(output);
    output.out(`tlsbio ${VERSION} demo · Node ${process.version} · ${process.platform} ${process.arch}\n`);
    output.out('Everything runs in this process (servers on loopback only): nothing to set up, no network.\n');
    return runSections(demoSections(builtInProviders()), output);
  },
};

/** Serves the browser page until SIGINT or SIGTERM. */
async function runBrowserDemo(output: Output): Promise<number> {
  // tsup builds the page beside the CLI (dist/browser-page.js): core's portable provider and the WebSocket client.
  const script = readFileSync(new URL('./browser-page.js', import.meta.url), 'utf8');
  const demo = await startBrowserDemo(script);
  output.out(`tlsbio ${VERSION} demo in your browser: open\n\n  ${demo.url}\n\n`);
  output.out('The page runs TLS 1.3 itself (portable provider) through a tlsbio relay to a tlsbio server. Ctrl-C stops.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const entry of demo.tunnel.relayLog) {
    output.out(`relay: ${entry.event} ${entry.code} ${entry.name} ${entry.target ?? ''} (${entry.bytesUp} B up, ${entry.bytesDown} B down)\n`);
  }
  await demo.close();
  return 0;
}
