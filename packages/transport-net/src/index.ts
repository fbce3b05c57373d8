export { socketTransport, connectTcp, type TcpConnectOptions } from './socket-transport.js';
