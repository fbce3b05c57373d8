// The unit the demo is made of. Later issues add sections (a handshake over the memory transport, a relay round
// trip, …) by appending to the list in `index.ts`; the demo command only runs and prints them.

export interface SectionResult {
  /** False when anything in the section failed: the demo then exits non-zero. */
  readonly ok: boolean;
  /** What to print under the section's title (tables, notes), without a trailing newline. */
  readonly text: string;
  /** The section's results as data, for `tlsbio demo --json`. */
  readonly data?: unknown;
}

export interface DemoSection {
  readonly title: string;
  /** Runs the section, reporting progress lines as it goes. A throw counts as a failed section, with the error printed. */
  run(progress?: (text: string) => void): Promise<SectionResult>;
}
