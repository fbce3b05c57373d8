/**
 * Where `TLSContext.loadVerifyLocations({cafile, capath})` and `loadDefaultCerts()` get their bytes. The core does
 * no I/O, so it reads files and knows system roots only through a source that a platform entry point registers:
 * the `node` entry registers one over `node:fs` and `tls.rootCertificates`. Elsewhere (browsers, Workers) there is
 * none, and certificates must be given as `cadata`.
 */

export interface TrustSource {
  /** The bytes of a file. */
  readFile(path: string): Uint8Array;
  /** The names of the regular files (or links to them) in a directory. */
  listDirectory(path: string): string[];
  /** The platform's default trust anchors, as PEM texts. */
  defaultCertificates(): readonly string[];
}

let registered: TrustSource | undefined;

/** Makes `source` the one every context uses. @internal (called by the node entry point) */
export function registerTrustSource(source: TrustSource): void {
  registered = source;
}

/** The registered source, if any. */
export function currentTrustSource(): TrustSource | undefined {
  return registered;
}
