/**
 * Known answers for TLS 1.3 record protection: the protected records of RFC 8448 §3 (Simple 1-RTT Handshake,
 * TLS_AES_128_GCM_SHA256), opened and re-sealed byte for byte with both providers. This pins the per-record nonce
 * (RFC 8446 §5.3, at sequence numbers 0, 1 and 2), the additional data (the record header, §5.2) and the inner
 * plaintext layout (§5.4).
 *
 * Sources: the traffic keys and IVs are RFC 8448 §3's "{server} derive write traffic keys for handshake data",
 * "{client} derive write traffic keys for handshake data" and the two "... for application data" steps. The record
 * and message bytes were copied from Botan's src/tests/data/tls_13_rfc8448/transcripts.vec ([Simple_1RTT_Handshake]),
 * which embeds the same trace; the NewSessionTicket is assembled from RFC 8448 §3's fields with Botan's SessionTicket
 * value. Every value was checked when this file was written by decrypting the records with node:crypto directly.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@tlsbio/errors';
import { ContentType } from '../src/msgs/registry.js';
import {
  HandshakeReassembler,
  RecordDeframer,
  Tls13Opener,
  Tls13Sealer,
  decodeAlert,
  type RawRecord,
} from '../src/record/index.js';
import { providers } from './helpers/providers.js';

function h(...parts: string[]): Uint8Array {
  const hex = parts.join('');
  if (hex.length % 2 !== 0 || /[^0-9a-f]/.test(hex)) throw new Error(`bad hex: ${hex.slice(0, 40)}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function raw(record: Uint8Array): RawRecord {
  return { type: record[0]!, version: (record[1]! << 8) | record[2]!, fragment: record.subarray(5) };
}

// RFC 8448 §3 traffic keys (all AES-128-GCM).
const KEYS = {
  serverHandshake: { key: h('3fce516009c21727d0f2e4e86ee403bc'), iv: h('5d313eb2671276ee13000b30') },
  clientHandshake: { key: h('dbfaa693d1762c5b666af5d950258d01'), iv: h('5bd3c71b836e0b76bb73265f') },
  serverApplication: { key: h('9f02283b6c9c07efc26bb9f2ac92e356'), iv: h('cf782b88dd83549aadf1e984') },
  clientApplication: { key: h('17422dda596ed5d9acd890e3c63f5051'), iv: h('5b78923dee08579033e523d9') },
};

const SESSION_TICKET = h(
  '2c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd',
  '226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6',
  'a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e97',
  '0727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357',
);

const V = {
  serverHandshakeRecord: h(
    '17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73f848a7ca0761',
    '2ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b729df828b5ecf7b13bd9aefb0e',
    '57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609aee6e122a4cf51427325250c7d0e50928944',
    '4c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb360987255cc744110c453baa4fcd610928d809810e4b7ed1a',
    '8fd991f06aa6248204797e36a6a73b70a2559c09ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330e',
    'f8190579b3684596c960bd596eea520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c270342',
    '72968a264ed6540c84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b6596222',
    '45317b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f252107f24',
    '3d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cca71e4599426f7d461e6',
    '6f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a37668936b335583b599186dc5c6918a396fa48',
    'a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999b',
    'bf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f',
    '60f0504de93b5b845e275592c12335ee340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e',
    '44f94df5a631ede42c1719bfdabf0253fe5175be898e750edc53370d2b',
  ),
  encryptedExtensions: h(
    '080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000',
  ),
  certificate: h(
    '0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a0603',
    '5504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a06035504',
    '03130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6',
    '988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0cc',
    'b0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002',
    'c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d0609',
    '2a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8',
    'f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3e',
    'b7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000',
  ),
  certificateVerify: h(
    '0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c',
    '141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c18',
    '1e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3',
  ),
  serverFinished: h(
    '140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718',
  ),
  clientFinishedRecord: h(
    '170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeac',
    'ab6867d726c40546',
  ),
  newSessionTicketRecord: h(
    '17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c758db289a0159',
    '40252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1b6c0d4a3d03f75e09c30ba1e',
    '62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc181a77ca475840025db2f0a77f81b5ab05b94',
    'c01346755f69232c86519d86cbeeac87aac347d143f9605d64f650db4d023e70e952ca49fe5137121c74bc2697687e248746',
    'd6df353005f3bce18696129c8153556b3b6c6779b37bf15985684f',
  ),
  clientAppDataRecord: h(
    '1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a20441e2b6297',
    '4e1f5a6292a2977014bd1e3deae63aeebb21694915e4',
  ),
  serverAppDataRecord: h(
    '17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb501a59a8fcc4',
    '9c4bf2e5f0a21c0047c2abf332540dd032e167c2955d',
  ),
  clientCloseNotifyRecord: h(
    '1703030013c9872760655666b74d7ff1153efd6db6d0b0e3',
  ),
  serverCloseNotifyRecord: h(
    '1703030013b58fd67166ebf599d24720cfbe7efa7a8864a9',
  ),
  clientFinished: h('14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61'),
  // NewSessionTicket: lifetime 30 s, age_add, nonce 0x0000, the ticket, early_data extension (max 1024 bytes).
  newSessionTicket: concat(
    h('040000c9', '0000001e', 'fad6aac5', '020000', '00b2'),
    SESSION_TICKET,
    h('0008', '002a', '0004', '00000400'),
  ),
  applicationData: Uint8Array.from({ length: 50 }, (_, i) => i),
};

describe.each(providers)('RFC 8448 §3 records with the %s provider', (_name, createProvider) => {
  const aead = createProvider().aeads.aes_128_gcm!;
  const opener = (keys: { key: Uint8Array; iv: Uint8Array }): Tls13Opener => new Tls13Opener(aead.importKey(keys.key), keys.iv, aead);
  const sealer = (keys: { key: Uint8Array; iv: Uint8Array }): Tls13Sealer => new Tls13Sealer(aead.importKey(keys.key), keys.iv, aead);
  const serverFlight = concat(V.encryptedExtensions, V.certificate, V.certificateVerify, V.serverFinished);

  it('opens the server handshake record to EncryptedExtensions..Finished with inner type handshake', () => {
    const opened = opener(KEYS.serverHandshake).open(raw(V.serverHandshakeRecord));
    expect(opened.type).toBe(ContentType.handshake);
    expect(opened.fragment.length).toBe(serverFlight.length);
    expect(Buffer.from(opened.fragment).toString('hex')).toBe(Buffer.from(serverFlight).toString('hex'));

    const reassembler = new HandshakeReassembler();
    reassembler.push(opened.fragment);
    const messages = [V.encryptedExtensions, V.certificate, V.certificateVerify, V.serverFinished];
    for (const expected of messages) {
      const message = reassembler.next();
      expect(message).not.toBeNull();
      expect(message!.type).toBe(expected[0]);
      expect(Array.from(message!.raw)).toEqual(Array.from(expected));
      expect(Array.from(message!.body)).toEqual(Array.from(expected.subarray(4)));
    }
    expect(reassembler.next()).toBeNull();
    expect(reassembler.buffered).toBe(0);
  });

  it('seals the server handshake flight into exactly the published record', () => {
    const record = sealer(KEYS.serverHandshake).seal(ContentType.handshake, serverFlight);
    expect(Buffer.from(record).toString('hex')).toBe(Buffer.from(V.serverHandshakeRecord).toString('hex'));
  });

  it('opens and re-seals the client Finished record', () => {
    const opened = opener(KEYS.clientHandshake).open(raw(V.clientFinishedRecord));
    expect(opened.type).toBe(ContentType.handshake);
    expect(Array.from(opened.fragment)).toEqual(Array.from(V.clientFinished));
    expect(Array.from(sealer(KEYS.clientHandshake).seal(ContentType.handshake, V.clientFinished))).toEqual(Array.from(V.clientFinishedRecord));
  });

  it('opens the server application records at sequence numbers 0, 1 and 2', () => {
    const server = opener(KEYS.serverApplication);
    const ticket = server.open(raw(V.newSessionTicketRecord));
    expect(ticket.type).toBe(ContentType.handshake);
    expect(Array.from(ticket.fragment)).toEqual(Array.from(V.newSessionTicket));
    const data = server.open(raw(V.serverAppDataRecord));
    expect(data.type).toBe(ContentType.application_data);
    expect(Array.from(data.fragment)).toEqual(Array.from(V.applicationData));
    const close = server.open(raw(V.serverCloseNotifyRecord));
    expect(close.type).toBe(ContentType.alert);
    expect(decodeAlert(close.fragment)).toEqual({ level: 1, description: 0 });
    expect(server.sequence).toBe(3);
  });

  it('re-seals the server and client application records byte for byte', () => {
    const server = sealer(KEYS.serverApplication);
    expect(Array.from(server.seal(ContentType.handshake, V.newSessionTicket))).toEqual(Array.from(V.newSessionTicketRecord));
    expect(Array.from(server.seal(ContentType.application_data, V.applicationData))).toEqual(Array.from(V.serverAppDataRecord));
    expect(Array.from(server.seal(ContentType.alert, Uint8Array.of(1, 0)))).toEqual(Array.from(V.serverCloseNotifyRecord));
    const client = sealer(KEYS.clientApplication);
    expect(Array.from(client.seal(ContentType.application_data, V.applicationData))).toEqual(Array.from(V.clientAppDataRecord));
    expect(Array.from(client.seal(ContentType.alert, Uint8Array.of(1, 0)))).toEqual(Array.from(V.clientCloseNotifyRecord));
  });

  it('rejects the published records at the wrong sequence number', () => {
    const server = opener(KEYS.serverApplication);
    // The application data record is number 1: opening it as number 0 must fail authentication.
    expect(() => server.open(raw(V.serverAppDataRecord))).toThrow(ProtocolError);
    expect(server.sequence).toBe(0);
  });

  it('deframes the server application records fed one byte at a time', () => {
    const stream = concat(V.newSessionTicketRecord, V.serverAppDataRecord, V.serverCloseNotifyRecord);
    const deframer = new RecordDeframer();
    const server = opener(KEYS.serverApplication);
    const types: number[] = [];
    for (let i = 0; i < stream.length; i++) {
      deframer.feed(stream.subarray(i, i + 1));
      for (let record = deframer.next(); record !== null; record = deframer.next()) types.push(server.open(record).type);
    }
    expect(types).toEqual([ContentType.handshake, ContentType.application_data, ContentType.alert]);
    expect(deframer.buffered).toBe(0);
  });
});
