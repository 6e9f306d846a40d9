import { ClosedError, asError, randomHex, silentLogger } from '../../lib/index.ts';
import type { Clock, Logger } from '../../lib/index.ts';
import { BRANCH_MAGIC, getTag, makeResponse } from '../message/index.ts';
import type { Endpoint, MakeResponseOptions, SipRequest, SipResponse, TransportProtocol } from '../message/index.ts';
import { TransportError, nextHop, topVia } from '../transport/index.ts';
import type { TransportLayer } from '../transport/index.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { InviteServerTransaction } from './invite-server-transaction.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import { timerSettings } from './timer-settings.ts';
import type { TimerSettings } from './timer-settings.ts';
import { clientKey, cseqOf, serverKey } from './transaction-key.ts';
import type { TransactionContext } from './transaction.ts';

/** Either client transaction. */
export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
/** Either server transaction. */
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** The transaction user: the one owner that decides what to do with new requests (RFC 3261 §17). */
export interface TransactionUser {
  /** A request that created a server transaction (anything but ACK and CANCEL); respond through it. */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /** An ACK no transaction absorbed: the ACK for a 2xx (§13.3.1.4, RFC 6026 §7.1). */
  onStrayAck?(ack: SipRequest): void;
  /** A 2xx to INVITE no client transaction matched (after Timer M): the TU re-ACKs or BYEs it. */
  onStray2xx?(response: SipResponse): void;
  /**
   * Asked before a new request creates a server transaction; false drops it silently (no 100
   * Trying, no state) — flood control, where answering would only amplify the flood.
   */
  admit?(request: SipRequest): boolean;
}

/** Options of a {@link TransactionLayer}. */
export interface TransactionLayerOptions {
  readonly transport: TransportLayer;
  readonly clock: Clock;
  readonly timers?: Partial<TimerSettings>;
  readonly logger?: Logger;
  readonly user?: TransactionUser;
}

/** Options of {@link TransactionLayer.sendRequest}. */
export interface SendRequestOptions {
  /** Send here instead of the hop the Route set or Request-URI designates (§8.1.2). */
  readonly destination?: Endpoint;
}

/**
 * RFC 3261 §17 over a {@link TransportLayer}: creates client transactions for outgoing requests
 * (adding the Via with a fresh branch and `rport`, RFC 3581 §3), matches responses to them
 * (§17.1.3), matches requests to server transactions (§17.2.3) or creates them for the TU, answers
 * CANCEL (§9.2) and passes 2xx ACKs and stray 2xx responses up.
 */
export class TransactionLayer {
  user: TransactionUser | undefined;
  readonly timers: TimerSettings;
  readonly #transport: TransportLayer;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  /** Requests refused by the user's `admit` check. */
  readonly stats = { refused: 0 };
  readonly #unsubscribe: (() => void)[];
  #closed = false;

  constructor(options: TransactionLayerOptions) {
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.timers = timerSettings(options.timers);
    this.#log = options.logger ?? silentLogger;
    this.user = options.user;
    this.#unsubscribe = [
      this.#transport.on('request', (request) => this.#receiveRequest(request)),
      this.#transport.on('response', (response) => this.#receiveResponse(response)),
    ];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live client transactions (diagnostics, leak checks). */
  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * Client transactions still waiting for their final response. Those that have one linger only to
   * absorb retransmissions (Timer D, K, M) and need not be waited for at shutdown.
   */
  get pendingClientCount(): number {
    let n = 0;
    for (const tx of this.#clients.values()) if (tx.state === 'calling' || tx.state === 'trying' || tx.state === 'proceeding') n++;
    return n;
  }

  /** Live server transactions (diagnostics, leak checks). */
  get serverCount(): number {
    return this.#servers.size;
  }

  /**
   * Sends an INVITE in a new INVITE client transaction (§17.1.1) and returns it, started. Adds the
   * Via and Max-Forwards as {@link sendRequest} does.
   */
  sendInvite(invite: SipRequest, options: SendRequestOptions = {}): InviteClientTransaction {
    if (invite.method !== 'INVITE') throw new TransportError('bad_method', 'sendInvite needs an INVITE');
    return this.#start(invite, options) as InviteClientTransaction;
  }

  /**
   * Sends a non-INVITE request in a new client transaction (§17.1.2) and returns it, started. A Via
   * with a fresh branch and `rport` is put on top, except on a CANCEL that already carries the
   * INVITE's Via (§9.1). Max-Forwards 70 is added when missing (§8.1.1.6). INVITE goes through
   * {@link sendInvite}; ACK for a 2xx through {@link sendAck}.
   */
  sendRequest(request: SipRequest, options: SendRequestOptions = {}): NonInviteClientTransaction {
    if (request.method === 'INVITE') throw new TransportError('bad_method', 'send INVITE with sendInvite');
    if (request.method === 'ACK') throw new TransportError('bad_method', 'an ACK has no client transaction; use sendAck');
    return this.#start(request, options) as NonInviteClientTransaction;
  }

  /**
   * Sends an ACK for a 2xx outside any transaction: "The ACK ... is passed directly to the
   * transport layer" (§13.2.2.4). A copy is sent, with its own Via branch, so the same ACK can be
   * passed again for each retransmitted 2xx. Resolves when handed to the socket.
   */
  async sendAck(original: SipRequest, options: SendRequestOptions = {}): Promise<void> {
    if (this.#closed) throw new ClosedError('transaction layer');
    const ack = original.clone();
    const hop = options.destination ?? nextHop(ack);
    const protocol = 'protocol' in hop ? hop.protocol : hop.transport;
    this.#addVia(ack, protocol);
    if (!ack.headers.has('Max-Forwards')) ack.headers.append('Max-Forwards', '70');
    const destination = 'protocol' in hop ? this.#transport.endpoint(hop.protocol, hop.host, hop.port) : hop;
    await this.#transport.send(ack, destination instanceof Promise ? await destination : destination);
  }

  /**
   * Responds to a request through its server transaction (which discards what its state forbids),
   * or statelessly (§18.2.2) when that transaction is gone, e.g. a 2xx retransmission after Timer L.
   */
  respond(request: SipRequest, status: number, reason?: string, options?: MakeResponseOptions): SipResponse {
    const response = makeResponse(request, status, reason, options);
    const tx = this.findServerTransaction(request);
    if (tx !== undefined) tx.respond(response);
    else this.sendResponse(response, request.source).catch((error: unknown) => this.#log.debug({ err: error }, 'stateless response failed'));
    return response;
  }

  /** Sends a response statelessly per §18.2.2 (the UAS core's 2xx retransmissions, §13.3.1.4). */
  sendResponse(response: SipResponse, requestSource?: Endpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('transaction layer'));
    return this.#transport.sendResponse(response, requestSource);
  }

  /** The live server transaction a request belongs to (an ACK finds its INVITE's), if any. */
  findServerTransaction(request: SipRequest): ServerTransaction | undefined {
    const via = topVia(request.headers);
    const key = via === undefined ? undefined : serverKey(request, via);
    return key === undefined ? undefined : this.#servers.get(key);
  }

  /** Terminates every transaction and stops listening to the transport layer; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    for (const tx of [...this.#clients.values(), ...this.#servers.values()]) {
      tx.terminate();
      tx.removeAllListeners();
    }
    this.#clients.clear();
    this.#servers.clear();
  }

  /** Creates, files and starts a client transaction (once the destination is known). */
  #start(request: SipRequest, options: SendRequestOptions): ClientTransaction {
    if (this.#closed) throw new ClosedError('transaction layer');
    const hop = options.destination ?? nextHop(request);
    const protocol = 'protocol' in hop ? hop.protocol : hop.transport;
    const existing = request.method === 'CANCEL' ? topVia(request.headers) : undefined;
    const branch = existing?.params['branch'] ?? this.#addVia(request, protocol);
    if (!request.headers.has('Max-Forwards')) request.headers.append('Max-Forwards', '70');
    const id = clientKey(branch, request.method);
    if (this.#clients.has(id)) throw new TransportError('duplicate_transaction', `a client transaction ${id} exists`);
    let destination: Endpoint | undefined = 'protocol' in hop ? undefined : hop;
    const tx: ClientTransaction = request.method === 'INVITE'
      ? new InviteClientTransaction(id, request, this.#context(protocol, (m) => this.#sendTo(m, destination, tx)))
      : new NonInviteClientTransaction(id, request, this.#context(protocol, (m) => this.#sendTo(m, destination, tx)));
    this.#clients.set(id, tx);
    tx.onTerminated(() => this.#clients.delete(id));
    if (destination !== undefined) {
      tx.start();
      return tx;
    }
    const resolved = 'protocol' in hop ? this.#transport.endpoint(hop.protocol, hop.host, hop.port) : hop;
    if (resolved instanceof Promise) {
      resolved.then(
        (endpoint) => {
          destination = endpoint;
          if (!tx.terminated) tx.start();
        },
        (error: unknown) => tx.transportError(asError(error)),
      );
    } else {
      destination = resolved;
      tx.start();
    }
    return tx;
  }

  /** Puts our Via on top (§8.1.1.7, RFC 3581 §3) and returns its branch. */
  #addVia(request: SipRequest, protocol: TransportProtocol): string {
    const sentBy = this.#transport.sentBy(protocol);
    const branch = BRANCH_MAGIC + randomHex(8);
    request.headers.prepend('Via', `SIP/2.0/${protocol.toUpperCase()} ${sentBy.host}:${sentBy.port};branch=${branch};rport`);
    return branch;
  }

  #context(protocol: TransportProtocol, send: TransactionContext['send']): TransactionContext {
    return { clock: this.#clock, timers: this.timers, logger: this.#log, reliable: this.#transport.isReliable(protocol), send };
  }

  #sendTo(message: SipRequest | SipResponse, destination: Endpoint | undefined, tx: ClientTransaction): void {
    if (destination === undefined) return;
    this.#transport.send(message, destination).catch((error: unknown) => tx.transportError(asError(error)));
  }

  #receiveResponse(response: SipResponse): void {
    const branch = topVia(response.headers)?.params['branch'];
    const cseq = cseqOf(response);
    if (typeof branch !== 'string' || cseq === undefined) return;
    const tx = this.#clients.get(clientKey(branch, cseq.method));
    if (tx !== undefined) {
      tx.receiveResponse(response);
      return;
    }
    if (cseq.method === 'INVITE' && response.status >= 200 && response.status < 300) {
      this.#callUser('onStray2xx', () => this.user?.onStray2xx?.(response));
      return;
    }
    this.#log.debug({ status: response.status, branch }, 'response matches no transaction');
  }

  #receiveRequest(request: SipRequest): void {
    const via = topVia(request.headers);
    const key = via === undefined ? undefined : serverKey(request, via);
    if (via === undefined || key === undefined) return;
    const existing = this.#servers.get(key);
    if (request.method === 'ACK') {
      const absorbed = existing?.kind === 'invite-server' && existing.receiveRequest(request);
      if (!absorbed) this.#callUser('onStrayAck', () => this.user?.onStrayAck?.(request));
      return;
    }
    if (existing !== undefined) {
      existing.receiveRequest(request);
      return;
    }
    if (request.method !== 'CANCEL' && this.user?.admit !== undefined && !this.user.admit(request)) {
      // Dropped before any transaction exists: no 100 Trying, no state (flood control).
      this.stats.refused++;
      return;
    }
    const tx = this.#createServer(key, request);
    if (request.method === 'CANCEL') {
      this.#cancel(request, tx, serverKey(request, via, 'INVITE'));
      return;
    }
    const user = this.user;
    if (user === undefined) {
      tx.respond(makeResponse(request, 500, 'No Transaction User', { toTag: randomHex(4) }));
      return;
    }
    try {
      user.onRequest(request, tx);
    } catch (error) {
      this.#log.error({ err: error, method: request.method }, 'transaction user threw on a request');
      if (tx.finalResponse === undefined && !tx.terminated) tx.respond(makeResponse(request, 500, undefined, { toTag: randomHex(4) }));
    }
  }

  #createServer(key: string, request: SipRequest): ServerTransaction {
    const source = request.source;
    const protocol = source?.transport ?? 'udp';
    let tx: ServerTransaction | undefined;
    const send: TransactionContext['send'] = (message) => {
      if (message.kind !== 'response') return;
      this.#transport.sendResponse(message, source).catch((error: unknown) => tx?.transportError(asError(error)));
    };
    const ctx = this.#context(protocol, send);
    const created = request.method === 'INVITE' ? new InviteServerTransaction(key, request, ctx) : new NonInviteServerTransaction(key, request, ctx);
    tx = created;
    this.#servers.set(key, created);
    created.onTerminated(() => this.#servers.delete(key));
    if (created.kind === 'invite-server') created.start();
    return created;
  }

  /**
   * §9.2: "If the UAS did not find a matching transaction for the CANCEL ... it SHOULD respond to
   * the CANCEL with a 481"; otherwise it answers the CANCEL with 200 itself and, while the INVITE is
   * still Proceeding, tells the TU, which "SHOULD then respond to the INVITE with a 487". Without a
   * `cancel` listener the layer sends that 487.
   */
  #cancel(cancel: SipRequest, cancelTx: ServerTransaction, inviteKey: string | undefined): void {
    const invite = inviteKey === undefined ? undefined : this.#servers.get(inviteKey);
    if (invite?.kind !== 'invite-server') {
      cancelTx.respond(makeResponse(cancel, 481, undefined, { toTag: randomHex(4) }));
      return;
    }
    const toTag = getTag(invite.lastProvisional?.headers.get('To') ?? '') ?? randomHex(4);
    cancelTx.respond(makeResponse(cancel, 200, undefined, { toTag }));
    if (invite.listenerCount('cancel') === 0) {
      if (invite.state === 'proceeding') invite.respond(makeResponse(invite.request, 487, undefined, { toTag }));
      return;
    }
    invite.receiveCancel(cancel);
  }

  #callUser(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#log.error({ err: error, what }, 'transaction user threw');
    }
  }
}
