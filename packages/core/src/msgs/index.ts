/**
 * Handshake message and extension codecs (RFC 8446 §4; RFC 5246, RFC 6066, RFC 7301, RFC 8422, RFC 8449, RFC 5746
 * for the extensions TLS 1.2 shares). One file per message or extension: a plain typed record and an encode/decode
 * pair. Decoders read through bounded sub-readers, reject trailing bytes, and fail only with `ProtocolError`
 * (`DECODE_ERROR`, `ILLEGAL_PARAMETER`, `EXCESSIVE_MESSAGE_SIZE`, fault `'remote'`); encoders fail only with
 * `InvalidArgumentError`. Message codecs handle bodies: frame them with {@link encodeHandshake}.
 */
export * from './registry.js';
export * from './extensions.js';
export * from './handshake.js';
export * from './client-hello.js';
export * from './server-hello.js';
export * from './encrypted-extensions.js';
export * from './certificate.js';
export * from './certificate-request.js';
export * from './certificate-verify.js';
export * from './finished.js';
export * from './new-session-ticket.js';
export * from './new-session-ticket12.js';
export * from './key-update.js';
export * from './end-of-early-data.js';
export * from './message-hash.js';
export * from './ext/server-name.js';
export * from './ext/supported-groups.js';
export * from './ext/signature-algorithms.js';
export * from './ext/alpn.js';
export * from './ext/supported-versions.js';
export * from './ext/key-share.js';
export * from './ext/cookie.js';
export * from './ext/psk-key-exchange-modes.js';
export * from './ext/early-data.js';
export * from './ext/pre-shared-key.js';
export * from './ext/certificate-authorities.js';
export * from './ext/ec-point-formats.js';
export * from './ext/renegotiation-info.js';
export * from './ext/session-ticket.js';
export * from './ext/record-size-limit.js';
export * from './server-key-exchange.js';
export * from './client-key-exchange.js';
export * from './empty-messages.js';
export * from './certificate12.js';
export * from './certificate-request12.js';
