/**
 * What both server handshakes (TLS 1.3 and TLS 1.2) read from a ClientHello the same way: the SNI name, the ALPN
 * offer, and the ALPN choice. Kept apart so that neither version's file imports the other's for them.
 */
import { ProtocolError } from '@tlsbio/errors';
import { ExtensionType, decodeAlpn, decodeServerName, findExtension, type ClientHello } from '../msgs/index.js';
import type { HandshakeIO } from './state.js';

const textDecoder = new TextDecoder();

/** The client's SNI host name (RFC 6066 §3), `undefined` without server_name. */
export function readServerName(hello: ClientHello): string | undefined {
  const data = findExtension(hello.extensions, ExtensionType.server_name);
  return data === undefined ? undefined : decodeServerName(data);
}

/** The protocols the client offers (RFC 7301 §3.1), `undefined` without the extension. */
export function readAlpn(hello: ClientHello): readonly string[] | undefined {
  const data = findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation);
  return data === undefined ? undefined : decodeAlpn(data).map((protocol) => textDecoder.decode(protocol));
}

/** RFC 7301 §3.2: the callback decides, or our first protocol the client offers; none in common is fatal. */
export function chooseAlpn(io: HandshakeIO, offer: { readonly alpn: readonly string[] | undefined }): string | undefined {
  const offered = offer.alpn;
  if (offered === undefined) return undefined;
  const callback = io.context.alpnSelectCallback;
  if (callback !== undefined) {
    const chosen = io.callback(() => callback(io.connection, offered));
    if (chosen !== undefined && !offered.includes(chosen)) {
      throw new ProtocolError('CALLBACK_FAILED', `the ALPN callback chose ${chosen}, which the client did not offer`, { fault: 'local' });
    }
    return chosen;
  }
  const ours = io.context.alpnProtocols;
  if (ours.length === 0) return undefined;
  const chosen = ours.find((protocol) => offered.includes(protocol));
  if (chosen === undefined) throw new ProtocolError('NO_APPLICATION_PROTOCOL', 'no ALPN protocol in common');
  return chosen;
}
