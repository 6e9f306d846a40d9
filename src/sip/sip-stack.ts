import { ClosedError, SystemClock, randomHex, silentLogger } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { getTag, makeResponse } from './message/index.ts';
import type { Endpoint, MakeResponseOptions, SipRequest, SipResponse } from './message/index.ts';
import { TcpTransport, TransportLayer, UdpTransport } from './transport/index.ts';
import type { Transport } from './transport/index.ts';
import { TransactionLayer, cseqOf } from './transaction/index.ts';
import type { InviteClientTransaction, NonInviteClientTransaction, ServerTransaction, TimerSettings } from './transaction/index.ts';
import { DialogError, DialogStore } from './dialog/index.ts';
import type { Dialog, InDialogRequestOptions } from './dialog/index.ts';
import { OutgoingInvite } from './outgoing-invite.ts';
import type { OutgoingInviteOptions } from './outgoing-invite.ts';

/** The application above the stack (B2BUA, registrar): the one owner of new requests. */
export interface SipStackUser {
  /** A request outside any dialog; respond with {@link SipStack.respond} (or through the transaction). */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /** A request in a known dialog that passed §12.2.2. Without this handler: 200 to BYE, 501 otherwise. */
  onDialogRequest?(request: SipRequest, transaction: ServerTransaction, dialog: Dialog): void;
  /** The ACK of a dialog's 2xx (its retransmission is already stopped). */
  onAck?(ack: SipRequest, dialog: Dialog): void;
  /** A 2xx to INVITE matching no transaction and no dialog (§13.2.2.4: ACK it and BYE it). */
  onStray2xx?(response: SipResponse): void;
  /** Asked before a new request gets a transaction; false drops it silently (flood control). */
  admit?(request: SipRequest): boolean;
}

/** Options of a {@link SipStack}. */
export interface SipStackOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly timers?: Partial<TimerSettings>;
  /** Domain-name resolution for the transport layer (A/AAAA; no RFC 3263). */
  readonly resolve?: (host: string) => Promise<string>;
  readonly user?: SipStackUser;
}

/** Where {@link SipStack.listen} binds one protocol. */
export interface ListenSpec {
  readonly address?: string;
  readonly port?: number;
  /** Via sent-by host and port, when bound to a wildcard address or behind NAT. */
  readonly advertise?: { readonly host: string; readonly port?: number };
}

/** Options of {@link SipStack.listen}. */
export interface SipStackListenOptions extends SipStackOptions {
  readonly udp?: ListenSpec | false;
  readonly tcp?: (ListenSpec & { readonly idleTimeoutMs?: number; readonly maxMessageSize?: number }) | false;
}

/** Options of {@link SipStack.respond}. */
export interface RespondOptions extends MakeResponseOptions {
  /** Contact for target refresh requests in the dialog this response creates. */
  readonly localContact?: string;
}

/**
 * The SIP stack: transport layer (§18), transaction layer (§17) and the UA core's dialog handling
 * (§12, §13) joined together. Routes in-dialog requests to their dialog (481 when unknown, 500 for
 * an out-of-order CSeq), creates dialogs from the responses the application sends or receives,
 * retransmits INVITE 2xx until the ACK (§13.3.1.4) and ACKs every 2xx received (§13.2.2.4).
 */
export class SipStack {
  readonly clock: Clock;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly dialogs = new DialogStore();
  user: SipStackUser | undefined;
  readonly #log: Logger;
  readonly #toTags = new WeakMap<ServerTransaction, string>();
  /** Out-of-dialog server transactions by Call-ID, From tag and CSeq (merged-request check). */
  readonly #ongoing = new Map<string, ServerTransaction>();
  #closed = false;

  constructor(options: SipStackOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.#log = options.logger ?? silentLogger;
    this.user = options.user;
    this.transport = new TransportLayer({ logger: this.#log, ...(options.resolve === undefined ? {} : { resolve: options.resolve }) });
    this.transactions = new TransactionLayer({
      transport: this.transport,
      clock: this.clock,
      logger: this.#log,
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      user: {
        onRequest: (request, tx) => this.#request(request, tx),
        onStrayAck: (ack) => this.#ack(ack),
        onStray2xx: (response) => this.#stray2xx(response),
        admit: (request) => this.user?.admit?.(request) ?? true,
      },
    });
  }

  /** A stack listening on UDP and/or TCP (default: UDP only, 0.0.0.0, port 0). */
  static async listen(options: SipStackListenOptions = {}): Promise<SipStack> {
    const stack = new SipStack(options);
    try {
      const udp = options.udp ?? {};
      if (udp !== false) {
        const t = await UdpTransport.listen({ ...spec(udp) });
        stack.addTransport(t, udp.advertise);
      }
      const tcp = options.tcp ?? false;
      if (tcp !== false) {
        const t = await TcpTransport.listen({
          ...spec(tcp),
          clock: stack.clock,
          ...(tcp.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: tcp.idleTimeoutMs }),
          ...(tcp.maxMessageSize === undefined ? {} : { maxMessageSize: tcp.maxMessageSize }),
        });
        stack.addTransport(t, tcp.advertise);
      }
    } catch (error) {
      stack.close();
      throw error;
    }
    return stack;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get timers(): TimerSettings {
    return this.transactions.timers;
  }

  /** Adds a transport (the stack owns and closes it). */
  addTransport(transport: Transport, advertise?: { host: string; port?: number }): void {
    if (this.#closed) throw new ClosedError('SIP stack');
    this.transport.add(transport, advertise === undefined ? {} : { advertise });
  }

  /** Sends an INVITE outside a dialog and follows it to its dialogs (§13.2). */
  invite(request: SipRequest, options: OutgoingInviteOptions = {}): OutgoingInvite {
    if (this.#closed) throw new ClosedError('SIP stack');
    return new OutgoingInvite(this.transactions, this.dialogs, request, options, this.#log);
  }

  /** Sends a non-INVITE request outside any dialog (OPTIONS, REGISTER, MESSAGE...). */
  sendRequest(request: SipRequest, options: { destination?: Endpoint } = {}): NonInviteClientTransaction {
    if (this.#closed) throw new ClosedError('SIP stack');
    return this.transactions.sendRequest(request, options);
  }

  /**
   * Sends a non-INVITE request within a dialog (§12.2.1: BYE, INFO, UPDATE, REFER...) and applies
   * its final response to the dialog (§12.2.1.2). A re-INVITE goes through {@link reinvite}.
   */
  request(dialog: Dialog, method: string, options: InDialogRequestOptions = {}): NonInviteClientTransaction {
    if (this.#closed) throw new ClosedError('SIP stack');
    if (method.toUpperCase() === 'INVITE') throw new DialogError('use_reinvite', 'send a re-INVITE with reinvite()');
    const tx = this.transactions.sendRequest(dialog.createRequest(method, options));
    tx.on('final', (response) => dialog.receiveResponse(response));
    return tx;
  }

  /** Sends a re-INVITE in the dialog (§14.1), applies its response and ACKs its 2xx (§13.2.2.4). */
  reinvite(dialog: Dialog, options: InDialogRequestOptions = {}): InviteClientTransaction {
    if (this.#closed) throw new ClosedError('SIP stack');
    const request = dialog.createRequest('INVITE', options);
    const tx = this.transactions.sendInvite(request);
    const onFinal = (response: SipResponse): void => {
      dialog.receiveResponse(response);
      if (response.status >= 200 && response.status < 300 && !dialog.terminated) {
        this.transactions.sendAck(dialog.createAck({ invite: request })).catch((e: unknown) => this.#log.warn({ err: e }, 'ACK not sent'));
      }
    };
    tx.on('final', onFinal);
    tx.on('additional2xx', (response) => {
      if (dialog.lastAck !== undefined) this.transactions.sendAck(dialog.lastAck).catch(() => {});
      dialog.receiveResponse(response);
    });
    return tx;
  }

  /**
   * Responds to a request through its server transaction. For an INVITE, a 101-299 response gets
   * the To tag this transaction uses (generated once) and creates or confirms the dialog (§12.1.1);
   * a 2xx is then retransmitted until the ACK (§13.3.1.4); a 3xx-6xx ends the early dialog.
   * Returns the response and the dialog it belongs to, if any; once the transaction has its final
   * response (or ended) nothing is sent and `sent` is false.
   */
  respond(transaction: ServerTransaction, status: number, reason?: string, options: RespondOptions = {}): { response: SipResponse; dialog: Dialog | undefined; sent: boolean } {
    const request = transaction.request;
    const toTag = options.toTag ?? (status > 100 ? this.#toTag(transaction) : undefined);
    const response = makeResponse(request, status, reason, { ...options, ...(toTag === undefined ? {} : { toTag }) });
    if (transaction.terminated || transaction.finalResponse !== undefined) {
      this.#log.debug({ status, callId: request.callId }, 'response after the final one not sent');
      return { response, dialog: undefined, sent: false };
    }
    const { localContact } = options;
    if (localContact !== undefined && status >= 101 && status < 300 && !response.headers.has('Contact')) {
      response.headers.append('Contact', localContact);
    }
    let dialog: Dialog | undefined;
    if (request.method === 'INVITE') {
      try {
        dialog = this.dialogs.findForRequest(request) ?? this.dialogs.uasResponse(request, response, localContact === undefined ? {} : { localContact });
      } catch (error) {
        this.#log.warn({ err: error, callId: request.callId }, 'response creates no dialog');
      }
    }
    transaction.respond(response);
    if (dialog?.state === 'early') {
      const early = dialog;
      transaction.onTerminated(() => {
        if (early.state === 'early') early.terminate();
      });
    }
    if (dialog !== undefined && request.method === 'INVITE' && status >= 200 && status < 300) {
      dialog.retransmit2xx({
        clock: this.clock,
        timers: this.timers,
        reliable: this.transport.isReliable(request.source?.transport ?? 'udp'),
        send: () => {
          if (!transaction.terminated && transaction.state === 'accepted') transaction.respond(response);
          else this.transactions.sendResponse(response, request.source).catch(() => {});
        },
      });
    }
    return { response, dialog, sent: true };
  }

  /** Closes transactions, dialogs (their timers) and transports; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.transactions.close();
    this.dialogs.close();
    this.transport.close();
  }

  #toTag(transaction: ServerTransaction): string {
    let tag = this.#toTags.get(transaction);
    if (tag === undefined) {
      tag = randomHex(6);
      this.#toTags.set(transaction, tag);
    }
    return tag;
  }

  /**
   * §8.2.2.2 merged requests: "If the From tag, Call-ID, and CSeq exactly match those associated
   * with an ongoing transaction, but the request does not match that transaction [...], the UAS
   * core SHOULD generate a 482 (Loop Detected) response" (the same request forked back to us).
   */
  #merged(request: SipRequest, tx: ServerTransaction): boolean {
    const key = `${request.callId}\u0000${getTag(request.headers.get('From') ?? '') ?? ''}\u0000${request.headers.get('CSeq') ?? ''}`;
    const ongoing = this.#ongoing.get(key);
    if (ongoing !== undefined && ongoing !== tx && !ongoing.terminated) {
      this.respond(tx, 482);
      return true;
    }
    this.#ongoing.set(key, tx);
    tx.onTerminated(() => {
      if (this.#ongoing.get(key) === tx) this.#ongoing.delete(key);
    });
    return false;
  }

  #request(request: SipRequest, tx: ServerTransaction): void {
    if (getTag(request.headers.get('To') ?? '') === undefined) {
      if (this.#merged(request, tx)) return;
      if (this.user === undefined) this.respond(tx, 503, 'No Application');
      else this.user.onRequest(request, tx);
      return;
    }
    const dialog = this.dialogs.findForRequest(request);
    if (dialog === undefined) {
      // §12.2.2: "If the UAS wishes to reject the request because it does not wish to recreate
      // the dialog, it MUST respond to the request with a 481 (Call/Transaction Does Not Exist)".
      this.respond(tx, 481);
      return;
    }
    const check = dialog.receiveRequest(request);
    if (!check.ok) {
      this.respond(tx, check.status, check.reason);
      return;
    }
    if (this.user?.onDialogRequest !== undefined) this.user.onDialogRequest(request, tx, dialog);
    else this.respond(tx, request.method === 'BYE' ? 200 : 501);
  }

  #ack(ack: SipRequest): void {
    const dialog = this.dialogs.findForRequest(ack);
    if (dialog === undefined) {
      this.#log.debug({ callId: ack.callId }, 'ACK matches no dialog');
      return;
    }
    dialog.receiveRequest(ack);
    this.user?.onAck?.(ack, dialog);
  }

  #stray2xx(response: SipResponse): void {
    const dialog = this.dialogs.findForResponse(response);
    const ack = dialog?.lastAck;
    if (ack !== undefined && cseqOf(ack)?.seq === cseqOf(response)?.seq) {
      this.transactions.sendAck(ack).catch(() => {});
      return;
    }
    this.user?.onStray2xx?.(response);
  }
}

function spec(s: ListenSpec): { address?: string; port?: number } {
  return { ...(s.address === undefined ? {} : { address: s.address }), ...(s.port === undefined ? {} : { port: s.port }) };
}
