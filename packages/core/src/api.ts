// Everything @tlsbio/core exports on every platform. Entry points (`index.ts`, `node/index.ts`) add the default provider.
export * from './crypto/provider.js';
export { createPortableProvider, portableProvider } from './crypto/portable/index.js';
export type { Transport, TransportInfo } from './transport.js';
export { splitTransport, mergeHalfInfo, type HalfInfo, type SplitTransportOptions, type WritableLike } from './split-transport.js';
export { MemoryBIO, type MemoryBIOOptions } from './bio/memory-bio.js';
export {
  TLSContext,
  createDefaultContext,
  DEFAULT_LIMITS,
  type AlpnSelectCallback,
  type CertifiedKey,
  type CertificateRequestInfo,
  type ClientCertificateCallback,
  type KeylogCallback,
  type SessionCallback,
  DEFAULT_TICKET_LIFETIME,
  DEFAULT_TICKETS_PER_HANDSHAKE,
  type Role,
  type ServernameCallback,
  type TLSContextOptions,
  type TLSLimits,
  type VerifyCallback,
  type VerifyLocations,
  type VerifyMode,
  type WrapBioOptions,
} from './context.js';
export {
  CertificatePool,
  certificateToDict,
  matchesHostname,
  parseCertificate,
  parseCertificatesPem,
  verifyCertificateChain,
  type Certificate,
  type CertificateCheckCallback,
  type GeneralName,
  type VerifyOptions,
  type VerifyPurpose,
  type X509Name,
} from './x509/index.js';
export { TLSConnection, type ChannelBindingType, type CipherInfo, type EarlyDataStatus, type PeerCertificateDict } from './connection.js';
export { EarlyDataAntiReplay, type AntiReplayVerdict, type EarlyDataAntiReplayOptions } from './anti-replay.js';
export { TLS12_SUITES, TLS13_SUITES, type CipherSuite, type CipherSuite12 } from './suites.js';
export { secure, type SecureStream, type SecureInfo, type SecureOptions } from './stream.js';
export { TLSSession } from './session/session.js';
export { TICKET_KEY_LENGTH, type TicketSealer } from './session/ticket-keys.js';
