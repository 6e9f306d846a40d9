import { SipParseError } from './errors.ts';
import type { SipMessage } from './message.ts';
import { findHeadEnd, parseContentLength, parseMessage } from './parse-message.ts';

/**
 * One thing found in a stream by {@link StreamFramer.push}:
 * - `message`: a complete, parsed message (`raw` is its exact bytes);
 * - `invalid`: a complete frame that failed to parse (`error.partial` may allow a 400 answer); the
 *   stream is still in sync, so the connection can stay open;
 * - `ping`: a double-CRLF keep-alive (RFC 5626 §3.5.1); answer with a single CRLF "pong";
 * - `pong`: a single CRLF (the answer to our ping);
 * - `error`: the stream cannot be framed (missing/invalid/oversized Content-Length, header section
 *   too large); close the connection. The framer reports nothing further afterwards.
 */
export type FramedItem =
  | { kind: 'message'; message: SipMessage; raw: Buffer }
  | { kind: 'invalid'; error: SipParseError; raw: Buffer }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'error'; error: SipParseError };

/** Limits of a {@link StreamFramer}. */
export interface StreamFramerOptions {
  /** Largest header section accepted, bytes (default 64 KiB). */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted, bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

/**
 * Splits a reliable byte stream (TCP, TLS) into SIP messages by Content-Length (RFC 3261 §18.3:
 * "In the case of stream-oriented transports such as TCP, the Content-Length header field
 * indicates the size of the body ... MUST be used"). Usage: `for (const item of framer.push(chunk))`.
 * Chunks are kept in a list and joined only when a whole frame is present, so a large body
 * arriving in many chunks costs linear time.
 */
export class StreamFramer {
  readonly #maxHeader: number;
  readonly #maxBody: number;
  #chunks: Buffer[] = [];
  #length = 0;
  /** Total frame size once the header section of the current frame has been read. */
  #need: number | undefined;
  #failed = false;
  /** A lone CRLF ended the previous push (reported as pong); a CRLF right after makes it a ping. */
  #lastWasLoneCrlf = false;

  constructor(options: StreamFramerOptions = {}) {
    this.#maxHeader = options.maxHeaderBytes ?? 65536;
    this.#maxBody = options.maxBodyBytes ?? 1048576;
  }

  /** True once a framing error was reported; the connection should be closed. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes buffered and not yet part of a reported item. */
  get buffered(): number {
    return this.#length;
  }

  /** Feeds received bytes; returns every item completed by them, in stream order. */
  push(chunk: Buffer): FramedItem[] {
    if (this.#failed) return [];
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
    }
    const out: FramedItem[] = [];
    for (;;) {
      if (this.#need !== undefined) {
        if (this.#length < this.#need) return out;
        const raw = this.#take(this.#need);
        this.#need = undefined;
        this.#lastWasLoneCrlf = false;
        out.push(frameOf(raw));
        continue;
      }
      if (this.#length === 0) return out;
      const buf = this.#joined();
      const crlfs = leadingLineEnds(buf);
      if (crlfs.pendingCr && crlfs.count < 2) return out;
      if (crlfs.bytes > 0) {
        const ping = crlfs.count >= 2 || (this.#lastWasLoneCrlf && crlfs.count === 1);
        out.push({ kind: ping ? 'ping' : 'pong' });
        this.#lastWasLoneCrlf = !ping && crlfs.bytes === buf.length;
        this.#take(crlfs.bytes);
        continue;
      }
      const end = findHeadEnd(buf, 0);
      if (end === undefined) {
        if (buf.length > this.#maxHeader) return this.#fail(out, 'Header section too large');
        return out;
      }
      if (end.bodyStart > this.#maxHeader) return this.#fail(out, 'Header section too large');
      let length: number;
      try {
        length = contentLengthOf(buf.toString('latin1', 0, end.headEnd));
      } catch (err) {
        return this.#fail(out, err instanceof SipParseError ? err.reason : 'Bad Content-Length');
      }
      if (length > this.#maxBody) return this.#fail(out, 'Content-Length too large');
      this.#need = end.bodyStart + length;
    }
  }

  #fail(out: FramedItem[], reason: string): FramedItem[] {
    this.#failed = true;
    this.#chunks = [];
    this.#length = 0;
    out.push({ kind: 'error', error: new SipParseError(reason) });
    return out;
  }

  #joined(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  #take(n: number): Buffer {
    const buf = this.#joined();
    const taken = buf.subarray(0, n);
    const rest = buf.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return taken;
  }
}

function frameOf(raw: Buffer): FramedItem {
  try {
    return { kind: 'message', message: parseMessage(raw), raw };
  } catch (err) {
    const error = err instanceof SipParseError ? err : new SipParseError('Unparseable message', { cause: err });
    return { kind: 'invalid', error, raw };
  }
}

/** Counts CRLF (or bare LF) line ends at the start of `buf`; `pendingCr` when it ends in a lone CR. */
function leadingLineEnds(buf: Buffer): { count: number; bytes: number; pendingCr: boolean } {
  let i = 0;
  let count = 0;
  while (i < buf.length) {
    const c = buf[i];
    if (c === 10) {
      i++;
      count++;
    } else if (c === 13) {
      if (i + 1 >= buf.length) return { count, bytes: i, pendingCr: true };
      if (buf[i + 1] !== 10) break;
      i += 2;
      count++;
    } else break;
  }
  return { count, bytes: i, pendingCr: false };
}

/** The Content-Length of a header section (long or compact `l` name, folded lines tolerated). */
function contentLengthOf(head: string): number {
  let found: number | undefined;
  const lines = head.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] ?? '')) line += ' ' + (lines[++i] ?? '');
    const value = parseContentLength(line.slice(colon + 1).trim());
    if (found !== undefined && found !== value) throw new SipParseError('Conflicting Content-Length headers');
    found = value;
  }
  if (found === undefined) throw new SipParseError('Missing Content-Length on a stream transport');
  return found;
}
