export { connect, type ConnectOptions } from './connect.js';
export { getServerCertificate, type GetServerCertificateOptions } from './get-server-certificate.js';
export { createConnection, type CreateConnectionOptions } from './create-connection.js';
export { SecureSocket, toDuplex, type DuplexOptions } from './duplex.js';
export { createServer, type ListeningAddress, type SecureServer, type ServerErrorHandler, type ServerOptions } from './server.js';
export { socketTransport, connectTcp, type TcpConnectOptions } from './socket-transport.js';
export type { SecureInfo, SecureStream } from '@tlsbio/core';
