/**
 * Every HKDF label of the TLS 1.3 key schedule, in one place (RFC 8446 §7.1, §7.3, §7.5, §4.6.3, §4.2.11.2).
 *
 * These are the labels without the `"tls13 "` prefix, which `hkdfExpandLabel` adds (RFC 8446 §7.1). Keeping them as
 * named constants means a typo is a compile error, not a silently different secret.
 */
export const Label = {
  /** Derive-Secret(., "derived", "") between stages (§7.1). */
  derived: 'derived',
  /** binder_key for an external PSK (§7.1). */
  extBinder: 'ext binder',
  /** binder_key for a resumption PSK (§7.1). */
  resBinder: 'res binder',
  /** client_early_traffic_secret (§7.1). */
  clientEarlyTraffic: 'c e traffic',
  /** early_exporter_master_secret (§7.1). */
  earlyExporterMaster: 'e exp master',
  /** client_handshake_traffic_secret (§7.1). */
  clientHandshakeTraffic: 'c hs traffic',
  /** server_handshake_traffic_secret (§7.1). */
  serverHandshakeTraffic: 's hs traffic',
  /** client_application_traffic_secret_0 (§7.1). */
  clientApplicationTraffic: 'c ap traffic',
  /** server_application_traffic_secret_0 (§7.1). */
  serverApplicationTraffic: 's ap traffic',
  /** exporter_master_secret (§7.1). */
  exporterMaster: 'exp master',
  /** resumption_master_secret (§7.1). */
  resumptionMaster: 'res master',
  /** The write key of a traffic secret (§7.3). */
  key: 'key',
  /** The write IV of a traffic secret (§7.3). */
  iv: 'iv',
  /** finished_key, from a handshake traffic secret or a binder key (§4.4.4). */
  finished: 'finished',
  /** application_traffic_secret_N+1 after a KeyUpdate (§7.2). */
  trafficUpdate: 'traffic upd',
  /** The PSK of a ticket, from the resumption master secret and the ticket nonce (§4.6.1). */
  resumption: 'resumption',
  /** The second expansion of TLS-Exporter (§7.5). */
  exporter: 'exporter',
} as const;

export type Label = (typeof Label)[keyof typeof Label];

/** The prefix every TLS 1.3 HkdfLabel carries before the label (RFC 8446 §7.1). */
export const LABEL_PREFIX = 'tls13 ';
