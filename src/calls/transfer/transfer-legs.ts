import { newUuid, type Logger } from '../../lib/index.ts';
import { TONES } from '../../media/index.ts';
import type { Bridge } from '../bridge.ts';
import type { CallContext } from '../call-context.ts';
import type { Channel } from '../channel.ts';
import type { Dial } from '../dialer.ts';
import type { HangupCause } from '../hangup-cause.ts';
import { connect, holdMusic, release } from './leg-moves.ts';
import type { ReferSubscription } from './refer-subscription.ts';
import { TransferMachine, type TransferActions, type TransferMode, type TransferParty, type TransferResult } from './transfer-machine.ts';
import { publishTransferee, type TransferSource } from './transferee-event.ts';

/** What one transfer is made of. */
export interface TransferLegsOptions {
  readonly context: CallContext;
  readonly transferor: Channel;
  readonly transferee: Channel;
  readonly mode: TransferMode;
  readonly source: TransferSource;
  /** The number transferred to (reported in CHANNEL_TRANSFEREE). */
  readonly target: string;
  readonly takebackDtmf: string;
  /** The WAV the transferee hears while it waits (undefined: the built-in loop). */
  readonly music: Uint8Array | undefined;
  /** A REFER's subscription, told the outcome. */
  readonly subscription?: ReferSubscription;
  /** How long a dismissed transferor may stay before we hang it up. */
  readonly dismissMs: number;
  readonly logger: Logger;
  readonly onFinished: (legs: TransferLegs, result: TransferResult) => void;
}

/**
 * One transfer over real channels: follows the legs' events into the {@link TransferMachine} and
 * carries out its decisions with bridges, players and hangups. Its own channel listeners are added
 * before any bridge it creates, so they run first when a leg ends and can move the other legs
 * before that bridge would hang them up.
 */
export class TransferLegs implements TransferActions {
  readonly id = newUuid();
  readonly machine: TransferMachine;
  readonly transferor: Channel;
  readonly transferee: Channel;
  readonly #o: TransferLegsOptions;
  readonly #ctx: CallContext;
  readonly #detach: (() => void)[] = [];
  #target: Channel | undefined;
  #dial: Dial | undefined;
  #handedOver = false;

  constructor(options: TransferLegsOptions) {
    this.#o = options;
    this.#ctx = options.context;
    this.transferor = options.transferor;
    this.transferee = options.transferee;
    this.machine = new TransferMachine(options.mode, this, options.logger, options.takebackDtmf);
    const t = this.transferor;
    this.#detach.push(
      t.on('closed', () => this.machine.transferorGone()),
      t.on('dtmf', (digit) => this.machine.digit(digit)),
      this.transferee.on('closed', () => this.machine.transfereeGone()),
    );
  }

  /** The answered target leg, once there is one. */
  get target(): Channel | undefined {
    return this.#target;
  }

  /** True once the target's callflow took the transferee itself (park, play...). */
  get handedOver(): boolean {
    return this.#handedOver;
  }

  /** The dial ringing the target (from the callflow's bridging module). */
  dialing(dial: Dial): void {
    this.#dial = dial;
    if (this.machine.done) {
      dial.cancel('ORIGINATOR_CANCEL');
      return;
    }
    dial.on('ringing', () => this.machine.targetRinging());
    dial.on('early', () => this.machine.targetRinging());
  }

  /** The target answered: the machine decides who gets it; the bridge made, or undefined (hung up). */
  answered(callee: Channel): Bridge | undefined {
    if (this.machine.done || callee.closed) {
      callee.hangup('LOSE_RACE');
      return undefined;
    }
    this.#target = callee;
    this.#detach.push(callee.on('closed', () => this.machine.targetGone()));
    if (!this.machine.targetAnswered()) {
      callee.hangup('LOSE_RACE');
      return undefined;
    }
    return this.#ctx.bridges.get(callee.uuid);
  }

  music(): void {
    this.transferee.play(holdMusic(this.#ctx, this.#o.music));
  }

  ringback(party: 'transferor' | 'transferee'): void {
    const channel = this.#channel(party);
    if (channel !== undefined && !channel.closed) channel.play(this.#ctx.engine.createTonePlayer(TONES.ringbackUs));
  }

  silence(party: 'transferor' | 'transferee'): void {
    this.#channel(party)?.stopPlayback();
  }

  connectTransferorToTarget(): void {
    const target = this.#target;
    if (target !== undefined) connect(this.#ctx, this.transferor, target);
  }

  releaseTransferorFromTarget(): void {
    const bridge = this.#ctx.bridges.get(this.transferor.uuid);
    if (bridge !== undefined && !bridge.closed && bridge.peerOf(this.transferor) === this.#target) bridge.unbridge();
  }

  connectTransfereeToTarget(): void {
    const target = this.#target;
    if (target === undefined) return;
    if (connect(this.#ctx, this.transferee, target) === undefined) return;
    publishTransferee(this.#ctx, {
      transferee: this.transferee,
      transferor: this.transferor,
      target,
      transferTo: this.#o.target,
      type: this.#o.mode === 'attended' ? 'attended' : 'blind',
      source: this.#o.source,
    });
  }

  handOver(): void {
    this.#handedOver = true;
    release(this.#ctx, this.transferee);
    publishTransferee(this.#ctx, {
      transferee: this.transferee,
      transferor: this.transferor,
      target: undefined,
      transferTo: this.#o.target,
      type: this.#o.mode === 'attended' ? 'attended' : 'blind',
      source: this.#o.source,
    });
  }

  reconnect(): void {
    connect(this.#ctx, this.transferor, this.transferee, this.#o.music);
  }

  hangup(party: TransferParty, cause: HangupCause): void {
    const channel = this.#channel(party);
    if (channel !== undefined && !channel.closed) channel.hangup(cause);
  }

  cancelDial(): void {
    this.#dial?.cancel('ORIGINATOR_CANCEL');
  }

  report(status: number): void {
    this.#o.subscription?.notify(status);
  }

  dismissTransferor(): void {
    const t = this.transferor;
    // RFC 5589 §6: the transferor normally sends BYE once told of the success; if it does not, we do.
    if (!t.closed) t.after(this.#o.dismissMs, () => t.hangup('NORMAL_CLEARING'));
  }

  finished(result: TransferResult): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#o.onFinished(this, result);
  }

  #channel(party: TransferParty): Channel | undefined {
    return party === 'transferor' ? this.transferor : party === 'transferee' ? this.transferee : this.#target;
  }
}
