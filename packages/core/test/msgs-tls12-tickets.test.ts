/**
 * RFC 5077 codecs: the TLS 1.2 NewSessionTicket (handshake type 4, another body than TLS 1.3's) and the
 * session_ticket extension (35). Inputs are hex, so each case breaks exactly one rule.
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { decodeNewSessionTicket12, decodeSessionTicket, encodeNewSessionTicket12, encodeSessionTicket } from '../src/msgs/index.js';
import { fromHex } from './helpers/wire.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function decodeError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect((error as ProtocolError).reason).toBe('DECODE_ERROR');
    expect((error as ProtocolError).alert?.description).toBe(50);
    return error as ProtocolError;
  }
  throw new Error('no error');
}

describe('NewSessionTicket (TLS 1.2, RFC 5077 §3.3)', () => {
  it('encodes uint32 lifetime_hint then ticket<0..2^16-1>, byte for byte', () => {
    expect(hex(encodeNewSessionTicket12({ lifetimeHint: 7200, ticket: fromHex('aabbcc') }))).toBe('00001c20' + '0003' + 'aabbcc');
    // RFC 5077 §3.3: an empty ticket says the server changed its mind after announcing one.
    expect(hex(encodeNewSessionTicket12({ lifetimeHint: 0, ticket: new Uint8Array(0) }))).toBe('00000000' + '0000');
  });

  it('round-trips at the limits', () => {
    const big = { lifetimeHint: 0xffffffff, ticket: new Uint8Array(0xffff).fill(7) };
    expect(decodeNewSessionTicket12(encodeNewSessionTicket12(big))).toEqual(big);
    expect(decodeNewSessionTicket12(fromHex('0000000a0000'))).toEqual({ lifetimeHint: 10, ticket: new Uint8Array(0) });
  });

  it('refuses truncation and trailing bytes with decode_error; a TLS 1.3 body does not pass for a 1.2 one', () => {
    decodeError(() => decodeNewSessionTicket12(fromHex('')));
    decodeError(() => decodeNewSessionTicket12(fromHex('000000')));
    decodeError(() => decodeNewSessionTicket12(fromHex('00000001')));
    decodeError(() => decodeNewSessionTicket12(fromHex('00000001' + '0003aabb')));
    decodeError(() => decodeNewSessionTicket12(fromHex('00000001' + '0001aa' + '00')));
    // lifetime, age_add, nonce<0>, ticket<1>, extensions<0>: what a TLS 1.3 server sends.
    decodeError(() => decodeNewSessionTicket12(fromHex('00001c20' + '01020304' + '00' + '0001aa' + '0000')));
  });

  it('refuses to encode what the wire cannot carry', () => {
    expect(() => encodeNewSessionTicket12({ lifetimeHint: 2 ** 32, ticket: new Uint8Array(1) })).toThrow(InvalidArgumentError);
    expect(() => encodeNewSessionTicket12({ lifetimeHint: 1, ticket: new Uint8Array(0x10000) })).toThrow(InvalidArgumentError);
  });
});

describe('session_ticket extension (RFC 5077 §3.2)', () => {
  it('is the ticket itself, without a length prefix; empty asks for one', () => {
    expect(hex(encodeSessionTicket())).toBe('');
    expect(hex(encodeSessionTicket(fromHex('0102')))).toBe('0102');
    expect(hex(decodeSessionTicket(fromHex('0102')))).toBe('0102');
    expect(decodeSessionTicket(new Uint8Array(0)).length).toBe(0);
  });

  it('copies what it encodes, and refuses a ticket an extension cannot carry', () => {
    const ticket = fromHex('01');
    const data = encodeSessionTicket(ticket);
    ticket[0] = 9;
    expect(hex(data)).toBe('01');
    expect(() => encodeSessionTicket(new Uint8Array(0x10000))).toThrow(InvalidArgumentError);
  });
});
