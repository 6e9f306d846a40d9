import { randomInt } from 'node:crypto';
import { TypedEmitter } from '../../lib/index.ts';
import { Headers, SipRequest, getTag } from '../message/index.ts';
import type { SipResponse } from '../message/index.ts';
import { cseqOf } from '../transaction/index.ts';
import { DialogError } from './dialog-error.ts';
import { dialogKey, uacDialogId } from './dialog-id.ts';
import type { DialogId } from './dialog-id.ts';
import { Retransmit2xx } from './retransmit-2xx.ts';
import type { Retransmit2xxOptions } from './retransmit-2xx.ts';
import { contactTarget, inDialogRouting, recordRoutes } from './route-set.ts';

/** Dialog states (RFC 3261 §12: early, confirmed; terminated once over). */
export type DialogState = 'early' | 'confirmed' | 'terminated';

const TABLE: { readonly [K in DialogState]: readonly DialogState[] } = {
  early: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
};

/** Target refresh requests (§12.2: re-INVITE; RFC 3311 UPDATE; RFC 6665 SUBSCRIBE, NOTIFY). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY']);

/** Events of a dialog. */
export type DialogEvents = {
  stateChanged: [from: DialogState, to: DialogState];
  terminated: [];
  /**
   * The ACK for this dialog's INVITE 2xx arrived (§13.3.1.4), once per INVITE: the copies the
   * UAC sends for our 2xx retransmissions (§13.2.2.4) are absorbed. An offer we made in the 2xx
   * has its answer in this ACK (§13.2.1).
   */
  ack: [ack: SipRequest];
  /** No ACK came within 64*T1 of the 2xx: "the session SHOULD be terminated" (§13.3.1.4). */
  ackTimeout: [];
};

/** Extra content of a request built in the dialog. */
export interface InDialogRequestOptions {
  /** Appended after the dialog's own headers; a Contact here replaces the dialog's local contact. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  readonly contentType?: string;
}

/** Options of {@link Dialog.createAck}. */
export interface AckOptions extends InDialogRequestOptions {
  /** The INVITE acknowledged: its CSeq number and credentials are copied (§13.2.2.4). */
  readonly invite?: SipRequest;
}

/** The verdict of {@link Dialog.receiveRequest}: accept, or reject with this status. */
export type RequestCheck = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly reason: string };

/** Everything that makes up a dialog's state (§12). */
interface DialogInit {
  readonly role: 'uac' | 'uas';
  readonly id: DialogId;
  readonly state: DialogState;
  readonly localSeq: number | undefined;
  readonly remoteSeq: number | undefined;
  /** Our From (UAC) or To (UAS) header value, with our tag. */
  readonly localParty: string;
  /** Their From or To header value, with their tag. */
  readonly remoteParty: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly secure: boolean;
  readonly localContact: string | undefined;
  readonly inviteSeq: number | undefined;
}

/** Options of {@link Dialog.uac} and {@link Dialog.uas}. */
export interface DialogOptions {
  /** Contact value put in target refresh requests we send (§12.2.1.1); default the one we sent. */
  readonly localContact?: string;
}

/**
 * A SIP dialog (RFC 3261 §12): id, route set, remote target, local and remote CSeq. Builds requests
 * within the dialog (§12.2.1.1) and the 2xx ACK (§13.2.2.4), checks incoming ones (§12.2.2).
 */
export class Dialog extends TypedEmitter<DialogEvents> {
  readonly role: 'uac' | 'uas';
  readonly id: DialogId;
  readonly key: string;
  readonly localParty: string;
  readonly remoteParty: string;
  readonly secure: boolean;
  localContact: string | undefined;
  #state: DialogState;
  #localSeq: number | undefined;
  #remoteSeq: number | undefined;
  #remoteTarget: string;
  #routeSet: readonly string[];
  #inviteSeq: number | undefined;
  #retransmit: Retransmit2xx | undefined;
  #lastAck: SipRequest | undefined;
  /** CSeq number of the last INVITE whose ACK was reported. */
  #ackedSeq: number | undefined;

  private constructor(init: DialogInit) {
    super();
    this.role = init.role;
    this.id = init.id;
    this.key = dialogKey(init.id);
    this.#state = init.state;
    this.#localSeq = init.localSeq;
    this.#remoteSeq = init.remoteSeq;
    this.localParty = init.localParty;
    this.remoteParty = init.remoteParty;
    this.#remoteTarget = init.remoteTarget;
    this.#routeSet = init.routeSet;
    this.secure = init.secure;
    this.localContact = init.localContact;
    this.#inviteSeq = init.inviteSeq;
  }

  /**
   * §12.1.2: the dialog a UAC creates from a 1xx (with To tag) or 2xx to its request. "The route set
   * MUST be set to the list of URIs in the Record-Route header field from the response, taken in
   * reverse order"; "The remote target MUST be set to the URI from the Contact header field of the
   * response"; the local sequence number is the request's CSeq, the remote one empty.
   */
  static uac(request: SipRequest, response: SipResponse, options: DialogOptions = {}): Dialog {
    const id = uacDialogId(response);
    if (id === undefined) throw new DialogError('no_dialog_id', 'response has no To or From tag');
    if (response.status < 101 || response.status >= 300) throw new DialogError('no_dialog', `a ${response.status} does not create a dialog`);
    const seq = cseqOf(request)?.seq;
    return new Dialog({
      role: 'uac',
      id,
      state: response.status >= 200 ? 'confirmed' : 'early',
      localSeq: seq,
      remoteSeq: undefined,
      localParty: request.headers.get('From') ?? '',
      remoteParty: response.headers.get('To') ?? '',
      remoteTarget: contactTarget(response) ?? request.uri,
      routeSet: recordRoutes(response).reverse(),
      secure: isSecure(request),
      localContact: options.localContact ?? request.headers.get('Contact'),
      inviteSeq: request.method === 'INVITE' ? seq : undefined,
    });
  }

  /**
   * §12.1.1: the dialog a UAS creates when it sends a 1xx (with To tag) or 2xx. "The route set MUST
   * be set to the list of URIs in the Record-Route header field from the request, taken in order";
   * "The remote target MUST be set to the URI from the Contact header field of the request"; the
   * remote sequence number is the request's CSeq, the local one empty. Also copies Record-Route
   * into the response, which "MUST copy all Record-Route header field values from the request".
   */
  static uas(request: SipRequest, response: SipResponse, options: DialogOptions = {}): Dialog {
    const localTag = getTag(response.headers.get('To') ?? '');
    const remoteTag = getTag(request.headers.get('From') ?? '');
    if (localTag === undefined || remoteTag === undefined) throw new DialogError('no_dialog_id', 'response To or request From has no tag');
    if (response.status < 101 || response.status >= 300) throw new DialogError('no_dialog', `a ${response.status} does not create a dialog`);
    const routeSet = recordRoutes(request);
    if (!response.headers.has('Record-Route')) for (const rr of routeSet) response.headers.append('Record-Route', rr);
    const seq = cseqOf(request)?.seq;
    return new Dialog({
      role: 'uas',
      id: { callId: request.callId, localTag, remoteTag },
      state: response.status >= 200 ? 'confirmed' : 'early',
      localSeq: undefined,
      remoteSeq: seq,
      localParty: response.headers.get('To') ?? '',
      remoteParty: request.headers.get('From') ?? '',
      remoteTarget: contactTarget(request) ?? '',
      routeSet,
      secure: isSecure(request),
      localContact: options.localContact ?? response.headers.get('Contact'),
      inviteSeq: request.method === 'INVITE' ? seq : undefined,
    });
  }

  get state(): DialogState {
    return this.#state;
  }

  get terminated(): boolean {
    return this.#state === 'terminated';
  }

  get localSeq(): number | undefined {
    return this.#localSeq;
  }

  get remoteSeq(): number | undefined {
    return this.#remoteSeq;
  }

  get remoteTarget(): string {
    return this.#remoteTarget;
  }

  /** Route header values for requests we send, in order. */
  get routeSet(): readonly string[] {
    return this.#routeSet;
  }

  /** Moves to `to`; throws a DialogError for a move §12 does not have. */
  transition(to: DialogState): void {
    const from = this.#state;
    if (!TABLE[from].includes(to)) throw new DialogError('illegal_transition', `dialog cannot move from ${from} to ${to}`);
    this.#state = to;
    if (to === 'terminated') this.#stopRetransmit();
    this.emit('stateChanged', from, to);
    if (to === 'terminated') this.emit('terminated');
  }

  /**
   * An early dialog becomes confirmed on a 2xx (§12.1). For a UAC, "the route set for the dialog
   * MUST be recomputed based on the 2xx response" (§13.2.2.4) and the remote target taken from it.
   */
  confirm(response?: SipResponse): void {
    if (this.#state !== 'early') return;
    if (response !== undefined && this.role === 'uac') {
      this.#routeSet = recordRoutes(response).reverse();
      this.#remoteTarget = contactTarget(response) ?? this.#remoteTarget;
    }
    this.transition('confirmed');
  }

  /** Ends the dialog (BYE sent or received, early dialog failed); stops 2xx retransmission. */
  terminate(): void {
    if (this.#state !== 'terminated') this.transition('terminated');
  }

  /**
   * §12.2.1.1: a request within the dialog. "The URI in the To field of the request MUST be set to
   * the remote URI from the dialog state. The tag in the To header field of the request MUST be set
   * to the remote tag of the dialog ID." Local CSeq: "MUST be incremented by one if it is not empty"
   * and chosen at random otherwise. A BYE terminates the dialog (§15).
   */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    const m = method.toUpperCase();
    if (this.#state === 'terminated') throw new DialogError('dialog_terminated', 'the dialog is terminated');
    if (m === 'ACK') throw new DialogError('use_create_ack', 'build the ACK with createAck()');
    if (m === 'CANCEL') throw new DialogError('cancel_not_in_dialog', 'CANCEL is built from the request it cancels');
    const seq = this.#localSeq === undefined ? randomInt(1, 0x8000) : this.#localSeq + 1;
    this.#localSeq = seq;
    if (m === 'INVITE') this.#inviteSeq = seq;
    const request = this.#build(m, seq, options);
    if (m === 'BYE') this.terminate();
    return request;
  }

  /**
   * §13.2.2.4: the ACK for a 2xx, built like any in-dialog request except that "The sequence number
   * of the CSeq header field MUST be the same as the INVITE being acknowledged, but the CSeq method
   * MUST be ACK. The ACK MUST contain the same credentials as the INVITE."
   */
  createAck(options: AckOptions = {}): SipRequest {
    const seq = (options.invite === undefined ? undefined : cseqOf(options.invite)?.seq) ?? this.#inviteSeq;
    if (seq === undefined) throw new DialogError('no_invite', 'no INVITE to acknowledge in this dialog');
    const ack = this.#build('ACK', seq, options);
    for (const name of ['Authorization', 'Proxy-Authorization']) {
      for (const value of options.invite?.headers.getAll(name) ?? []) ack.headers.append(name, value);
    }
    this.#lastAck = ack;
    return ack;
  }

  /** The last ACK built by {@link createAck}, to pass again when the 2xx is retransmitted. */
  get lastAck(): SipRequest | undefined {
    return this.#lastAck;
  }

  /**
   * §12.2.2: checks a request received in the dialog. "If the remote sequence number was not empty,
   * but the sequence number of the request is lower than the remote sequence number, the request
   * is out of order and MUST be rejected with a 500 (Server Internal Error) response." Otherwise
   * records the sequence number, takes the new remote target of a target refresh request (done on
   * receipt, not on its 2xx), and terminates the dialog on BYE. An ACK stops 2xx retransmission
   * and is reported (`ack`) the first time only.
   */
  receiveRequest(request: SipRequest): RequestCheck {
    const cseq = cseqOf(request);
    if (cseq === undefined) return { ok: false, status: 400, reason: 'Bad CSeq' };
    if (request.method === 'ACK') {
      if (this.#inviteSeq === undefined || cseq.seq === this.#inviteSeq) {
        this.#stopRetransmit();
        if (this.#ackedSeq !== cseq.seq) {
          this.#ackedSeq = cseq.seq;
          this.emit('ack', request);
        }
      }
      return { ok: true };
    }
    if (this.#state === 'terminated') return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' };
    if (this.#remoteSeq !== undefined && cseq.seq < this.#remoteSeq) return { ok: false, status: 500, reason: 'Out of Order CSeq' };
    this.#remoteSeq = cseq.seq;
    if (request.method === 'INVITE') this.#inviteSeq = cseq.seq;
    if (TARGET_REFRESH.has(request.method)) this.#remoteTarget = contactTarget(request) ?? this.#remoteTarget;
    if (request.method === 'BYE') this.terminate();
    return { ok: true };
  }

  /**
   * A response to a request we sent in the dialog (§12.2.1.2): "When a UAC receives a 2xx response
   * to a target refresh request, it MUST replace the dialog's remote target URI with the URI from
   * the Contact header field"; "If the response for a request within a dialog is a 481 ... or a 408
   * ..., the UAC SHOULD terminate the dialog."
   */
  receiveResponse(response: SipResponse): void {
    if (response.status === 481 || response.status === 408) {
      this.terminate();
      return;
    }
    const method = cseqOf(response)?.method ?? '';
    if (response.status >= 200 && response.status < 300 && TARGET_REFRESH.has(method)) {
      this.#remoteTarget = contactTarget(response) ?? this.#remoteTarget;
    }
  }

  /**
   * §13.3.1.4: retransmit the INVITE 2xx (through `options.send`) until the ACK arrives
   * ({@link receiveRequest}) or 64*T1 passes (event `ackTimeout`). Stopped when the dialog ends.
   */
  retransmit2xx(options: Omit<Retransmit2xxOptions, 'onTimeout'>): void {
    this.#stopRetransmit();
    if (this.terminated) return;
    this.#retransmit = new Retransmit2xx({ ...options, onTimeout: () => this.emit('ackTimeout') });
    this.#retransmit.start();
  }

  /** True while the 2xx is being retransmitted, waiting for its ACK. */
  get awaitingAck(): boolean {
    return this.#retransmit?.active ?? false;
  }

  #stopRetransmit(): void {
    this.#retransmit?.stop();
    this.#retransmit = undefined;
  }

  #build(method: string, seq: number, options: InDialogRequestOptions): SipRequest {
    const { uri, routes } = inDialogRouting(this.#routeSet, this.#remoteTarget);
    const h = new Headers();
    for (const route of routes) h.append('Route', route);
    h.append('From', this.localParty);
    h.append('To', this.remoteParty);
    h.append('Call-ID', this.id.callId);
    h.append('CSeq', `${seq} ${method}`);
    const extra = options.headers ?? [];
    const ownContact = extra.some(([name]) => name.toLowerCase() === 'contact' || name.toLowerCase() === 'm');
    if (!ownContact && this.localContact !== undefined && TARGET_REFRESH.has(method)) {
      h.append('Contact', this.localContact);
    }
    for (const [name, value] of extra) h.append(name, value);
    if (options.contentType !== undefined) h.set('Content-Type', options.contentType);
    return new SipRequest(method, uri, h, options.body ?? Buffer.alloc(0));
  }
}

/** §12.1.1: "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the "secure" flag is set to TRUE." */
function isSecure(request: SipRequest): boolean {
  return request.uri.toLowerCase().startsWith('sips:');
}
