// `@tlsbio/transport-ws/relay`: the WebSocket-to-TCP relay (Node: `ws` + `net`). Not for browser bundles.
export { createRelay, type Relay, type RelayLogEntry, type RelayOptions, type RelayStats, type RelayTarget, type AddressKind } from './relay/relay.js';
export { CloseCode, closeCodeName, type CloseCodeName } from './close-codes.js';
export type { ListeningAddress } from './node/upgrade-server.js';
