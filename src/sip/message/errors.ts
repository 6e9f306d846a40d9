import { SwitchboardError } from '../../lib/index.ts';
import type { Headers } from './headers.ts';

/** What could be read of a message that failed to parse, so a transport can still answer it. */
export interface ParsePartial {
  method?: string;
  callId?: string;
  headers?: Headers;
}

/**
 * A message, header or URI that does not follow the RFC 3261 §25 grammar. `status` is the SIP
 * status to answer with (400, or 505 for an unsupported SIP-Version per §8.2.2... §21.5.26);
 * `reason` is a short phrase without CR/LF, safe to put in a Reason-Phrase.
 */
export class SipParseError extends SwitchboardError {
  readonly status: number;
  readonly reason: string;
  partial?: ParsePartial;

  constructor(reason: string, options: { status?: number; partial?: ParsePartial; cause?: unknown } = {}) {
    const clean = reason.replace(/[\r\n]+/g, ' ').slice(0, 200);
    super('sip_parse_error', clean, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 400;
    this.reason = clean;
    if (options.partial !== undefined) this.partial = options.partial;
  }
}
