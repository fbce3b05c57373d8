// `@tlsbio/transport-ws/server`: TLS terminated on WebSocket connections (Node: `ws`). Not for browser bundles.
export { createWsTlsServer, type WsTlsServer, type WsTlsServerOptions, type WsTlsErrorHandler } from './node/ws-tls-server.js';
export { CloseCode, closeCodeName, type CloseCodeName } from './close-codes.js';
export type { ListeningAddress } from './node/upgrade-server.js';
export type { SecureInfo, SecureStream } from '@tlsbio/core';
