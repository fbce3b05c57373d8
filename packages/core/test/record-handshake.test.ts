/**
 * HandshakeReassembler (RFC 8446 §5.1: handshake messages coalesced into records and fragmented across them),
 * sealFragments, and the alert codec (RFC 8446 §6, RFC 5246 §7.2).
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { ContentType, HandshakeType } from '../src/msgs/registry.js';
import {
  AlertLevel,
  DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
  HandshakeReassembler,
  MAX_PLAINTEXT_LENGTH,
  PlaintextOpener,
  PlaintextSealer,
  RecordDeframer,
  Tls13Opener,
  Tls13Sealer,
  decodeAlert,
  encodeAlert,
  sealFragments,
  type HandshakeMessage,
} from '../src/record/index.js';
import { providers } from './helpers/providers.js';

function message(type: number, bodyLength: number, seed = type): Uint8Array {
  const out = new Uint8Array(4 + bodyLength);
  out.set([type, bodyLength >> 16, (bodyLength >> 8) & 0xff, bodyLength & 0xff]);
  for (let i = 0; i < bodyLength; i++) out[4 + i] = (i * 7 + seed) & 0xff;
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const MESSAGES = [
  message(HandshakeType.server_hello, 90),
  message(HandshakeType.encrypted_extensions, 0), // an empty body is legal (and end_of_early_data always is)
  message(HandshakeType.certificate, 20000), // longer than a record
  message(HandshakeType.certificate_verify, 260),
  message(HandshakeType.finished, 32),
  message(HandshakeType.end_of_early_data, 0),
  message(HandshakeType.new_session_ticket, 3),
];
const FLIGHT = concat(MESSAGES);

function drain(reassembler: HandshakeReassembler, into: HandshakeMessage[]): void {
  for (let next = reassembler.next(); next !== null; next = reassembler.next()) into.push(next);
}

function expectMessages(got: HandshakeMessage[]): void {
  expect(got.map((m) => m.type)).toEqual(MESSAGES.map((m) => m[0]));
  got.forEach((m, i) => {
    const want = MESSAGES[i]!;
    expect(Buffer.compare(Buffer.from(m.raw), Buffer.from(want))).toBe(0);
    expect(Buffer.compare(Buffer.from(m.body), Buffer.from(want.subarray(4)))).toBe(0);
  });
}

function pushInPieces(sizes: number[]): HandshakeMessage[] {
  const reassembler = new HandshakeReassembler();
  const got: HandshakeMessage[] = [];
  let i = 0;
  for (let offset = 0; offset < FLIGHT.length; i++) {
    const size = sizes[i % sizes.length]!;
    reassembler.push(FLIGHT.subarray(offset, offset + size));
    offset += size;
    drain(reassembler, got);
  }
  expect(reassembler.hasPartial).toBe(false);
  expect(reassembler.buffered).toBe(0);
  return got;
}

function expectProtocolError(fn: () => unknown, reason: string, alert: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(ProtocolError.isInstance(caught), `expected ProtocolError ${reason}, got ${String(caught)}`).toBe(true);
  expect((caught as ProtocolError).reason).toBe(reason);
  expect((caught as ProtocolError).alert?.name).toBe(alert);
  expect((caught as ProtocolError).fault).toBe('remote');
}

describe('HandshakeReassembler', () => {
  it('splits several messages coalesced in one fragment, as views of it', () => {
    const reassembler = new HandshakeReassembler();
    reassembler.push(FLIGHT);
    expect(reassembler.hasPartial).toBe(false);
    expect(reassembler.buffered).toBe(FLIGHT.length);
    const got: HandshakeMessage[] = [];
    drain(reassembler, got);
    expectMessages(got);
    for (const m of got) {
      expect(m.raw.buffer).toBe(FLIGHT.buffer);
      expect(m.body.buffer).toBe(FLIGHT.buffer);
    }
  });

  it('reassembles messages split across many fragments, the header too', () => {
    expectMessages(pushInPieces([1]));
    expectMessages(pushInPieces([2, 3]));
    expectMessages(pushInPieces([MAX_PLAINTEXT_LENGTH]));
    expectMessages(pushInPieces([100, 7, 5000, 1, 4, 3]));
  });

  it('tells whether a message is partly buffered', () => {
    const reassembler = new HandshakeReassembler();
    const finished = message(HandshakeType.finished, 32);
    reassembler.push(finished.subarray(0, 2)); // half a header
    expect(reassembler.hasPartial).toBe(true);
    expect(reassembler.buffered).toBe(2);
    expect(reassembler.next()).toBeNull();
    reassembler.push(finished.subarray(2, 10)); // header and part of the body
    expect(reassembler.hasPartial).toBe(true);
    expect(reassembler.buffered).toBe(10);
    reassembler.push(finished.subarray(10)); // the rest, complete
    expect(reassembler.hasPartial).toBe(false);
    expect(reassembler.buffered).toBe(36); // complete but not taken yet
    expect(reassembler.next()?.type).toBe(HandshakeType.finished);
    expect(reassembler.buffered).toBe(0);
    // A complete message followed by the start of the next: partial again.
    reassembler.push(concat([message(HandshakeType.key_update, 1), Uint8Array.of(HandshakeType.finished)]));
    expect(reassembler.hasPartial).toBe(true);
    expect(reassembler.next()?.type).toBe(HandshakeType.key_update);
    expect(reassembler.next()).toBeNull();
  });

  it('refuses a message longer than the limit as soon as its header is seen', () => {
    const reassembler = new HandshakeReassembler({ maxMessageSize: 1000 });
    reassembler.push(message(HandshakeType.certificate, 1000)); // exactly the limit is fine
    expect(reassembler.next()?.body.length).toBe(1000);
    // Only the header of a 1001-byte message: refused before any body byte arrives.
    expectProtocolError(() => reassembler.push(Uint8Array.of(HandshakeType.certificate, 0, 0x03, 0xe9)), 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
  });

  it('refuses an oversized header delivered one byte at a time, on its fourth byte', () => {
    const reassembler = new HandshakeReassembler();
    const header = [HandshakeType.certificate, 0xff, 0xff, 0xff];
    for (const byte of header.slice(0, 3)) reassembler.push(Uint8Array.of(byte));
    expectProtocolError(() => reassembler.push(Uint8Array.of(header[3]!)), 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
  });

  it('has a 64 KiB default limit that can be changed', () => {
    expect(DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE).toBe(65536);
    const reassembler = new HandshakeReassembler();
    expect(reassembler.maxMessageSize).toBe(65536);
    reassembler.push(Uint8Array.of(HandshakeType.certificate, 0x01, 0x00, 0x00)); // 65536: accepted, partial
    expect(reassembler.hasPartial).toBe(true);
    const small = new HandshakeReassembler();
    small.maxMessageSize = 10;
    expectProtocolError(() => small.push(message(HandshakeType.finished, 11)), 'EXCESSIVE_MESSAGE_SIZE', 'illegal_parameter');
    expect(() => new HandshakeReassembler({ maxMessageSize: 2 ** 24 })).toThrow(InvalidArgumentError);
    expect(() => (small.maxMessageSize = -1)).toThrow(InvalidArgumentError);
    expect(() => small.push([1, 2] as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it('ignores empty fragments', () => {
    const reassembler = new HandshakeReassembler();
    reassembler.push(new Uint8Array(0));
    expect(reassembler.hasPartial).toBe(false);
    expect(reassembler.next()).toBeNull();
  });
});

describe('sealFragments', () => {
  it('splits data at 2^14 by default and at a lower limit on request', () => {
    const sealer = new PlaintextSealer();
    const data = message(HandshakeType.certificate, 40000);
    const records = sealFragments(sealer, ContentType.handshake, data);
    expect(records.map((r) => r.length - 5)).toEqual([16384, 16384, data.length - 32768]);
    expect(sealer.sequence).toBe(3);
    const small = sealFragments(new PlaintextSealer(), ContentType.handshake, data.subarray(0, 2500), 1000);
    expect(small.map((r) => r.length - 5)).toEqual([1000, 1000, 500]);
    expect(sealFragments(sealer, ContentType.application_data, new Uint8Array(0))).toEqual([]);
    expect(() => sealFragments(sealer, ContentType.handshake, data, 0)).toThrow(InvalidArgumentError);
    expect(() => sealFragments(sealer, ContentType.handshake, data, MAX_PLAINTEXT_LENGTH + 1)).toThrow(InvalidArgumentError);
  });

  it('round-trips a flight through plaintext records, the deframer and the reassembler', () => {
    const records = sealFragments(new PlaintextSealer(), ContentType.handshake, FLIGHT, 3000);
    const deframer = new RecordDeframer();
    const opener = new PlaintextOpener();
    const reassembler = new HandshakeReassembler();
    for (const r of records) deframer.feed(r);
    const got: HandshakeMessage[] = [];
    for (let r = deframer.next(); r !== null; r = deframer.next()) {
      const { type, fragment } = opener.open(r);
      expect(type).toBe(ContentType.handshake);
      reassembler.push(fragment);
      drain(reassembler, got);
    }
    expectMessages(got);
  });

  describe.each(providers)('through TLS 1.3 protection with the %s provider', (_name, createProvider) => {
    it('round-trips a flight fragmented across protected records', () => {
      const aead = createProvider().aeads.chacha20_poly1305!;
      const key = new Uint8Array(32).fill(7);
      const iv = new Uint8Array(12).fill(9);
      const records = sealFragments(new Tls13Sealer(aead.importKey(key), iv, aead), ContentType.handshake, FLIGHT);
      const deframer = new RecordDeframer();
      deframer.feed(concat(records));
      const opener = new Tls13Opener(aead.importKey(key), iv, aead);
      const reassembler = new HandshakeReassembler();
      const got: HandshakeMessage[] = [];
      for (let r = deframer.next(); r !== null; r = deframer.next()) {
        reassembler.push(opener.open(r).fragment);
        drain(reassembler, got);
      }
      expectMessages(got);
    });
  });
});

describe('alerts', () => {
  it('encodes and decodes level and description', () => {
    expect(AlertLevel).toEqual({ warning: 1, fatal: 2 });
    const bytes = encodeAlert(AlertLevel.fatal, AlertDescription.handshake_failure);
    expect(Array.from(bytes)).toEqual([2, 40]);
    expect(decodeAlert(bytes)).toEqual({ level: 2, description: 40 });
    expect(decodeAlert(encodeAlert(AlertLevel.warning, AlertDescription.close_notify))).toEqual({ level: 1, description: 0 });
  });

  it('carries descriptions outside the registry', () => {
    expect(decodeAlert(Uint8Array.of(2, 200))).toEqual({ level: 2, description: 200 });
  });

  it('refuses an alert record that is not exactly 2 bytes (RFC 8446 §5.1)', () => {
    for (const length of [0, 1, 3, 4]) {
      expectProtocolError(() => decodeAlert(new Uint8Array(length).fill(2)), 'INVALID_ALERT', 'decode_error');
    }
  });

  it('refuses a level that is neither warning nor fatal', () => {
    for (const level of [0, 3, 255]) {
      expectProtocolError(() => decodeAlert(Uint8Array.of(level, 40)), 'UNKNOWN_ALERT_TYPE', 'illegal_parameter');
    }
  });

  it('refuses to encode values that are not bytes', () => {
    expect(() => encodeAlert(256, 0)).toThrow(InvalidArgumentError);
    expect(() => encodeAlert(1, -1)).toThrow(InvalidArgumentError);
    expect(() => encodeAlert(1, 0.5)).toThrow(InvalidArgumentError);
  });
});
