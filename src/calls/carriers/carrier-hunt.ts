import type { CallContext } from '../call-context.ts';
import { Dial, type DialTarget } from '../dialer.ts';
import { bestFailure, causeOfStatus, type HangupCause } from '../hangup-cause.ts';
import type { CallerSession } from '../caller-session.ts';
import type { CallerId } from './caller-id.ts';

/** How a call sent to carriers ended up. */
export type CarrierOutcome =
  | { readonly kind: 'bridged' }
  /** The caller hung up while carriers were tried. */
  | { readonly kind: 'gone' }
  /** No resource carries the number. */
  | { readonly kind: 'no_route' }
  | { readonly kind: 'failed'; readonly status: number; readonly cause: HangupCause };

/** One gateway of a hunt: where to send the call and as whom. */
export interface HuntStep {
  readonly target: DialTarget;
  readonly callerId: CallerId;
  /** No 18x within this time: the gateway is skipped. */
  readonly progressTimeoutMs: number;
}

export interface HuntOptions {
  /** Ring time per gateway once it sent progress. */
  readonly ringTimeoutMs: number;
  readonly callflowId?: string;
}

const GONE: CarrierOutcome = { kind: 'gone' };
/** The callee's own answer: trying another carrier would only ring or reject it again. */
const CALLEE_DECIDED = new Set([486, 600, 603]);
/** Failures that tell the caller nothing about the callee: the carrier (or our account there) failed. */
const CARRIER_FAULT = new Set([401, 403, 407, 408]);

/**
 * Sends a caller to carrier gateways one after another (KAZOO stepswitch failover): each gets its
 * own dial with its caller id, a progress timeout and a ring timeout; a gateway that fails,
 * challenges in a realm we hold no credentials for, or stays silent passes the call on to the next.
 * Busy or decline, or no answer after the callee rang, ends the hunt; when every gateway failed the
 * caller gets the most telling failure, carrier faults counting as 503 (NORMAL_TEMPORARY_FAILURE).
 */
export async function huntCarriers(calls: CallContext, session: CallerSession, steps: readonly HuntStep[], options: HuntOptions): Promise<CarrierOutcome> {
  const failures: number[] = [];
  for (const step of steps) {
    if (session.channel.closed) return GONE;
    const result = await tryGateway(calls, session, step, options);
    if (result.kind !== 'failed') return result;
    if (session.channel.closed) return GONE;
    if (result.final) return { kind: 'failed', status: result.status, cause: result.cause ?? causeOfStatus(result.status) };
    failures.push(result.status);
  }
  const status = failures.length === 0 ? 503 : bestFailure(failures);
  return { kind: 'failed', status, cause: causeOfStatus(status) };
}

type Attempt =
  | { readonly kind: 'bridged' | 'gone' }
  | { readonly kind: 'failed'; readonly status: number; readonly final: boolean; readonly cause?: HangupCause };

async function tryGateway(calls: CallContext, session: CallerSession, step: HuntStep, options: HuntOptions): Promise<Attempt> {
  const a = session.channel;
  const dial = new Dial(calls, [step.target], {
    accountId: a.profile.accountId,
    realm: a.profile.realm,
    callerIdName: step.callerId.name,
    callerIdNumber: step.callerId.number,
    peer: a,
    strategy: 'single',
    timeoutMs: options.ringTimeoutMs,
    ...(options.callflowId !== undefined ? { callflowId: options.callflowId } : {}),
  });
  let progressed = false;
  let stalled = false;
  const progress = (): void => {
    progressed = true;
  };
  dial.on('ringing', progress);
  dial.on('early', progress);
  session.follow(dial);
  const timer = calls.clock.setTimeout(() => {
    if (progressed) return;
    stalled = true;
    dial.cancel('RECOVERY_ON_TIMER_EXPIRE');
  }, step.progressTimeoutMs);
  const off = a.on('closed', (cause) => dial.cancel(cause));
  try {
    await dial.start();
    const outcome = await dial.outcome;
    if (outcome.answered !== undefined) {
      if (a.closed) {
        outcome.answered.hangup('ORIGINATOR_CANCEL');
        return { kind: 'gone' };
      }
      return session.bridge(outcome.answered) === undefined ? { kind: 'gone' } : { kind: 'bridged' };
    }
    if (a.closed) return { kind: 'gone' };
    return classify(outcome.status, progressed, stalled);
  } finally {
    calls.clock.clearTimeout(timer);
    off();
  }
}

/** What one gateway's failure means for the hunt. */
function classify(status: number, progressed: boolean, stalled: boolean): Attempt {
  if (stalled) return { kind: 'failed', status: 503, final: false };
  if (CALLEE_DECIDED.has(status)) return { kind: 'failed', status, final: true };
  // The callee's phone rang and nobody answered: the caller hears "no answer" (480, as a dial's
  // ring timeout gives), not another carrier ringing the same phone.
  if (progressed && (status === 408 || status === 480)) return { kind: 'failed', status: 480, final: true, cause: 'NO_ANSWER' };
  if (CARRIER_FAULT.has(status) || status >= 500) return { kind: 'failed', status: status >= 500 && status < 600 ? status : 503, final: false };
  return { kind: 'failed', status, final: false };
}
