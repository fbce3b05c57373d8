// The demo, in order. Each later issue appends its sections here (handshake over memory transport, …).
import type { CryptoProvider } from '@tlsbio/core';
import { crossCheckSection, selfCheckSection } from './crypto-checks.js';
import { speedSection } from './crypto-speed.js';
import type { DemoSection } from './section.js';
import { transportsSection } from './transports.js';
import { webSocketSection } from './websocket.js';

export type { DemoSection, SectionResult } from './section.js';

/** Default payload of each transport row. */
export const DEFAULT_DEMO_BYTES = 4 * 1024 * 1024;

/**
 * The sections `tlsbio demo` runs, for the given providers (the first two are cross-checked), ending with one
 * connection through every transport carrying `bytes` each.
 */
export function demoSections(providers: readonly CryptoProvider[], options: { readonly bytes?: number } = {}): DemoSection[] {
  const sections = [selfCheckSection(providers)];
  const [first, second] = providers;
  if (first !== undefined && second !== undefined) sections.push(crossCheckSection(first, second));
  sections.push(speedSection(providers));
  sections.push(transportsSection(options.bytes ?? DEFAULT_DEMO_BYTES));
  sections.push(webSocketSection(providers));
  return sections;
}
