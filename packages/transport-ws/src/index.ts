// The browser-safe entry: the client transport over any WHATWG WebSocket. It imports neither `ws` nor any Node
// built-in; the relay (`@tlsbio/transport-ws/relay`) and the WS-terminating server (`/server`) are their own entries.
export {
  webSocketTransport,
  connectWebSocket,
  WebSocketCloseError,
  type ConnectWebSocketOptions,
  type WebSocketLike,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
} from './websocket-transport.js';
export { connect, type ConnectOptions } from './connect.js';
export { CloseCode, closeCodeName, type CloseCodeName } from './close-codes.js';
export type { SecureInfo, SecureStream } from '@tlsbio/core';
