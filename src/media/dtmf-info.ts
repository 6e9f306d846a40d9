import { DtmfError } from './errors.ts';
import { digitOfEvent, isDtmfDigit } from './telephone-event.ts';
import type { DtmfDigit } from './telephone-event.ts';

/** A key press carried in a SIP INFO body. */
export interface DtmfInfo {
  digit: DtmfDigit;
  durationMs: number;
}

/** Duration assumed when the body gives none (250 ms, the customary default). */
export const DEFAULT_INFO_DURATION_MS = 250;

function toDigit(value: string): DtmfDigit | undefined {
  const v = value.trim().toUpperCase();
  if (/^\d+$/.test(v)) return digitOfEvent(Number(v));
  return isDtmfDigit(v) ? v : undefined;
}

function parseRelay(body: string): DtmfInfo {
  const fields = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const signal = fields.get('signal');
  const digit = signal === undefined ? undefined : toDigit(signal);
  if (digit === undefined) throw new DtmfError('dtmf-relay body has no valid Signal');
  const duration = Number(fields.get('duration'));
  return { digit, durationMs: Number.isFinite(duration) && duration > 0 ? duration : DEFAULT_INFO_DURATION_MS };
}

/**
 * Reads DTMF from a SIP INFO body: `application/dtmf-relay` (`Signal=5` / `Duration=160`, ms) or
 * `application/dtmf` (the body is the key, or its RFC 4733 event code). Returns undefined for any
 * other content type; throws {@link DtmfError} when a DTMF body is malformed.
 */
export function parseDtmfInfo(contentType: string, body: string): DtmfInfo | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/dtmf-relay') return parseRelay(body);
  if (type !== 'application/dtmf') return undefined;
  if (body.includes('=')) return parseRelay(body);
  const digit = toDigit(body);
  if (digit === undefined) throw new DtmfError('application/dtmf body is not a DTMF key');
  return { digit, durationMs: DEFAULT_INFO_DURATION_MS };
}
