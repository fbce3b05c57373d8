// The demo, in order. Each later issue appends its sections here (handshake over memory transport, …).
import type { CryptoProvider } from '@tlsbio/core';
import { crossCheckSection, selfCheckSection } from './crypto-checks.js';
import { speedSection } from './crypto-speed.js';
import type { DemoSection } from './section.js';
import { webSocketSection } from './websocket.js';

export type { DemoSection, SectionResult } from './section.js';

/** The sections `tlsbio demo` runs, for the given providers (the first two are cross-checked). */
export function demoSections(providers: readonly CryptoProvider[]): DemoSection[] {
  const sections = [selfCheckSection(providers)];
  const [first, second] = providers;
  if (first !== undefined && second !== undefined) sections.push(crossCheckSection(first, second));
  sections.push(speedSection(providers));
  sections.push(webSocketSection(providers));
  return sections;
}
