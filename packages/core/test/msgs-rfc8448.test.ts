/**
 * Real handshake messages through the codecs: RFC 8448's traces decoded field by field and re-encoded byte for byte,
 * then a seeded mutation loop over the same bytes asserting that nothing but a remote-fault ProtocolError escapes.
 *
 * Sources (hex transcribed from the RFC text; each message was cross-checked against the copies in Botan's
 * src/tests/data/tls_13_rfc8448/transcripts.vec, which embeds the same traces):
 * - RFC 8448 §3 (Simple 1-RTT Handshake): ClientHello, ServerHello, EncryptedExtensions, Certificate,
 *   CertificateVerify, server and client Finished, NewSessionTicket.
 * - RFC 8448 §4 (Resumed 0-RTT Handshake): ClientHello (early_data, padding, pre_shared_key), ServerHello,
 *   EncryptedExtensions (early_data).
 * - RFC 8448 §5 (HelloRetryRequest): HelloRetryRequest and the second ClientHello (cookie, P-256 share).
 * - Botan's transcripts.vec [Client_Authentication_Handshake]: a CertificateRequest; [Middlebox_Compatibility_Mode]:
 *   a ClientHello and ServerHello with a 32-byte legacy_session_id.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isTLSError, ProtocolError } from '@tlsbio/errors';
import {
  CipherSuiteId,
  ExtensionType,
  HandshakeType,
  HELLO_RETRY_REQUEST_RANDOM,
  NamedGroupId,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureSchemeId,
  decodeAlpn,
  decodeCertificate13,
  decodeCertificateAuthorities,
  decodeCertificateRequest13,
  decodeCertificateVerify,
  decodeClientHello,
  decodeCookie,
  decodeEarlyDataIndication,
  decodeEcPointFormats,
  decodeEncryptedExtensions,
  decodeFinished,
  decodeHandshake,
  decodeKeyShareClient,
  decodeKeyShareHelloRetry,
  decodeKeyShareServer,
  decodeNewSessionTicket13,
  decodePreSharedKeyClient,
  decodePreSharedKeyServer,
  decodePskKeyExchangeModes,
  decodeRecordSizeLimit,
  decodeRenegotiationInfo,
  decodeServerHello,
  decodeServerName,
  decodeSignatureSchemes,
  decodeSupportedGroups,
  decodeSupportedVersionsClient,
  decodeSupportedVersionsServer,
  encodeCertificate13,
  encodeCertificateRequest13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeHandshake,
  encodeNewSessionTicket13,
  encodeServerHello,
  expectEmptyExtension,
  findExtension,
  pskBindersLength,
  type Extension,
} from '../src/msgs/index.js';

const fromHex = (s: string) => {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  return new Uint8Array(clean.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// ---- RFC 8448 §3: Simple 1-RTT Handshake ----
const CLIENT_HELLO = fromHex(`
01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00
26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69
1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`);
const SERVER_HELLO = fromHex(`
02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1
56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04`);
const ENCRYPTED_EXTENSIONS = fromHex(`
08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c 00 02
40 01 00 00 00 00`);
const CERTIFICATE = fromHex(`
0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48
86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 30 37 33 30
30 31 32 33 35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06 03 55 04 03 13
03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4
bb 49 8f 82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a 24 61 ea fd 2d e4 9a
91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52 4b 1b
01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6
d1 d0 3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a 30 18
30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d
01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f 8a 7b 33 7d
2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60
96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb
2b d5 20 3b 1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29 ac 91 87 b4 2b 4d
e1 00 00`);
const CERTIFICATE_VERIFY = fromHex(`
0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a b3 ff
52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07 86 53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4
f3 94 ca b6 d3 0b be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c 9e a5 8c 18 1e 81
8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d a5 04 3e 06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3`);
const SERVER_FINISHED = fromHex(`
14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f
07 18`);
const CLIENT_FINISHED = fromHex(`
14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5
ce 61`);
const NEW_SESSION_TICKET = fromHex(`
04 00 00 c9 00 00 00 1e fa d6 aa c5 02 00 00 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00 00 00 26
2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22
60 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27 db 27 9c ce 14 50
77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90
6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6
21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 00 08 00 2a 00 04 00 00 04
00`);
const TICKET = NEW_SESSION_TICKET.subarray(17, 17 + 0xb2);

// ---- RFC 8448 §4: Resumed 0-RTT Handshake ----
const RESUMED_CLIENT_HELLO = fromHex(`
01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 9d 78
76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 33 00 26 00 24 00
1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98 34 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f
0b 00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e
c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be
78 5a bc 55 cd 22 60 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27
db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e
3d a2 67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03
27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6 aa
cb 00 21 20 3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e
5f 9d`);
const RESUMED_SERVER_HELLO = fromHex(`
02 00 00 5c 03 03 3c cf d2 de c8 90 22 27 63 47 2a e8 13 67 77 c9 d7 35 87 77 bb 66 e9 1e a5 12 24 95
f5 59 ea 2d 00 13 01 00 00 34 00 29 00 02 00 00 00 33 00 24 00 1d 00 20 12 17 61 ee 42 c3 33 e1 b9 e7
7b 60 dd 57 c2 05 3c d9 45 12 ab 47 f1 15 e8 6e ff 50 94 2c ea 31 00 2b 00 02 03 04`);
const RESUMED_ENCRYPTED_EXTENSIONS = fromHex(`
08 00 00 28 00 26 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c 00 02
40 01 00 00 00 00 00 2a 00 00`);

// ---- RFC 8448 §5: HelloRetryRequest ----
const HELLO_RETRY_REQUEST = fromHex(`
02 00 00 ac 03 03 cf 21 ad 74 e5 9a 61 11 be 1d 8c 02 1e 65 b8 91 c2 a2 11 16 7a bb 8c 5e 07 9e 09 e2
c8 a8 33 9c 00 13 01 00 00 84 00 33 00 02 00 17 00 2c 00 74 00 72 71 dc d0 4b b8 8b c3 18 91 19 39 8a
00 00 00 00 ee fa fc 76 c1 46 b8 23 b0 96 f8 aa ca d3 65 dd 00 30 95 3f 4e df 62 56 36 e5 f2 1b b2 e2
3f cc 65 4b 1b 5b 40 31 8d 10 d1 37 ab cb b8 75 74 e3 6e 8a 1f 02 5f 7d fa 5d 6e 50 78 1b 5e da 4a a1
5b 0c 8b e7 78 25 7d 16 aa 30 30 e9 e7 84 1d d9 e4 c0 34 22 67 e8 ca 0c af 57 1f b2 b7 cf f0 f9 34 b0
00 2b 00 02 03 04`);
const COOKIE = HELLO_RETRY_REQUEST.subarray(56, 56 + 0x72);
const CLIENT_HELLO_2 = fromHex(`
01 00 01 fc 03 03 b0 b1 c5 a5 aa 37 c5 91 9f 2e d1 d5 c6 ff f7 fc b7 84 97 16 94 5a 2b 8c ee 92 58 a3
46 67 7b 6f 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 08 00 06 00 1d 00 17 00 18 00 33 00 47 00 45 00 17 00 41 04 a6 da 73 92 ec 59 1e 17
ab fd 53 59 64 b9 98 94 d1 3b ef b2 21 b3 de f2 eb e3 83 0e ac 8f 01 51 81 26 77 c4 d6 d2 23 7e 85 cf
01 d6 91 0c fb 83 95 4e 76 ba 73 52 83 05 34 15 98 97 e8 06 57 80 00 2b 00 03 02 03 04 00 0d 00 20 00
1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2c 00
74 00 72 71 dc d0 4b b8 8b c3 18 91 19 39 8a 00 00 00 00 ee fa fc 76 c1 46 b8 23 b0 96 f8 aa ca d3 65
dd 00 30 95 3f 4e df 62 56 36 e5 f2 1b b2 e2 3f cc 65 4b 1b 5b 40 31 8d 10 d1 37 ab cb b8 75 74 e3 6e
8a 1f 02 5f 7d fa 5d 6e 50 78 1b 5e da 4a a1 5b 0c 8b e7 78 25 7d 16 aa 30 30 e9 e7 84 1d d9 e4 c0 34
22 67 e8 ca 0c af 57 1f b2 b7 cf f0 f9 34 b0 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 af 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00`);

// ---- Botan transcripts.vec: CertificateRequest and middlebox compatibility mode ----
const CERTIFICATE_REQUEST = fromHex(`
0d 00 00 27 00 00 24 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02
01 04 02 05 02 06 02 02 02`);
const COMPAT_CLIENT_HELLO = fromHex(`
01 00 00 dc 03 03 4e 64 0a 3f 2c 27 38 f0 9c 94 18 bd 78 ed cc d7 55 9d 05 31 19 92 76 d4 d9 2a 0e 9e
e9 d7 7d 09 20 a8 0c 16 55 81 a8 e0 d0 6c 00 18 d5 4d 3a 06 dd 32 cf d4 05 1e b0 26 fa d3 fd 0b a9 92
69 e6 ef 00 06 13 01 13 03 13 02 01 00 00 8d 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01
00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 33 00 26 00 24 00 1d 00
20 8e 72 92 cf 30 56 db b0 d2 5f cb e5 5c 10 7d c9 bb f8 3d d9 70 8f 39 20 3b a3 41 24 9a 7d 9b 63 00
2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01
04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01`);
const COMPAT_SERVER_HELLO = fromHex(`
02 00 00 76 03 03 e5 dd 59 48 c4 35 f7 a3 8f 0f 01 30 70 8d c3 22 d9 df 09 ab d4 83 81 17 c1 83 a7 bb
6d 99 4f 2c 20 a8 0c 16 55 81 a8 e0 d0 6c 00 18 d5 4d 3a 06 dd 32 cf d4 05 1e b0 26 fa d3 fd 0b a9 92
69 e6 ef 13 01 00 00 2e 00 33 00 24 00 1d 00 20 3e 30 f0 f4 ba 55 1a fd 62 76 83 41 17 5f 52 65 e4 da
f0 c8 84 16 17 aa 4f af dd 21 42 32 0c 22 00 2b 00 02 03 04`);

/** The body of a single complete handshake message, after checking its type. */
function bodyOf(message: Uint8Array, type: number): Uint8Array {
  const { type: actual, body } = decodeHandshake(message);
  expect(actual).toBe(type);
  return body;
}
const ext = (extensions: readonly Extension[], type: number): Uint8Array => {
  const data = findExtension(extensions, type);
  expect(data, `extension ${type}`).toBeDefined();
  return data as Uint8Array;
};
const SIGNATURE_ALGORITHMS_8448 = [
  0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602,
  0x0202,
];
const GROUPS_8448 = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

describe('RFC 8448 §3: simple 1-RTT handshake', () => {
  it('decodes the ClientHello field by field and re-encodes it byte for byte', () => {
    const body = bodyOf(CLIENT_HELLO, HandshakeType.client_hello);
    const hello = decodeClientHello(body);
    expect(hello.legacyVersion).toBe(ProtocolVersion.TLS1_2);
    expect(hex(hello.random)).toBe('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
    expect(hello.legacySessionId.length).toBe(0);
    expect(hello.cipherSuites).toEqual([
      CipherSuiteId.TLS_AES_128_GCM_SHA256,
      CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
      CipherSuiteId.TLS_AES_256_GCM_SHA384,
    ]);
    expect(hello.legacyCompressionMethods).toEqual([0]);
    expect(hello.extensions.map((e) => e.type)).toEqual([
      ExtensionType.server_name,
      ExtensionType.renegotiation_info,
      ExtensionType.supported_groups,
      ExtensionType.session_ticket,
      ExtensionType.key_share,
      ExtensionType.supported_versions,
      ExtensionType.signature_algorithms,
      ExtensionType.psk_key_exchange_modes,
      ExtensionType.record_size_limit,
    ]);
    const e = hello.extensions;
    expect(decodeServerName(ext(e, ExtensionType.server_name))).toBe('server');
    expect(decodeRenegotiationInfo(ext(e, ExtensionType.renegotiation_info)).length).toBe(0);
    expect(decodeSupportedGroups(ext(e, ExtensionType.supported_groups))).toEqual(GROUPS_8448);
    expect(ext(e, ExtensionType.session_ticket).length).toBe(0);
    const shares = decodeKeyShareClient(ext(e, ExtensionType.key_share));
    expect(shares).toHaveLength(1);
    expect(shares[0]?.group).toBe(NamedGroupId.x25519);
    expect(hex(shares[0]?.keyExchange ?? new Uint8Array())).toBe(
      '99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c',
    );
    expect(decodeSupportedVersionsClient(ext(e, ExtensionType.supported_versions))).toEqual([ProtocolVersion.TLS1_3]);
    expect(decodeSignatureSchemes(ext(e, ExtensionType.signature_algorithms))).toEqual(SIGNATURE_ALGORITHMS_8448);
    expect(decodePskKeyExchangeModes(ext(e, ExtensionType.psk_key_exchange_modes))).toEqual([
      PskKeyExchangeMode.psk_dhe_ke,
    ]);
    expect(decodeRecordSizeLimit(ext(e, ExtensionType.record_size_limit))).toBe(0x4001);

    expect(hex(encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello)))).toBe(hex(CLIENT_HELLO));
  });

  it('decodes the ServerHello and re-encodes it byte for byte', () => {
    const hello = decodeServerHello(bodyOf(SERVER_HELLO, HandshakeType.server_hello));
    expect(hello.legacyVersion).toBe(ProtocolVersion.TLS1_2);
    expect(hex(hello.random)).toBe('a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928');
    expect(hello.legacySessionIdEcho.length).toBe(0);
    expect(hello.cipherSuite).toBe(CipherSuiteId.TLS_AES_128_GCM_SHA256);
    expect(hello.legacyCompressionMethod).toBe(0);
    expect(hello.isHelloRetryRequest).toBe(false);
    expect(hello.extensions.map((e) => e.type)).toEqual([ExtensionType.key_share, ExtensionType.supported_versions]);
    const share = decodeKeyShareServer(ext(hello.extensions, ExtensionType.key_share));
    expect(share.group).toBe(NamedGroupId.x25519);
    expect(hex(share.keyExchange)).toBe('c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f');
    expect(decodeSupportedVersionsServer(ext(hello.extensions, ExtensionType.supported_versions))).toBe(0x0304);

    expect(hex(encodeHandshake(HandshakeType.server_hello, encodeServerHello(hello)))).toBe(hex(SERVER_HELLO));
  });

  it('decodes the EncryptedExtensions and re-encodes it byte for byte', () => {
    const ee = decodeEncryptedExtensions(bodyOf(ENCRYPTED_EXTENSIONS, HandshakeType.encrypted_extensions));
    expect(ee.extensions.map((e) => e.type)).toEqual([
      ExtensionType.supported_groups,
      ExtensionType.record_size_limit,
      ExtensionType.server_name,
    ]);
    expect(decodeSupportedGroups(ext(ee.extensions, ExtensionType.supported_groups))).toEqual(GROUPS_8448);
    expect(decodeRecordSizeLimit(ext(ee.extensions, ExtensionType.record_size_limit))).toBe(0x4001);
    // The server's empty server_name acknowledges the client's name (RFC 6066 §3).
    expect(decodeServerName(ext(ee.extensions, ExtensionType.server_name))).toBeUndefined();
    const reencoded = encodeHandshake(HandshakeType.encrypted_extensions, encodeEncryptedExtensions(ee));
    expect(hex(reencoded)).toBe(hex(ENCRYPTED_EXTENSIONS));
  });

  it('decodes the Certificate and re-encodes it byte for byte', () => {
    const cert = decodeCertificate13(bodyOf(CERTIFICATE, HandshakeType.certificate));
    expect(cert.certificateRequestContext.length).toBe(0);
    expect(cert.entries).toHaveLength(1);
    const entry = cert.entries[0];
    expect(entry?.certData.length).toBe(0x1b0);
    // A DER SEQUENCE of 0x1ac content bytes, then the 2-byte empty extensions block.
    expect(hex(entry?.certData.subarray(0, 4) ?? new Uint8Array())).toBe('308201ac');
    expect(entry?.extensions).toEqual([]);
    expect(hex(encodeHandshake(HandshakeType.certificate, encodeCertificate13(cert)))).toBe(hex(CERTIFICATE));
  });

  it('decodes the CertificateVerify and re-encodes it byte for byte', () => {
    const cv = decodeCertificateVerify(bodyOf(CERTIFICATE_VERIFY, HandshakeType.certificate_verify));
    expect(cv.scheme).toBe(SignatureSchemeId.rsa_pss_rsae_sha256);
    expect(cv.signature.length).toBe(128);
    expect(hex(cv.signature.subarray(0, 4))).toBe('5a747c5d');
    const reencoded = encodeHandshake(HandshakeType.certificate_verify, encodeCertificateVerify(cv));
    expect(hex(reencoded)).toBe(hex(CERTIFICATE_VERIFY));
  });

  it('decodes both Finished messages (SHA-256: 32 bytes) and re-encodes them', () => {
    for (const [message, first] of [
      [SERVER_FINISHED, '9b9b141d'],
      [CLIENT_FINISHED, 'a8ec436d'],
    ] as const) {
      const verifyData = decodeFinished(bodyOf(message, HandshakeType.finished), 32);
      expect(hex(verifyData.subarray(0, 4))).toBe(first);
      expect(hex(encodeHandshake(HandshakeType.finished, encodeFinished(verifyData)))).toBe(hex(message));
      expect(() => decodeFinished(bodyOf(message, HandshakeType.finished), 48)).toThrow(ProtocolError);
    }
  });

  it('decodes the NewSessionTicket and re-encodes it byte for byte', () => {
    const nst = decodeNewSessionTicket13(bodyOf(NEW_SESSION_TICKET, HandshakeType.new_session_ticket));
    expect(nst.lifetime).toBe(30);
    expect(nst.ageAdd).toBe(0xfad6aac5);
    expect(hex(nst.nonce)).toBe('0000');
    expect(nst.ticket.length).toBe(0xb2);
    expect(hex(nst.ticket.subarray(0, 4))).toBe('2c035d82');
    expect(nst.extensions.map((e) => e.type)).toEqual([ExtensionType.early_data]);
    expect(decodeEarlyDataIndication(ext(nst.extensions, ExtensionType.early_data), true)).toBe(0x400);
    const reencoded = encodeHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket13(nst));
    expect(hex(reencoded)).toBe(hex(NEW_SESSION_TICKET));
  });
});

describe('RFC 8448 §4: resumed 0-RTT handshake', () => {
  it('decodes the ClientHello with early_data, padding and pre_shared_key last, and re-encodes it', () => {
    const hello = decodeClientHello(bodyOf(RESUMED_CLIENT_HELLO, HandshakeType.client_hello));
    expect(hex(hello.random)).toBe('1bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95');
    const types = hello.extensions.map((e) => e.type);
    expect(types).toEqual([
      ExtensionType.server_name,
      ExtensionType.renegotiation_info,
      ExtensionType.supported_groups,
      ExtensionType.key_share,
      ExtensionType.early_data,
      ExtensionType.supported_versions,
      ExtensionType.signature_algorithms,
      ExtensionType.psk_key_exchange_modes,
      ExtensionType.record_size_limit,
      ExtensionType.padding,
      ExtensionType.pre_shared_key,
    ]);
    expect(decodeEarlyDataIndication(ext(hello.extensions, ExtensionType.early_data), false)).toBeUndefined();
    const padding = ext(hello.extensions, ExtensionType.padding);
    expect(padding.length).toBe(0x57);
    expect(padding.every((b) => b === 0)).toBe(true);

    const psk = decodePreSharedKeyClient(ext(hello.extensions, ExtensionType.pre_shared_key));
    expect(psk.identities).toHaveLength(1);
    expect(hex(psk.identities[0]?.identity ?? new Uint8Array())).toBe(hex(TICKET));
    expect(psk.identities[0]?.obfuscatedTicketAge).toBe(0xfad6aacb);
    expect(psk.binders.map(hex)).toEqual(['3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d']);

    // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to, not including, the binders list.
    const cut = pskBindersLength(psk.binders);
    expect(cut).toBe(35);
    expect(hex(RESUMED_CLIENT_HELLO.subarray(RESUMED_CLIENT_HELLO.length - cut - 4, -cut))).toBe('fad6aacb');

    const reencoded = encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello));
    expect(hex(reencoded)).toBe(hex(RESUMED_CLIENT_HELLO));
  });

  it('decodes the ServerHello selecting PSK 0 and the EncryptedExtensions accepting early data', () => {
    const hello = decodeServerHello(bodyOf(RESUMED_SERVER_HELLO, HandshakeType.server_hello));
    expect(hello.extensions.map((e) => e.type)).toEqual([
      ExtensionType.pre_shared_key,
      ExtensionType.key_share,
      ExtensionType.supported_versions,
    ]);
    expect(decodePreSharedKeyServer(ext(hello.extensions, ExtensionType.pre_shared_key))).toBe(0);
    expect(hex(encodeHandshake(HandshakeType.server_hello, encodeServerHello(hello)))).toBe(hex(RESUMED_SERVER_HELLO));

    const ee = decodeEncryptedExtensions(bodyOf(RESUMED_ENCRYPTED_EXTENSIONS, HandshakeType.encrypted_extensions));
    expect(decodeEarlyDataIndication(ext(ee.extensions, ExtensionType.early_data), false)).toBeUndefined();
    expect(hex(encodeHandshake(HandshakeType.encrypted_extensions, encodeEncryptedExtensions(ee)))).toBe(
      hex(RESUMED_ENCRYPTED_EXTENSIONS),
    );
  });
});

describe('RFC 8448 §5: HelloRetryRequest', () => {
  it('HELLO_RETRY_REQUEST_RANDOM is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3)', () => {
    expect(hex(HELLO_RETRY_REQUEST_RANDOM)).toBe(hex(createHash('sha256').update('HelloRetryRequest').digest()));
  });

  it('recognises the HelloRetryRequest and decodes its selected group and cookie', () => {
    const hrr = decodeServerHello(bodyOf(HELLO_RETRY_REQUEST, HandshakeType.server_hello));
    expect(hrr.isHelloRetryRequest).toBe(true);
    expect(hrr.cipherSuite).toBe(CipherSuiteId.TLS_AES_128_GCM_SHA256);
    expect(hrr.extensions.map((e) => e.type)).toEqual([
      ExtensionType.key_share,
      ExtensionType.cookie,
      ExtensionType.supported_versions,
    ]);
    expect(decodeKeyShareHelloRetry(ext(hrr.extensions, ExtensionType.key_share))).toBe(NamedGroupId.secp256r1);
    expect(hex(decodeCookie(ext(hrr.extensions, ExtensionType.cookie)))).toBe(hex(COOKIE));
    expect(hex(encodeHandshake(HandshakeType.server_hello, encodeServerHello(hrr)))).toBe(hex(HELLO_RETRY_REQUEST));
  });

  it('decodes the second ClientHello: the P-256 share and the echoed cookie', () => {
    const hello = decodeClientHello(bodyOf(CLIENT_HELLO_2, HandshakeType.client_hello));
    expect(decodeSupportedGroups(ext(hello.extensions, ExtensionType.supported_groups))).toEqual([
      NamedGroupId.x25519,
      NamedGroupId.secp256r1,
      NamedGroupId.secp384r1,
    ]);
    const shares = decodeKeyShareClient(ext(hello.extensions, ExtensionType.key_share));
    expect(shares.map((s) => [s.group, s.keyExchange.length, s.keyExchange[0]])).toEqual([[0x17, 65, 0x04]]);
    expect(hex(decodeCookie(ext(hello.extensions, ExtensionType.cookie)))).toBe(hex(COOKIE));
    expect(hex(encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello)))).toBe(hex(CLIENT_HELLO_2));
  });
});

describe('Botan transcripts: CertificateRequest and middlebox compatibility mode', () => {
  it('decodes a CertificateRequest with signature_algorithms and re-encodes it', () => {
    const request = decodeCertificateRequest13(bodyOf(CERTIFICATE_REQUEST, HandshakeType.certificate_request));
    expect(request.certificateRequestContext.length).toBe(0);
    expect(request.extensions.map((e) => e.type)).toEqual([ExtensionType.signature_algorithms]);
    expect(decodeSignatureSchemes(ext(request.extensions, ExtensionType.signature_algorithms))).toEqual(
      SIGNATURE_ALGORITHMS_8448,
    );
    const reencoded = encodeHandshake(HandshakeType.certificate_request, encodeCertificateRequest13(request));
    expect(hex(reencoded)).toBe(hex(CERTIFICATE_REQUEST));
  });

  it('carries a 32-byte legacy_session_id and its echo', () => {
    const ch = decodeClientHello(bodyOf(COMPAT_CLIENT_HELLO, HandshakeType.client_hello));
    const sh = decodeServerHello(bodyOf(COMPAT_SERVER_HELLO, HandshakeType.server_hello));
    expect(ch.legacySessionId.length).toBe(32);
    expect(hex(sh.legacySessionIdEcho)).toBe(hex(ch.legacySessionId));
    expect(hex(encodeHandshake(HandshakeType.client_hello, encodeClientHello(ch)))).toBe(hex(COMPAT_CLIENT_HELLO));
    expect(hex(encodeHandshake(HandshakeType.server_hello, encodeServerHello(sh)))).toBe(hex(COMPAT_SERVER_HELLO));
  });
});

// ---- Mutation loop ----

/** mulberry32: a small seeded generator, so every run exercises the same mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (next: () => number, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));

type Where = 'client_hello' | 'server_hello' | 'encrypted_extensions' | 'new_session_ticket' | 'certificate_request';

/** Runs the typed decoder of every extension we know, as the engine would for the message it came in. */
function decodeExtensionBodies(extensions: readonly Extension[], where: Where, hrr = false): void {
  for (const { type, data } of extensions) {
    switch (type) {
      case ExtensionType.server_name:
        decodeServerName(data);
        break;
      case ExtensionType.supported_groups:
        decodeSupportedGroups(data);
        break;
      case ExtensionType.ec_point_formats:
        decodeEcPointFormats(data);
        break;
      case ExtensionType.signature_algorithms:
      case ExtensionType.signature_algorithms_cert:
        decodeSignatureSchemes(data);
        break;
      case ExtensionType.application_layer_protocol_negotiation:
        decodeAlpn(data);
        break;
      case ExtensionType.record_size_limit:
        decodeRecordSizeLimit(data);
        break;
      case ExtensionType.early_data:
        decodeEarlyDataIndication(data, where === 'new_session_ticket');
        break;
      case ExtensionType.supported_versions:
        if (where === 'client_hello') decodeSupportedVersionsClient(data);
        else decodeSupportedVersionsServer(data);
        break;
      case ExtensionType.cookie:
        decodeCookie(data);
        break;
      case ExtensionType.psk_key_exchange_modes:
        decodePskKeyExchangeModes(data);
        break;
      case ExtensionType.certificate_authorities:
        decodeCertificateAuthorities(data);
        break;
      case ExtensionType.post_handshake_auth:
      case ExtensionType.extended_master_secret:
        expectEmptyExtension(data, 'empty');
        break;
      case ExtensionType.renegotiation_info:
        decodeRenegotiationInfo(data);
        break;
      case ExtensionType.key_share:
        if (where === 'client_hello') decodeKeyShareClient(data);
        else if (hrr) decodeKeyShareHelloRetry(data);
        else decodeKeyShareServer(data);
        break;
      case ExtensionType.pre_shared_key:
        if (where === 'client_hello') decodePreSharedKeyClient(data);
        else decodePreSharedKeyServer(data);
        break;
      default:
        break;
    }
  }
}

/** Re-encoding a successfully decoded message must give back exactly the bytes decoded (no silent normalisation). */
function expectCanonical(body: Uint8Array, encoded: Uint8Array, hasExtensions: boolean): void {
  // A legacy hello with an empty extensions block re-encodes without the block: both forms decode the same.
  if (!hasExtensions && body.length === encoded.length + 2) {
    expect(hex(body)).toBe(`${hex(encoded)}0000`);
    return;
  }
  expect(hex(encoded)).toBe(hex(body));
}

interface Target {
  name: string;
  message: Uint8Array;
  /** Decodes the body and everything in it; returns its extension blocks (for targeted length mutations). */
  decode(body: Uint8Array): Extension[];
}

const targets: Target[] = [
  ...[CLIENT_HELLO, RESUMED_CLIENT_HELLO, CLIENT_HELLO_2, COMPAT_CLIENT_HELLO].map((message, i) => ({
    name: `ClientHello#${i}`,
    message,
    decode(body: Uint8Array) {
      const m = decodeClientHello(body);
      decodeExtensionBodies(m.extensions, 'client_hello');
      expectCanonical(body, encodeClientHello(m), m.extensions.length > 0);
      return m.extensions;
    },
  })),
  ...[SERVER_HELLO, RESUMED_SERVER_HELLO, HELLO_RETRY_REQUEST, COMPAT_SERVER_HELLO].map((message, i) => ({
    name: `ServerHello#${i}`,
    message,
    decode(body: Uint8Array) {
      const m = decodeServerHello(body);
      decodeExtensionBodies(m.extensions, 'server_hello', m.isHelloRetryRequest);
      expectCanonical(body, encodeServerHello(m), m.extensions.length > 0);
      return m.extensions;
    },
  })),
  ...[ENCRYPTED_EXTENSIONS, RESUMED_ENCRYPTED_EXTENSIONS].map((message, i) => ({
    name: `EncryptedExtensions#${i}`,
    message,
    decode(body: Uint8Array) {
      const m = decodeEncryptedExtensions(body);
      decodeExtensionBodies(m.extensions, 'encrypted_extensions');
      expect(hex(encodeEncryptedExtensions(m))).toBe(hex(body));
      return m.extensions;
    },
  })),
  {
    name: 'Certificate',
    message: CERTIFICATE,
    decode(body) {
      const m = decodeCertificate13(body, { maxEntries: 4 });
      expect(hex(encodeCertificate13(m))).toBe(hex(body));
      return m.entries.flatMap((e) => e.extensions);
    },
  },
  {
    name: 'CertificateRequest',
    message: CERTIFICATE_REQUEST,
    decode(body) {
      const m = decodeCertificateRequest13(body);
      decodeExtensionBodies(m.extensions, 'certificate_request');
      expect(hex(encodeCertificateRequest13(m))).toBe(hex(body));
      return m.extensions;
    },
  },
  {
    name: 'CertificateVerify',
    message: CERTIFICATE_VERIFY,
    decode(body) {
      const m = decodeCertificateVerify(body);
      expect(hex(encodeCertificateVerify(m))).toBe(hex(body));
      return [];
    },
  },
  {
    name: 'Finished',
    message: SERVER_FINISHED,
    decode(body) {
      decodeFinished(body, 32);
      return [];
    },
  },
  {
    name: 'NewSessionTicket',
    message: NEW_SESSION_TICKET,
    decode(body) {
      const m = decodeNewSessionTicket13(body);
      decodeExtensionBodies(m.extensions, 'new_session_ticket');
      expect(hex(encodeNewSessionTicket13(m))).toBe(hex(body));
      return m.extensions;
    },
  },
];

const ALLOWED_REASONS = new Set(['DECODE_ERROR', 'ILLEGAL_PARAMETER', 'EXCESSIVE_MESSAGE_SIZE']);

describe('seeded mutations of the real messages', () => {
  it('throw nothing but remote-fault ProtocolErrors, and re-encode exactly whatever still decodes', () => {
    const next = rng(0x8448);
    const outcomes = { ok: 0, DECODE_ERROR: 0, ILLEGAL_PARAMETER: 0, EXCESSIVE_MESSAGE_SIZE: 0 };
    const kinds = new Set<string>();
    const MUTATIONS = 4000;

    for (let i = 0; i < MUTATIONS; i++) {
      const target = targets[int(next, 0, targets.length - 1)] as Target;
      const original = target.message.subarray(4);
      let body = original.slice();
      const kind = int(next, 0, 5);
      kinds.add(String(kind));
      switch (kind) {
        case 0: // truncation
          body = body.subarray(0, int(next, 0, body.length - 1));
          break;
        case 1: // one to three random byte overwrites
          for (let n = int(next, 1, 3); n > 0; n--) body[int(next, 0, body.length - 1)] = int(next, 0, 255);
          break;
        case 2: // a byte nudged by ±1: hits length fields and codepoints by one
          {
            const at = int(next, 0, body.length - 1);
            body[at] = ((body[at] as number) + (next() < 0.5 ? 1 : 255)) & 0xff;
          }
          break;
        case 3: {
          // a targeted length change: an extension's 16-bit extension_data length field
          const extensions = target.decode(original.slice());
          const victim = extensions[int(next, 0, Math.max(0, extensions.length - 1))];
          if (victim === undefined) {
            body = body.subarray(0, body.length - 1);
            break;
          }
          // decode() ran on a copy of `original`, so the view's offset is an offset into the body.
          const at = victim.data.byteOffset - 2;
          const lengths = [0, victim.data.length - 1, victim.data.length + 1, 0xffff, int(next, 0, 0xffff)];
          const length = lengths[int(next, 0, lengths.length - 1)] as number;
          body[at] = (length >>> 8) & 0xff;
          body[at + 1] = length & 0xff;
          break;
        }
        case 4: {
          // a random byte inserted
          const at = int(next, 0, body.length);
          const grown = new Uint8Array(body.length + 1);
          grown.set(body.subarray(0, at));
          grown[at] = int(next, 0, 255);
          grown.set(body.subarray(at), at + 1);
          body = grown;
          break;
        }
        default: {
          // a byte deleted
          const at = int(next, 0, body.length - 1);
          const shrunk = new Uint8Array(body.length - 1);
          shrunk.set(body.subarray(0, at));
          shrunk.set(body.subarray(at + 1), at);
          body = shrunk;
        }
      }

      try {
        target.decode(body);
        outcomes.ok++;
      } catch (error) {
        if (!isTLSError(error)) {
          throw new Error(`${target.name} mutation ${i} (kind ${kind}) escaped as ${String(error)}: ${hex(body)}`);
        }
        expect(ProtocolError.isInstance(error), `${target.name} #${i}: ${error.message}`).toBe(true);
        expect((error as ProtocolError).fault).toBe('remote');
        expect(ALLOWED_REASONS.has(error.reason), `${target.name} #${i}: reason ${error.reason}`).toBe(true);
        outcomes[error.reason as keyof typeof outcomes]++;
      }
    }

    expect(kinds.size).toBe(6);
    expect(outcomes.ok + outcomes.DECODE_ERROR + outcomes.ILLEGAL_PARAMETER + outcomes.EXCESSIVE_MESSAGE_SIZE).toBe(
      MUTATIONS,
    );
    // Both sides of the loop must be exercised: some mutations survive (codepoint changes), most do not.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.DECODE_ERROR).toBeGreaterThan(1000);
    expect(outcomes.ILLEGAL_PARAMETER).toBeGreaterThan(0);
  });
});
