import { newUuid, TypedEmitter, type Logger } from '../../lib/index.ts';
import type { ToneSpec } from '../../media/index.ts';
import type { StoredDoc } from '../../store/index.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import type { CallflowRunner } from '../callflow/index.ts';
import { Dial, type DialOutcome, type DialTarget } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';
import type { EndpointTargets, FlowNodeDoc, ResolvedTargets } from './endpoint-targets.ts';
import type { OriginateLeg, OriginateRequest, OriginateResult } from './originate-request.ts';
import { OriginatedSession } from './originated-session.ts';

export type OriginateEvents = {
  /** A leg rings (or sent early media). */
  ringing: [leg: OriginateLeg, channel: Channel];
  /** A leg answered. */
  answered: [leg: OriginateLeg, channel: Channel];
  /** `connect`: the two legs are bridged. */
  connected: [first: Channel, second: Channel];
  /** The result is known (emitted once, as {@link OriginateCall.result} settles). */
  result: [result: OriginateResult];
};

/** resolving → ringing (first leg) → answered → acting (the action runs) → done. */
export const ORIGINATE_STATES = ['resolving', 'ringing', 'answered', 'acting', 'done'] as const;
export type OriginateState = (typeof ORIGINATE_STATES)[number];

const NEXT: Readonly<Record<OriginateState, readonly OriginateState[]>> = {
  resolving: ['ringing', 'done'],
  ringing: ['answered', 'done'],
  answered: ['acting', 'done'],
  acting: ['done'],
  done: [],
};

/** What an originate uses of the switch. */
export interface OriginateDeps {
  readonly context: CallContext;
  readonly targets: EndpointTargets;
  readonly account: (accountId: string) => Promise<StoredDoc | undefined>;
  readonly runner: CallflowRunner | undefined;
  readonly logger: Logger;
}

const FIRST_RING_MS = 30_000;
const SECOND_RING_MS = 20_000;

/**
 * One originate (KAZOO `resource.originate_req`, reference §4.6): rings the endpoint, and once it
 * answers runs the action on it. Events report each leg; {@link result} settles once with the
 * KAZOO-like outcome (§4.5). The legs live on after the result (a connected call goes on).
 */
export class OriginateCall extends TypedEmitter<OriginateEvents> {
  readonly id = newUuid();
  readonly request: OriginateRequest;
  readonly result: Promise<OriginateResult>;
  readonly #deps: OriginateDeps;
  readonly #log: Logger;
  readonly #dials = new Set<Dial>();
  #resolve!: (result: OriginateResult) => void;
  #state: OriginateState = 'resolving';
  #first: Channel | undefined;
  #second: Channel | undefined;
  #cancelled: HangupCause | undefined;
  #started = false;

  constructor(deps: OriginateDeps, request: OriginateRequest) {
    super();
    this.#deps = deps;
    this.request = request;
    this.#log = deps.logger.child({ originate: this.id });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'originate listener failed');
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get state(): OriginateState {
    return this.#state;
  }
  /** The answered first leg (or undefined before it answered). */
  get first(): Channel | undefined {
    return this.#first;
  }
  /** The connected second leg (`connect`). */
  get second(): Channel | undefined {
    return this.#second;
  }

  /** Runs the originate (once; the Originator starts it); never rejects (failures settle {@link result}). */
  async run(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      await this.#run();
    } catch (error) {
      this.#log.error({ err: error }, 'originate failed');
      this.#fail('first', 'NORMAL_TEMPORARY_FAILURE');
      this.#first?.hangup('NORMAL_TEMPORARY_FAILURE');
    }
  }

  /** Stops the originate: ringing legs get CANCEL, answered ones BYE. */
  hangup(cause: HangupCause = 'ORIGINATOR_CANCEL'): void {
    this.#cancelled ??= cause;
    for (const dial of this.#dials) dial.cancel(cause);
    this.#second?.hangup(cause === 'ORIGINATOR_CANCEL' ? 'NORMAL_CLEARING' : cause);
    this.#first?.hangup(cause === 'ORIGINATOR_CANCEL' ? 'NORMAL_CLEARING' : cause);
    this.#fail(this.#first === undefined ? 'first' : 'second', cause);
  }

  async #run(): Promise<void> {
    const r = this.request;
    const account = await this.#deps.account(r.accountId);
    if (account === undefined) return this.#fail('first', 'UNALLOCATED_NUMBER');
    const resolved = await this.#deps.targets.resolve(account, r.endpoint);
    if ('failure' in resolved) return this.#fail('first', resolved.failure);
    if (this.#cancelled !== undefined || !this.#transition('ringing')) return;
    const headers = Object.entries(r.customSipHeaders ?? {}).map(([k, v]) => [k, v] as const);
    const targets: DialTarget[] = resolved.targets.map((t) => ({
      ...t,
      headers: [...(t.headers ?? []), ...headers],
      profile: {
        ...t.profile,
        ...(r.calleeIdName !== undefined ? { calleeIdName: r.calleeIdName } : {}),
        ...(r.calleeIdNumber !== undefined ? { calleeIdNumber: r.calleeIdNumber } : {}),
      },
    }));
    const callerIdNumber = r.callerIdNumber ?? defaultCallerNumber(r);
    const dial = new Dial(this.#deps.context, targets, {
      accountId: account._id,
      realm: String(account['realm'] ?? ''),
      callerIdName: r.callerIdName ?? callerIdNumber,
      callerIdNumber,
      strategy: resolved.strategy,
      timeoutMs: r.timeoutMs ?? FIRST_RING_MS,
      ...this.#vars(resolved),
    });
    dial.on('ringing', (channel) => this.emit('ringing', 'first', channel));
    dial.on('early', (channel) => this.emit('ringing', 'first', channel));
    const outcome = await this.#ring(dial);
    if (outcome.answered === undefined) return this.#fail('first', this.#cancelled ?? outcome.cause, outcome.status);
    const first = outcome.answered;
    this.#first = first;
    if (first.closed) return this.#fail('first', first.hangupCause ?? 'NORMAL_CLEARING');
    if (this.#cancelled !== undefined || !this.#transition('answered')) {
      first.hangup('NORMAL_CLEARING');
      return;
    }
    const maxMs = this.#deps.context.maxCallMs;
    if (maxMs > 0) first.after(maxMs, () => first.hangup('ALLOTTED_TIMEOUT'));
    first.once('closed', (cause) => this.#fail('first', cause));
    this.emit('answered', 'first', first);
    if (!this.#transition('acting')) return;
    if (r.action.kind === 'connect') await this.#connect(account, first);
    else await this.#flow(account, first, flowOf(r.action));
  }

  /** KAZOO's `transfer` application: ring `to` with the first leg's codec, ringback meanwhile, then bridge. */
  async #connect(account: StoredDoc, first: Channel): Promise<void> {
    const r = this.request;
    if (r.action.kind !== 'connect') return;
    const action = r.action;
    const session = this.#session(first, action.ringback);
    const resolved = await this.#deps.targets.resolve(account, action.to);
    if (first.closed) return;
    if ('failure' in resolved) return session.fail(404, resolved.failure);
    const callerIdNumber = action.callerIdNumber ?? r.calleeIdNumber ?? first.profile.calleeIdNumber;
    const dial = new Dial(this.#deps.context, resolved.targets, {
      accountId: account._id,
      realm: String(account['realm'] ?? ''),
      callerIdName: action.callerIdName ?? r.calleeIdName ?? first.profile.calleeIdName,
      callerIdNumber,
      peer: first,
      strategy: resolved.strategy,
      timeoutMs: action.timeoutMs ?? resolved.timeoutMs ?? SECOND_RING_MS,
      ...this.#vars(resolved),
    });
    session.follow(dial);
    const off = first.on('closed', (cause) => dial.cancel(cause === 'NORMAL_CLEARING' ? 'ORIGINATOR_CANCEL' : cause));
    const outcome = await this.#ring(dial);
    off();
    if (outcome.answered === undefined) return session.fail(outcome.status, this.#cancelled ?? outcome.cause);
    if (first.closed) {
      outcome.answered.hangup('ORIGINATOR_CANCEL');
      return;
    }
    session.bridge(outcome.answered);
  }

  /** park, play or any flow: the callflow runner runs it on the answered first leg. */
  async #flow(account: StoredDoc, first: Channel, flow: FlowNodeDoc): Promise<void> {
    const runner = this.#deps.runner;
    if (runner === undefined) return this.#session(first).fail(501, 'NORMAL_UNSPECIFIED');
    const now = this.#deps.context.clock.now();
    const callflow: StoredDoc = { _id: `originate-${this.id}`, _rev: '0', pvt_type: 'callflow', pvt_account_id: account._id, pvt_created: now, pvt_modified: now, flow };
    const session = this.#session(first);
    void runner.run(session, account, callflow).then(
      () => this.#succeed(),
      (error: unknown) => this.#log.error({ err: error }, 'originate flow failed'),
    );
  }

  #session(first: Channel, ringback?: ToneSpec): OriginatedSession {
    return new OriginatedSession(
      this.#deps.context,
      first,
      {
        started: () => this.#succeed(),
        dialing: (dial) => {
          this.#dials.add(dial);
          dial.on('ringing', (channel) => this.emit('ringing', 'second', channel));
          dial.on('early', (channel) => this.emit('ringing', 'second', channel));
          void dial.outcome.then(() => this.#dials.delete(dial));
        },
        bridged: (callee) => {
          this.#second = callee;
          this.emit('answered', 'second', callee);
          this.emit('connected', first, callee);
          this.#succeed();
        },
        failed: (status, cause) => this.#fail('second', cause, status),
      },
      {
        ...(this.request.ignoreEarlyMedia !== undefined ? { ignoreEarlyMedia: this.request.ignoreEarlyMedia } : {}),
        ...(ringback !== undefined ? { ringback } : {}),
      },
    );
  }

  /** Starts `dial` (unless the originate was cancelled meanwhile) and waits for its outcome. */
  async #ring(dial: Dial): Promise<DialOutcome> {
    this.#dials.add(dial);
    try {
      if (this.#cancelled === undefined) await dial.start();
      else dial.cancel(this.#cancelled);
      return await dial.outcome;
    } finally {
      this.#dials.delete(dial);
    }
  }

  #vars(resolved: ResolvedTargets): { callflowId?: string; customChannelVars?: Readonly<Record<string, unknown>>; customApplicationVars?: Readonly<Record<string, unknown>> } {
    const r = this.request;
    return {
      ...(resolved.callflowId !== undefined ? { callflowId: resolved.callflowId } : {}),
      ...(r.customChannelVars !== undefined ? { customChannelVars: r.customChannelVars } : {}),
      ...(r.customApplicationVars !== undefined ? { customApplicationVars: r.customApplicationVars } : {}),
    };
  }

  #succeed(): void {
    const first = this.#first;
    if (this.#state === 'done' || first === undefined || first.closed) return;
    this.#settle({ result: 'success', callId: first.uuid, ...(this.#second !== undefined ? { otherLegCallId: this.#second.uuid } : {}) });
  }

  #fail(leg: OriginateLeg, cause: HangupCause, status?: number): void {
    if (this.#state === 'done') return;
    this.#settle({
      result: 'error',
      cause,
      leg,
      ...(status !== undefined ? { status } : {}),
      ...(this.#first !== undefined ? { callId: this.#first.uuid } : {}),
      ...(this.#second !== undefined ? { otherLegCallId: this.#second.uuid } : {}),
    });
  }

  #settle(result: OriginateResult): void {
    this.#transition('done');
    this.#log.info({ ...result }, 'originate result');
    this.#resolve(result);
    this.emit('result', result);
  }

  /** Moves along the state table; false (and a log line) for a move it does not allow. */
  #transition(to: OriginateState): boolean {
    if (this.#state === to) return true;
    if (!NEXT[this.#state].includes(to)) {
      this.#log.debug({ from: this.#state, to }, 'originate transition refused');
      return false;
    }
    this.#state = to;
    return true;
  }
}

/** What the first leg shows as its caller by default: the number it will be connected to. */
function defaultCallerNumber(r: OriginateRequest): string {
  if (r.action.kind === 'connect' && r.action.to.type === 'number') return r.action.to.number;
  return 'anonymous';
}

/** The callflow node that runs a non-connect action. */
function flowOf(action: Exclude<OriginateRequest['action'], { kind: 'connect' }>): FlowNodeDoc {
  switch (action.kind) {
    case 'park':
      return { module: 'park', data: action.data ?? {} };
    case 'play':
      return { module: 'play', data: { id: action.mediaId } };
    case 'flow':
      return action.flow;
  }
}
