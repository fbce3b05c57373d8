// `tlsbio demo`: runs the demo sections in order and prints each one's result. No set-up; loopback only.
import { readFileSync } from 'node:fs';
import { UsageError } from '../args.js';
import { startBrowserDemo } from '../browser/serve.js';
import { builtInProviders } from '../providers.js';
import { DEFAULT_DEMO_BYTES, type DemoSection, demoSections } from '../sections/index.js';
import { VERSION } from '../version.js';
import type { Command, Output } from './command.js';

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs `sections` one after the other, printing each title, its progress and its result as it completes, and a
 * verdict at the end. With `json`, prints nothing but one JSON object at the end (`{ ok, sections: [{ title, ok,
 * data? }] }`). Resolves to 0 when every section passed, 1 otherwise (a throwing section counts as failed).
 */
export async function runSections(sections: readonly DemoSection[], output: Output, options: { readonly json?: boolean } = {}): Promise<number> {
  const json = options.json === true;
  const failed: string[] = [];
  const results: Array<{ title: string; ok: boolean; data?: unknown; error?: string }> = [];
  for (const section of sections) {
    if (!json) output.out(`\n${section.title}\n\n`);
    let ok: boolean;
    let text: string;
    let data: unknown;
    try {
      ({ ok, text, data } = await section.run(json ? undefined : (line) => output.out(line)));
    } catch (error) {
      ok = false;
      text = `  ✗ the section stopped with ${describe(error)}`;
      data = { error: describe(error) };
    }
    if (!json) output.out(`${text}\n`);
    results.push({ title: section.title, ok, ...(data === undefined ? {} : { data }) });
    if (!ok) failed.push(section.title);
  }
  if (json) {
    output.out(`${JSON.stringify({ ok: failed.length === 0, sections: results }, null, 2)}\n`);
    return failed.length === 0 ? 0 : 1;
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
  summary: 'self-check and time both crypto providers, then one TLS connection through every transport, WebSocket included (~20 s)',
  usage: 'tlsbio demo [--bytes N] [--json] [--browser]',
  flags: [
    { name: 'bytes', value: true, description: `bytes each transport row moves and checks (default ${DEFAULT_DEMO_BYTES})` },
    { name: 'json', description: 'print one JSON object with every section\'s result and the transport rows, nothing else' },
    { name: 'browser', description: 'serve a page that runs the same TLS handshake in your browser, through the relay (Ctrl-C stops)' },
  ],
  async run(args, output) {
    if (args.positionals.length > 0) throw new UsageError(`'demo' takes no arguments (got '${args.positionals[0]}')`);
    if (args.flags.has('browser')) return runBrowserDemo(output);
    const bytesFlag = args.flags.get('bytes');
    const bytes = typeof bytesFlag === 'string' ? Number(bytesFlag) : DEFAULT_DEMO_BYTES;
    if (!(Number.isSafeInteger(bytes) && bytes >= 1 && bytes <= 1 << 30)) throw new UsageError(`--bytes must be an integer from 1 to ${1 << 30}`);
    const json = args.flags.has('json');
    if (!json) {
      output.out(`tlsbio ${VERSION} demo · Node ${process.version} · ${process.platform} ${process.arch}\n`);
      output.out('Nothing to set up: certificates are made on the spot, servers listen on loopback only.\n');
    }
    return runSections(demoSections(builtInProviders(), { bytes }), output, { json });
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
