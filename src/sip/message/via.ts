import { SipParseError } from './errors.ts';
import { formatParams, parseParams, type Params } from './params.ts';
import { charTable, isToken } from './text.ts';

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC = 'z9hG4bK';

/** One Via header value (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=...`. */
export interface Via {
  /** protocol-name "/" protocol-version, normally `SIP/2.0`. */
  protocol: string;
  /** Upper-case transport: UDP, TCP, TLS, SCTP, WS, WSS or another token. */
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

const HOST_CHARS = charTable('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._');
const IPV6_CHARS = charTable('0123456789abcdefABCDEF:.');

/** Parses one Via value, allowing LWS around `/`, `:` and `;` (RFC 3261 §25.1 via-parm). */
export function parseVia(value: string): Via {
  const s = value;
  let i = 0;
  const skip = (): void => {
    for (let c = s.charCodeAt(i); c === 32 || c === 9; c = s.charCodeAt(++i));
  };
  const token = (what: string): string => {
    skip();
    const start = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 47 || c === 59 || c === 32 || c === 9) break;
      i++;
    }
    const t = s.slice(start, i);
    if (!isToken(t)) throw new SipParseError(`Malformed Via ${what}`);
    skip();
    return t;
  };
  const slash = (): void => {
    if (s.charCodeAt(i) !== 47) throw new SipParseError('Malformed Via sent-protocol');
    i++;
  };
  const name = token('protocol');
  slash();
  const version = token('version');
  slash();
  const transport = token('transport').toUpperCase();
  const via: Via = { protocol: `${name.toUpperCase()}/${version}`, transport, host: '', params: {} };
  const hostStart = i;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0) throw new SipParseError('Malformed Via host');
    for (let j = i + 1; j < close; j++) {
      if (IPV6_CHARS[s.charCodeAt(j)] !== 1) throw new SipParseError('Malformed Via host');
    }
    i = close + 1;
  } else {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 58 || c === 59 || c === 32 || c === 9) break;
      if (c >= 128 || HOST_CHARS[c] !== 1) throw new SipParseError('Malformed Via host');
      i++;
    }
  }
  if (i === hostStart) throw new SipParseError('Malformed Via: missing sent-by');
  via.host = s.slice(hostStart, i);
  skip();
  if (s.charCodeAt(i) === 58) {
    i++;
    skip();
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const port = Number(s.slice(start, i));
    if (i === start || i - start > 5 || port > 65535) throw new SipParseError('Malformed Via port');
    via.port = port;
    skip();
  }
  if (i < s.length) {
    if (s.charCodeAt(i) !== 59) throw new SipParseError('Malformed Via: junk after sent-by');
    via.params = parseParams(s.slice(i));
  }
  return via;
}

/** Formats a Via value: `SIP/2.0/UDP host:port;params`. */
export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port === undefined ? '' : ':' + v.port}${formatParams(v.params)}`;
}

/** The branch parameter of a Via, or undefined (RFC 3261 §8.1.1.7). */
export function branchOf(v: Via): string | undefined {
  return v.params['branch'] ?? undefined;
}
