/**
 * PEM (RFC 7468) without `Buffer`: `-----BEGIN label-----` / `-----END label-----` blocks around base64 DER.
 *
 * Text outside the blocks is ignored (RFC 7468 §5.2: files often carry explanations or `openssl x509 -text`
 * dumps). Inside a block the rules are strict: the END label must repeat the BEGIN label, and the body is strict
 * base64 (whitespace skipped, anything else outside the alphabet rejected, padding checked). RFC 1421 headers such
 * as `Proc-Type: 4,ENCRYPTED` (OpenSSL's legacy encrypted keys) are returned, not interpreted, so callers can
 * explain why they cannot use such a block.
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { base64Decode, base64Encode } from './base64.js';

/** One PEM block. */
export interface PemBlock {
  /** The label between `BEGIN`/`END` and the dashes, e.g. `'PRIVATE KEY'`. */
  readonly label: string;
  /** RFC 1421 headers, in order, e.g. `Proc-Type` and `DEK-Info`; empty for RFC 7468 PEM. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded body (usually DER). */
  readonly der: Uint8Array;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
const MAX_LABEL_LENGTH = 64;
// RFC 7468 §3: printable ASCII except '-', with single spaces or hyphens allowed between characters.
const LABEL_PATTERN = /^[\x21-\x2c\x2e-\x7e]+(?:[- ][\x21-\x2c\x2e-\x7e]+)*$/;

/**
 * Bytes to text, one character per byte (Latin-1). PEM is ASCII, so this is exact for every valid input and never
 * fails on others: non-ASCII bytes outside the blocks are ignored, inside them base64 rejects them.
 */
export function bytesToText(bytes: Uint8Array): string {
  let text = '';
  const chunk = 0x2000; // stay well below engines' limit on call arguments
  for (let i = 0; i < bytes.length; i += chunk) {
    text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return text;
}

/**
 * Every PEM block in `input` (text, or its bytes), in order. An input without any block gives an empty array:
 * the caller decides whether that is an error.
 * @throws InvalidArgumentError (`BAD_PEM`) naming `argument`, for a malformed BEGIN or END line, an END label that
 *   differs from its BEGIN label, a missing END line, malformed headers, or a body that is not strict base64.
 * @example
 * const [block] = decodePem(pemText, 'cert');
 * if (block?.label === 'CERTIFICATE') parseCertificate(block.der);
 */
export function decodePem(input: string | Uint8Array, argument = 'pem'): PemBlock[] {
  const text = typeof input === 'string' ? input : bytesToText(input);
  const fail = (message: string): never => {
    throw new InvalidArgumentError(argument, 'BAD_PEM', message);
  };
  const blocks: PemBlock[] = [];
  let position = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, position);
    if (begin < 0) break;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd < 0 || labelEnd - labelStart > MAX_LABEL_LENGTH) fail('malformed BEGIN line');
    const label = text.slice(labelStart, labelEnd);
    if (!LABEL_PATTERN.test(label)) fail(`malformed PEM label ${JSON.stringify(label)}`);
    const bodyStart = endOfLine(text, labelEnd + DASHES.length);
    if (bodyStart < 0) fail(`unexpected text after "-----BEGIN ${label}-----"`);

    const end = text.indexOf(END, bodyStart);
    if (end < 0) fail(`no END line for "-----BEGIN ${label}-----"`);
    const endLine = `${END}${label}${DASHES}`;
    if (!text.startsWith(endLine, end)) {
      const close = text.indexOf(DASHES, end + END.length);
      const found = close < 0 ? text.slice(end, end + 40) : text.slice(end, close + DASHES.length);
      fail(`"-----BEGIN ${label}-----" is closed by ${JSON.stringify(found.slice(0, 80))}`);
    }
    const { headers, body } = splitHeaders(text.slice(bodyStart, end), fail);
    blocks.push({ label, headers, der: base64Decode(body, argument, 'BAD_PEM') });
    position = end + endLine.length;
  }
  return blocks;
}

// The index just after the line break ending the BEGIN line, allowing trailing blanks; -1 if other text follows.
function endOfLine(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  if (text[i] === '\n' || text[i] === '\r') return i + 1;
  return -1;
}

// RFC 1421 §4.4: optional "Name: value" lines (continuations start with a blank), then an empty line, then the body.
function splitHeaders(
  block: string,
  fail: (message: string) => never,
): { headers: ReadonlyMap<string, string>; body: string } {
  const headers = new Map<string, string>();
  const lines = block.split(/\r\n|\r|\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0 || !(lines[first] as string).includes(':')) return { headers, body: block };
  let name = '';
  let i = first;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') break;
    if (line[0] === ' ' || line[0] === '\t') {
      if (name === '') fail('PEM header continuation without a header');
      headers.set(name, `${headers.get(name) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) fail('malformed PEM header line');
    name = line.slice(0, colon).trim();
    headers.set(name, line.slice(colon + 1).trim());
  }
  if (i >= lines.length) fail('PEM headers are not followed by an empty line');
  return { headers, body: lines.slice(i + 1).join('\n') };
}

/**
 * PEM text for one block: base64 in 64-character lines (RFC 7468 §2), ending with a line break.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) if `label` is not a valid RFC 7468 label.
 * @example
 * const pem = pemEncode('PUBLIC KEY', spki);
 */
export function pemEncode(label: string, der: Uint8Array): string {
  if (label.length > MAX_LABEL_LENGTH || !LABEL_PATTERN.test(label)) {
    throw new InvalidArgumentError('label', 'INVALID_ARGUMENT', `not a valid PEM label: ${JSON.stringify(label)}`);
  }
  const base64 = base64Encode(der);
  let body = '';
  for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
