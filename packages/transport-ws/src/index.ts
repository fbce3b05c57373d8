export { webSocketTransport, connectWebSocket, type WebSocketLike, type WebSocketConstructor, type WebSocketTransportOptions } from './websocket-transport.js';
