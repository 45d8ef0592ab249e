/**
 * Pure Node. Port of `http.client.parse_headers` / `_read_headers` and of the part of
 * `email.feedparser` (compat32 policy) that turns the header block into an `HTTPMessage`
 * (CPython v3.13.0). Kept exact because it decides which headers a request "has": a line
 * without a colon ends the block, continuation lines fold into the previous value, a bare CR
 * ends a line, names are case-insensitive and the first occurrence wins for `get`.
 */
import type { SocketReader } from './connection-io.js';

/** `http.client._MAXLINE` and `_MAXHEADERS`. */
export const MAX_LINE = 65536;
export const MAX_HEADERS = 100;

/** Header block as parsed by `email.parser` into an `http.client.HTTPMessage`. */
export class HTTPMessage {
  /** [name, value] in arrival order; values keep folded line breaks as CPython does. */
  readonly items: [string, string][] = [];

  /** `msg.get(name, failobj)`: the first value, case-insensitively. */
  get(name: string): string | undefined;
  get(name: string, failobj: string): string;
  get(name: string, failobj?: string): string | undefined {
    const lower = name.toLowerCase();
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (this.lowerName(i) === lower) return items[i]![1];
    return failobj;
  }

  /** `msg.get_all(name)`: every value, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.items.length; i++) if (this.lowerName(i) === lower) out.push(this.items[i]![1]);
    return out;
  }

  /**
   * Lower-cased names, computed once per header: a request asks for several headers (Connection,
   * Expect, If-Modified-Since, User-Agent, ...) and a browser sends a dozen.
   */
  private readonly lowerNames: string[] = [];

  private lowerName(i: number): string {
    return (this.lowerNames[i] ??= this.items[i]![0].toLowerCase());
  }

  /** `name in msg`. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** `msg.get_content_type()` (compat32): the type/subtype, or `text/plain`. */
  getContentType(): string {
    const value = this.get('content-type');
    if (value === undefined) return 'text/plain';
    const ctype = (value.split(';', 1)[0] ?? '').trim().toLowerCase();
    if (ctype.split('/').length !== 2) return 'text/plain';
    return ctype;
  }
}

/** Why reading the header block failed (both are answered 431 by `parse_request`). */
export type HeaderReadResult =
  | { readonly ok: true; readonly message: HTTPMessage }
  | { readonly ok: false; readonly kind: 'line-too-long' | 'too-many'; readonly explain: string };

/**
 * `http.client.parse_headers(fp)`: read lines until a blank line (or EOF), refusing a line over
 * 65536 bytes (`LineTooLong('header line')`) and more than 100 lines, the blank one included.
 */
export async function readHeaders(rfile: SocketReader): Promise<HeaderReadResult> {
  const lines: Buffer[] = [];
  for (;;) {
    const line = rfile.tryReadline(MAX_LINE + 1) ?? (await rfile.readline(MAX_LINE + 1));
    if (line.length > MAX_LINE) {
      return { ok: false, kind: 'line-too-long', explain: `got more than ${MAX_LINE} bytes when reading header line` };
    }
    lines.push(line);
    if (lines.length > MAX_HEADERS) {
      return { ok: false, kind: 'too-many', explain: `got more than ${MAX_HEADERS} headers` };
    }
    if (line.length === 0 || (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a)) {
      break;
    }
  }
  return { ok: true, message: parseHeaderBlock(Buffer.concat(lines).toString('latin1')) };
}

const HEADER_RE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

/** `email.parser.Parser(_class=HTTPMessage).parsestr(text)`, headers only (compat32). */
export function parseHeaderBlock(text: string): HTTPMessage {
  const msg = new HTTPMessage();
  // BufferedSubFile splits on universal newlines, keeping the line ends.
  const all = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  const headerLines: string[] = [];
  for (const line of all) {
    if (!HEADER_RE.test(line)) {
      // Either the blank separator or a line that is not a header: the rest is the "body".
      break;
    }
    headerLines.push(line);
  }
  let lastHeader = '';
  let lastValue: string[] = [];
  const commit = (): void => {
    if (!lastHeader) return;
    const first = lastValue[0]!;
    const colon = first.indexOf(':');
    const name = first.slice(0, colon);
    let value = first.slice(colon + 1).replace(/^[ \t]+/, '') + lastValue.slice(1).join('');
    value = value.replace(/[\r\n]+$/, '');
    msg.items.push([name, value]);
    lastHeader = '';
    lastValue = [];
  };
  for (let lineno = 0; lineno < headerLines.length; lineno++) {
    const line = headerLines[lineno]!;
    if (line[0] === ' ' || line[0] === '\t') {
      // A continuation line with no header before it is a defect and is dropped.
      if (lastHeader) lastValue.push(line);
      continue;
    }
    commit();
    if (line.startsWith('From ')) {
      // The unix-from line (first) or a misplaced envelope header: never a header.
      continue;
    }
    const i = line.indexOf(':');
    if (i === 0) continue; // InvalidHeaderDefect: empty name
    lastHeader = line.slice(0, i);
    lastValue = [line];
  }
  commit();
  return msg;
}
