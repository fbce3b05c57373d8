// `tlsbio server --www`: openssl s_server -www's page. The request is read up to its blank line (it may arrive in
// any number of records), then one HTTP/1.0 answer describes the connection.

/** Longest request head accepted: a demo page needs no more, and a peer must not make us buffer without bound. */
export const MAX_REQUEST_HEAD = 16 * 1024;

export type HeadResult =
  | { readonly kind: 'more' }
  | { readonly kind: 'complete'; readonly method: string; readonly path: string }
  | { readonly kind: 'too-large' };

/** Accumulates request bytes until the head's end: CRLF CRLF, or bare LF LF as s_server also accepts. */
export class RequestHead {
  #text = '';

  /** Adds bytes; says whether the head is complete (and its request line), incomplete, or too large. */
  push(bytes: Uint8Array): HeadResult {
    // latin1: one character per byte, so lengths are byte counts and no input is "invalid".
    this.#text += Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const end = findHeadEnd(this.#text);
    if (end === -1) return this.#text.length > MAX_REQUEST_HEAD ? { kind: 'too-large' } : { kind: 'more' };
    const requestLine = this.#text.slice(0, this.#text.search(/\r?\n/));
    const [method = '', path = ''] = requestLine.split(' ');
    return { kind: 'complete', method, path };
  }
}

function findHeadEnd(text: string): number {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}

/** What the page reports about the connection. */
export interface PageFacts {
  readonly version: string | null;
  readonly cipher: string | null;
  readonly group: string | null;
  readonly alpn: string | null;
  readonly sni: string | null;
  readonly helloRetry: boolean;
  readonly peerSubject: string | null;
  readonly keyUpdate: boolean;
  readonly request: string;
}

/** The whole HTTP/1.0 answer (status line, headers, page), as s_server -www sends it. */
export function wwwResponse(facts: PageFacts): string {
  const body = [
    '<HTML><BODY BGCOLOR="#ffffff">',
    '<pre>',
    `tlsbio server: ${escapeHtml(facts.request)}`,
    '',
    `Protocol: ${facts.version ?? '(none)'}`,
    `Cipher: ${facts.cipher ?? '(none)'}`,
    `Group: ${facts.group ?? '(none)'}${facts.helloRetry ? ' (after HelloRetryRequest)' : ''}`,
    `ALPN: ${escapeHtml(facts.alpn ?? '(none)')}`,
    `SNI: ${escapeHtml(facts.sni ?? '(none)')}`,
    `Client certificate: ${escapeHtml(facts.peerSubject ?? '(none)')}`,
    ...(facts.keyUpdate ? ['KeyUpdate: sent, update_requested'] : []),
    '</pre>',
    '</BODY></HTML>',
    '',
  ].join('\r\n');
  return `HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n${body}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
