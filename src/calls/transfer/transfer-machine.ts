import type { Logger } from '../../lib/index.ts';
import type { HangupCause } from '../hangup-cause.ts';

/**
 * A transfer's life (KAZOO konami_transfer, reference §3.7): `dialing` (attended_wait: the target
 * rings), `talking` (attended_answer: the transferor talks with the target), `partial`
 * (partial_wait: the transferor left before the target answered), `done`.
 */
export const TRANSFER_STATES = ['dialing', 'talking', 'partial', 'done'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

const TRANSITIONS: Readonly<Record<TransferState, readonly TransferState[]>> = {
  dialing: ['talking', 'partial', 'done'],
  talking: ['done'],
  partial: ['done'],
  done: [],
};

/**
 * `attended`: the transferor talks with the target first (the command's attended type);
 * `blind`: the transferor leaves at once (the command's blind type);
 * `refer`: a phone's blind REFER — the transferor waits silently for the outcome (RFC 5589 §6).
 */
export type TransferMode = 'attended' | 'blind' | 'refer';

/** How a transfer ended. `abandoned`: the transferee hung up first. */
export type TransferResult = 'completed' | 'cancelled' | 'failed' | 'abandoned';

export type TransferParty = 'transferor' | 'transferee' | 'target';

/** What the machine does to the call's legs (real channels in TransferLegs; fakes in tests). */
export interface TransferActions {
  /** The transferee waits alone and hears music on hold. */
  music(party: 'transferee'): void;
  ringback(party: 'transferor' | 'transferee'): void;
  /** Stops what plays to a party. */
  silence(party: 'transferor' | 'transferee'): void;
  connectTransferorToTarget(): void;
  /** Splits the transferor from the target without hanging either up. */
  releaseTransferorFromTarget(): void;
  /** The transferee meets the target: CHANNEL_TRANSFEREE. */
  connectTransfereeToTarget(): void;
  /** The target's callflow took the transferee itself (park, play...): CHANNEL_TRANSFEREE. */
  handOver(): void;
  /** Transferor and transferee talk again. */
  reconnect(): void;
  hangup(party: TransferParty, cause: HangupCause): void;
  /** Stops ringing the target (its legs get CANCEL). */
  cancelDial(): void;
  /** Progress for a REFER's subscription (RFC 3515 NOTIFY). */
  report(status: number): void;
  /** The transferor's job is done: it should hang up; it is hung up after a grace period otherwise. */
  dismissTransferor(): void;
  finished(result: TransferResult): void;
}

/**
 * The transfer state machine (docs/calls.md "Transfers"), KAZOO's konami_transfer with the
 * transfer type honoured: every event of the legs and every command is one method; each
 * decides from the state what happens to the legs through {@link TransferActions}.
 */
export class TransferMachine {
  readonly mode: TransferMode;
  readonly #a: TransferActions;
  readonly #log: Logger;
  readonly #takeback: string;
  #state: TransferState = 'dialing';
  #digits = '';
  #result: TransferResult | undefined;
  #ringing = false;

  constructor(mode: TransferMode, actions: TransferActions, logger: Logger, takebackDtmf = '*1') {
    this.mode = mode;
    this.#a = actions;
    this.#log = logger;
    this.#takeback = takebackDtmf;
  }

  get state(): TransferState {
    return this.#state;
  }

  get result(): TransferResult | undefined {
    return this.#result;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** Starts: attended → the transferee hears music; blind → the transferor leaves; refer → ringback. */
  start(): void {
    switch (this.mode) {
      case 'attended':
        this.#a.music('transferee');
        return;
      case 'blind':
        this.#transition('partial');
        this.#a.hangup('transferor', 'NORMAL_CLEARING');
        this.#a.ringback('transferee');
        return;
      case 'refer':
        this.#a.ringback('transferee');
    }
  }

  /** The target rings: the transferor hears ringback (attended; KAZOO plays it once the leg exists). */
  targetRinging(): void {
    if (this.#state !== 'dialing' || this.mode !== 'attended' || this.#ringing) return;
    this.#ringing = true;
    this.#a.ringback('transferor');
  }

  /** The target answered: returns false when nobody takes it any more (the caller hangs it up). */
  targetAnswered(): boolean {
    switch (this.#state) {
      case 'dialing':
        if (this.mode === 'attended') {
          this.#transition('talking');
          this.#a.silence('transferor');
          this.#a.connectTransferorToTarget();
          return true;
        }
        this.#complete();
        return true;
      case 'partial':
        this.#complete();
        return true;
      default:
        return false;
    }
  }

  /** The target's callflow took the transferee without ringing anyone (park, play, voicemail). */
  targetTook(): void {
    if (this.#state !== 'dialing' && this.#state !== 'partial') return;
    const transferorThere = this.#state === 'dialing';
    this.#end('completed', () => {
      this.#a.silence('transferee');
      if (transferorThere) this.#a.silence('transferor');
      this.#a.handOver();
      this.#a.report(200);
      if (transferorThere) this.#leave();
    });
  }

  /** Nobody answered (busy, no answer, unknown...): `status` is the SIP failure. */
  targetFailed(status: number, cause: HangupCause): void {
    switch (this.#state) {
      case 'dialing':
        this.#end('failed', () => {
          this.#a.silence('transferor');
          this.#a.silence('transferee');
          this.#a.report(status);
          this.#a.reconnect();
        });
        return;
      case 'partial':
        // KAZOO partial_wait: the target failed and the transferor is gone; the call ends.
        this.#end('failed', () => {
          this.#a.report(status);
          this.#a.hangup('transferee', cause);
        });
        return;
      default:
    }
  }

  /** The answered target hung up while talking with the transferor: back to the transferee. */
  targetGone(): void {
    if (this.#state !== 'talking') return;
    this.#end('failed', () => {
      this.#a.releaseTransferorFromTarget();
      this.#a.silence('transferee');
      this.#a.reconnect();
    });
  }

  /** The transferor hung up: that completes the transfer (KAZOO: also before the target answers). */
  transferorGone(): void {
    switch (this.#state) {
      case 'dialing':
        this.#transition('partial');
        if (this.mode === 'attended') {
          this.#a.silence('transferee');
          this.#a.ringback('transferee');
        }
        return;
      case 'talking':
        this.#a.releaseTransferorFromTarget();
        this.#complete();
        return;
      default:
    }
  }

  /** The transferee hung up: nothing left to transfer. */
  transfereeGone(): void {
    switch (this.#state) {
      case 'dialing':
        this.#end('abandoned', () => {
          this.#a.cancelDial();
          this.#a.report(487);
          this.#leave();
        });
        return;
      case 'partial':
        this.#end('abandoned', () => {
          this.#a.cancelDial();
          this.#a.report(487);
        });
        return;
      case 'talking':
        // KAZOO: the transferor and the target stay connected.
        this.#end('abandoned', () => undefined);
        return;
      default:
    }
  }

  /** A digit from the transferor: the takeback sequence (default `*1`) cancels the transfer. */
  digit(digit: string): void {
    if (this.mode !== 'attended' || (this.#state !== 'dialing' && this.#state !== 'talking')) return;
    this.#digits = (this.#digits + digit).slice(-16);
    if (this.#takeback !== '' && this.#digits.endsWith(this.#takeback)) {
      this.#log.info({ takeback: this.#takeback }, 'transfer taken back');
      this.cancel();
    }
  }

  /**
   * Completes now (Wazo `complete`): the transferor leaves; the transferee gets the target, at
   * once if it answered, else when it does. False when there is nothing to complete.
   */
  complete(): boolean {
    switch (this.#state) {
      case 'dialing':
        this.transferorGone();
        this.#a.hangup('transferor', 'NORMAL_CLEARING');
        return true;
      case 'talking':
        this.#a.releaseTransferorFromTarget();
        this.#complete();
        this.#a.hangup('transferor', 'NORMAL_CLEARING');
        return true;
      default:
        return false;
    }
  }

  /**
   * Takes the transferee back (KAZOO takeback, Wazo `cancel`): the target is dropped and the
   * transferor talks with the transferee again. False once the transferor is gone or it ended.
   */
  cancel(): boolean {
    switch (this.#state) {
      case 'dialing':
        this.#end('cancelled', () => {
          this.#a.cancelDial();
          this.#a.silence('transferor');
          this.#a.silence('transferee');
          this.#a.report(487);
          this.#a.reconnect();
        });
        return true;
      case 'talking':
        this.#end('cancelled', () => {
          this.#a.releaseTransferorFromTarget();
          this.#a.hangup('target', 'NORMAL_CLEARING');
          this.#a.silence('transferee');
          this.#a.reconnect();
        });
        return true;
      default:
        return false;
    }
  }

  /** The transferee and the target meet; a REFER hears 200; its transferor is dismissed. */
  #complete(): void {
    const transferorThere = this.#state === 'dialing' && this.mode === 'refer';
    this.#end('completed', () => {
      this.#a.silence('transferee');
      this.#a.connectTransfereeToTarget();
      this.#a.report(200);
      if (transferorThere) this.#a.dismissTransferor();
    });
  }

  #leave(): void {
    if (this.mode === 'refer') this.#a.dismissTransferor();
    else this.#a.hangup('transferor', 'NORMAL_CLEARING');
  }

  /** Ends with `result`: the state is `done` before the legs move (their events re-enter), then `finished`. */
  #end(result: TransferResult, steps: () => void): void {
    this.#transition('done');
    this.#result = result;
    try {
      steps();
    } finally {
      this.#a.finished(result);
    }
  }

  #transition(to: TransferState): void {
    const from = this.#state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) throw new Error(`transfer: illegal transition ${from} → ${to}`);
    this.#state = to;
    this.#log.debug({ from, to, mode: this.mode }, 'transfer state');
  }
}
