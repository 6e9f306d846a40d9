import { SipParseError, type ParsePartial } from './errors.ts';
import { Headers, canonicalName } from './headers.ts';
import { SipRequest, SipResponse, type SipMessage } from './message.ts';
import { checkNameAddr } from './name-addr.ts';
import { parseCSeq } from './cseq.ts';
import { isToken, isWsp, splitOutside, trimWs, trimWsEnd } from './text.ts';
import { parseUri } from './uri.ts';
import { parseVia } from './via.ts';
import { validateHeaderValues } from './validate-headers.ts';

/** Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1); split into one entry per value. */
const LIST_HEADERS = new Set([
  'via', 'contact', 'route', 'record-route', 'path', 'service-route', 'allow', 'supported', 'require',
  'proxy-require', 'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events',
  'content-encoding', 'content-language', 'in-reply-to', 'alert-info', 'call-info', 'error-info',
  'warning', 'reason', 'p-asserted-identity', 'p-preferred-identity', 'history-info',
  'security-client', 'security-server', 'security-verify', 'accept-contact', 'reject-contact',
]);
/** List headers whose elements are addresses or Vias: an empty element (`a,,b`) is a syntax error. */
const STRICT_LISTS = new Set(['via', 'contact', 'route', 'record-route', 'path', 'service-route']);
/** Headers that may appear at most once (RFC 3261 §7.3.1: only list headers may repeat). */
const SINGLETONS: ReadonlySet<string> = new Set(['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires']);

/** Where the header section ends: index of the LF closing the last header line, and the body start. */
export function findHeadEnd(buf: Buffer, from: number): { headEnd: number; bodyStart: number } | undefined {
  let i = from;
  for (;;) {
    const lf = buf.indexOf(10, i);
    if (lf < 0) return undefined;
    const next = buf[lf + 1];
    if (next === 10) return { headEnd: lf, bodyStart: lf + 2 };
    if (next === 13 && buf[lf + 2] === 10) return { headEnd: lf, bodyStart: lf + 3 };
    if (next === undefined || (next === 13 && lf + 2 >= buf.length)) return undefined;
    i = lf + 1;
  }
}

/**
 * Parses one SIP message from a datagram or a framed stream chunk (RFC 3261 §7, §18.3, §25).
 * Tolerates bare-LF line endings, leading CRLFs (§7.5), header folding and compact names; splits
 * list headers on commas outside quotes and <...>. Throws SipParseError (status 400, or 505 for a
 * SIP-Version other than 2.0) with `partial` set to whatever could be read.
 */
export function parseMessage(data: Buffer): SipMessage {
  const headers = new Headers();
  const partial: ParsePartial = { headers };
  try {
    return parse(data, headers, partial);
  } catch (err) {
    const e = err instanceof SipParseError ? err : new SipParseError('Unparseable message', { cause: err });
    if (partial.callId === undefined) {
      const callId = headers.get('Call-ID');
      if (callId !== undefined) partial.callId = callId;
    }
    e.partial ??= partial;
    throw e;
  }
}

function parse(data: Buffer, headers: Headers, partial: ParsePartial): SipMessage {
  let start = 0;
  while (start < data.length && (data[start] === 13 || data[start] === 10)) start++;
  if (start >= data.length) throw new SipParseError('Empty message');
  const end = findHeadEnd(data, start);
  const headEnd = end?.headEnd ?? data.length;
  const bodyStart = end?.bodyStart ?? data.length;
  const lines = data.toString('utf8', start, headEnd).split('\n');

  const startLine = stripCr(lines[0] ?? '');
  const line = parseStartLine(startLine);
  if (line.kind === 'request' && line.method !== undefined) partial.method = line.method;

  let headerError: SipParseError | undefined;
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    try {
      addHeaderLine(headers, current);
    } catch (err) {
      headerError ??= err instanceof SipParseError ? err : new SipParseError('Malformed header');
    }
  };
  for (let i = 1; i < lines.length; i++) {
    const l = stripCr(lines[i] ?? '');
    if (l.length > 0 && isWsp(l.charCodeAt(0))) {
      if (current === undefined) headerError ??= new SipParseError('Continuation line before first header');
      else current = trimWsEnd(current) + ' ' + trimWs(l);
      continue;
    }
    flush();
    current = l;
  }
  flush();
  const callId = headers.get('Call-ID');
  if (callId !== undefined) partial.callId = callId;

  if (line.error !== undefined) throw line.error;
  if (headerError !== undefined) throw headerError;

  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const) {
    if (!headers.has(name)) throw new SipParseError(`Missing ${name} header`);
  }
  if (line.kind === 'request' && !headers.has('Max-Forwards')) throw new SipParseError('Missing Max-Forwards header');
  const seen = new Set<string>();
  for (const { name } of headers.entries()) {
    if (SINGLETONS.has(name)) {
      if (seen.has(name)) throw new SipParseError(`More than one ${name} header`);
      seen.add(name);
    }
  }
  if ((callId ?? '').length === 0 || /\s/.test(callId ?? '')) throw new SipParseError('Malformed Call-ID');
  const cseq = parseCSeq(headers.get('CSeq') ?? '');
  if (line.kind === 'request' && cseq.method !== line.method) throw new SipParseError('CSeq method does not match the request method');
  checkNameAddr(headers.get('From') ?? '');
  checkNameAddr(headers.get('To') ?? '');
  for (const via of headers.getAll('Via')) parseVia(via);
  validateHeaderValues(headers);

  const body = takeBody(data, bodyStart, headers.get('Content-Length'));
  if (line.kind === 'request') return new SipRequest(line.method ?? '', line.uri ?? '', headers, body);
  return new SipResponse(line.status ?? 0, line.reason ?? '', headers, body);
}

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

function addHeaderLine(headers: Headers, line: string): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new SipParseError('Malformed header line');
  const name = trimWsEnd(line.slice(0, colon));
  if (!isToken(name)) throw new SipParseError('Malformed header name');
  const value = trimWs(line.slice(colon + 1));
  const canonical = canonicalName(name);
  const lower = canonical.toLowerCase();
  if (!LIST_HEADERS.has(lower) || value.length === 0) {
    headers.append(canonical, value);
    return;
  }
  const parts = splitOutside(value, ',');
  if (STRICT_LISTS.has(lower) && parts.length !== countSeparators(value) + 1) throw new SipParseError(`Empty element in ${canonical} list`);
  for (const part of parts) headers.append(canonical, part);
}

/** Commas outside quotes and <...> (to detect empty list elements). */
function countSeparators(text: string): number {
  let n = 0;
  let inQuote = false;
  let inAngle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (inAngle) {
      if (c === 62) inAngle = false;
    } else if (c === 60) inAngle = true;
    else if (c === 44) n++;
  }
  return n;
}

interface StartLine {
  kind: 'request' | 'response';
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  error?: SipParseError;
}

/** RFC 3261 §7.1 Request-Line / §7.2 Status-Line; errors are returned so headers still get read. */
function parseStartLine(line: string): StartLine {
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/') {
    const sp = line.indexOf(' ');
    const version = sp < 0 ? line : line.slice(0, sp);
    const versionError = checkVersion(version);
    if (versionError !== undefined) return { kind: 'response', error: versionError };
    const code = line.slice(sp + 1, sp + 4);
    const after = line.charCodeAt(sp + 4);
    if (sp < 0 || !/^[1-6][0-9][0-9]$/.test(code) || (!Number.isNaN(after) && after !== 32)) {
      return { kind: 'response', error: new SipParseError('Malformed Status-Line') };
    }
    return { kind: 'response', status: Number(code), reason: line.slice(sp + 5) };
  }
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isToken(method)) return { kind: 'request', error: new SipParseError('Malformed Request-Line') };
  if (sp2 <= sp1) return { kind: 'request', method, error: new SipParseError('Malformed Request-Line') };
  const uri = line.slice(sp1 + 1, sp2);
  const versionError = checkVersion(line.slice(sp2 + 1));
  if (versionError !== undefined) return { kind: 'request', method, error: versionError };
  const uriError = checkRequestUri(uri);
  if (uriError !== undefined) return { kind: 'request', method, uri, error: uriError };
  return { kind: 'request', method, uri };
}

/** RFC 3261 §7.1: "The SIP-Version string is case-insensitive"; anything but 2.0 gets a 505. */
function checkVersion(version: string): SipParseError | undefined {
  if (version.length === 7 && version.toUpperCase() === 'SIP/2.0') return undefined;
  if (/^SIP\/[0-9]{1,3}\.[0-9]{1,3}$/i.test(version)) return new SipParseError('Version Not Supported', { status: 505 });
  return new SipParseError('Malformed SIP-Version');
}

/** Request-URI: one absolute URI, no whitespace, no <>; SIP/SIPS/tel ones must parse (§19.1.1). */
function checkRequestUri(uri: string): SipParseError | undefined {
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 32 || c === 60 || c === 62 || c === 34 || c === 127) return new SipParseError('Malformed Request-URI');
  }
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return new SipParseError('Malformed Request-URI');
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    try {
      // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
      if (Object.keys(parseUri(uri).headers).length > 0) return new SipParseError('Request-URI contains headers');
    } catch (err) {
      return err instanceof SipParseError ? err : new SipParseError('Malformed Request-URI');
    }
  }
  return undefined;
}

/** RFC 3261 §18.3: the body is Content-Length bytes; a shorter datagram is an error, extra is dropped. */
function takeBody(data: Buffer, bodyStart: number, contentLength: string | undefined): Buffer {
  const available = Math.max(0, data.length - bodyStart);
  if (contentLength === undefined) return Buffer.from(data.subarray(bodyStart));
  const length = parseContentLength(contentLength);
  if (length > available) throw new SipParseError('Body shorter than Content-Length');
  return Buffer.from(data.subarray(bodyStart, bodyStart + length));
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14). */
export function parseContentLength(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value)) throw new SipParseError('Malformed Content-Length');
  return Number(value);
}
