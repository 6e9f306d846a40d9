import { DtmfError } from './errors.ts';

/** RFC 4733 §3.2 DTMF event codes 0-15 as the keys they stand for. */
export const DTMF_DIGITS = '0123456789*#ABCD';
export type DtmfDigit =
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** The events this engine offers and accepts: DTMF 0-15 and flash (16), RFC 4733 §3.2. */
export const SUPPORTED_EVENTS = '0-16';

/** RFC 4733 §2.4.1: with no fmtp the receiver assumes events 0-15. */
const DEFAULT_EVENTS = '0-15';

/** True for a DTMF key (`0-9 * # A-D`). */
export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DTMF_DIGITS.includes(value);
}

/** The key for an RFC 4733 event code, or undefined for codes outside 0-15. */
export function digitOfEvent(event: number): DtmfDigit | undefined {
  const c = event >= 0 && event <= 15 ? DTMF_DIGITS[event] : undefined;
  return c !== undefined && isDtmfDigit(c) ? c : undefined;
}

/** The RFC 4733 event code of a key (lower-case a-d accepted). */
export function eventOfDigit(digit: string): number {
  const code = DTMF_DIGITS.indexOf(digit.toUpperCase());
  if (digit.length !== 1 || code < 0) throw new DtmfError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return code;
}

/** RFC 4733 §2.3 payload: event, E bit, volume, duration in timestamp units. */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

/** Reads the 4-byte RFC 4733 §2.3 payload; undefined when too short. */
export function readTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const flags = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (flags & 0x80) !== 0,
    volume: flags & 0x3f,
    duration: ((payload[2] ?? 0) << 8) | (payload[3] ?? 0),
  };
}

/** Writes the 4-byte RFC 4733 §2.3 payload at `offset` of `out`. */
export function writeTelephoneEvent(out: Uint8Array, offset: number, e: TelephoneEvent): void {
  out[offset] = e.event & 0xff;
  out[offset + 1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[offset + 2] = (e.duration >> 8) & 0xff;
  out[offset + 3] = e.duration & 0xff;
}

/** Parses an RFC 4733 §2.4.1 event list (`0-15,16`) into event codes; undefined fmtp means 0-15. */
export function parseEventList(fmtp: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (fmtp ?? DEFAULT_EVENTS).split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (m === null) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let e = from; e <= Math.min(to, 255); e++) out.add(e);
  }
  return out;
}

/** Formats event codes as an RFC 4733 §2.4.1 list with ranges (`0-16`). */
export function formatEventList(events: Iterable<number>): string {
  const sorted = [...new Set(events)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
