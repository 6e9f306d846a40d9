import { SwitchboardError } from '../../lib/index.ts';
import { parseNameAddr, parseParams, parseUri } from '../../sip/index.ts';

/** The dialog a Replaces value names (RFC 3891 §6.1), as its sender sees it. */
export interface ReplacesTarget {
  readonly callId: string;
  /** The tag of the UA that receives the Replaces: compared with OUR local tag (RFC 3891 §3). */
  readonly toTag: string;
  /** The tag of the other end of the dialog: compared with the remote tag. */
  readonly fromTag: string;
  /** `early-only`: only an early dialog may be replaced. */
  readonly earlyOnly: boolean;
}

/** What a REFER asks for (RFC 3515 §2.1): a number to call, and the dialog to replace if attended. */
export interface ReferTarget {
  /** The Refer-To URI as sent. */
  readonly uri: string;
  /** Its user part (the number to route), empty when it has none. */
  readonly user: string;
  /** `?Replaces=` of an attended transfer (RFC 3891 §3, RFC 5589 §7). */
  readonly replaces?: ReplacesTarget;
}

/** A Refer-To or Replaces value we cannot read: the request gets 400. */
export class BadTransferHeader extends SwitchboardError {
  constructor(message: string) {
    super('bad_transfer_header', message);
  }
}

/**
 * Reads a Replaces header value (RFC 3891 §6.1): `callid *(SEMI (to-tag / from-tag / early-flag))`;
 * both tags are required.
 */
export function parseReplaces(value: string): ReplacesTarget {
  const text = value.trim();
  const semi = text.indexOf(';');
  const callId = (semi < 0 ? text : text.slice(0, semi)).trim();
  if (callId === '' || /\s/.test(callId)) throw new BadTransferHeader('Replaces without a Call-ID');
  let params: Record<string, string | null>;
  try {
    params = parseParams(semi < 0 ? '' : text.slice(semi));
  } catch (error) {
    throw new BadTransferHeader(`Malformed Replaces parameters: ${error instanceof Error ? error.message : String(error)}`);
  }
  const toTag = params['to-tag'];
  const fromTag = params['from-tag'];
  if (typeof toTag !== 'string' || toTag === '' || typeof fromTag !== 'string' || fromTag === '') {
    throw new BadTransferHeader('Replaces needs a to-tag and a from-tag');
  }
  return { callId, toTag, fromTag, earlyOnly: 'early-only' in params };
}

/**
 * Reads a REFER's Refer-To (RFC 3515 §2.1): the URI (bracketed or not), its user part, and an
 * embedded `Replaces` URI header (RFC 3891 §3) when the transfer is attended. Phones that leave
 * `;` unescaped inside the Replaces header are tolerated.
 */
export function parseReferTo(value: string): ReferTarget {
  const raw = value.trim();
  const bracketed = /^[^<]*<([^>]*)>/.exec(raw)?.[1];
  const uriText = bracketed ?? raw.split(';')[0] ?? raw;
  let user = '';
  let replacesText: string | undefined;
  try {
    const uri = bracketed !== undefined ? parseNameAddr(raw).uri : parseUri(uriText);
    user = uri.user ?? '';
    const key = Object.keys(uri.headers).find((k) => k.toLowerCase() === 'replaces');
    replacesText = key === undefined ? undefined : uri.headers[key];
  } catch {
    // Lenient path: `sip:2001@x?Replaces=abc%40h;to-tag=1;from-tag=2` (unescaped `;`).
    const m = /^(?:sips?|tel):([^@;?>]*)@?/i.exec(uriText);
    if (m === null) throw new BadTransferHeader('Refer-To is not a SIP URI');
    user = safeDecode(m[1] ?? '');
    const q = /[?&]replaces=([^&>]*)/i.exec(uriText);
    replacesText = q?.[1] === undefined ? undefined : safeDecode(q[1]);
  }
  const replaces = replacesText === undefined ? undefined : parseReplaces(replacesText);
  return { uri: uriText, user, ...(replaces !== undefined ? { replaces } : {}) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadTransferHeader('Malformed percent-encoding');
  }
}
