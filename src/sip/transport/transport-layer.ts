import { lookup } from 'node:dns/promises';
import { ClosedError, TypedEmitter, silentLogger } from '../../lib/index.ts';
import type { Logger } from '../../lib/index.ts';
import { SipRequest, makeResponse, parseMessage, parseVia, formatVia, serializeMessage } from '../message/index.ts';
import type { Endpoint, Headers, Params, SipMessage, SipResponse, TransportProtocol, Via } from '../message/index.ts';
import { defaultPort, isIpLiteral, sameHost, socketAddress, uriHost } from './address.ts';
import { TransportError } from './transport.ts';
import type { InboundPacket, Transport } from './transport.ts';

/** Events of the transport layer: parsed messages that passed the §18 receive checks. */
export type TransportLayerEvents = {
  request: [request: SipRequest];
  response: [response: SipResponse];
};

/** Options of a {@link TransportLayer}. */
export interface TransportLayerOptions {
  readonly logger?: Logger;
  /** Resolves a domain name to an address. RFC 3263 NAPTR/SRV is not done: A/AAAA lookup only. */
  readonly resolve?: (host: string) => Promise<string>;
}

/** How a transport is known to peers: the host and port put in Via sent-by (RFC 3261 §18.1.1). */
export interface SentBy {
  readonly host: string;
  readonly port: number;
}

/** Counters of what the transport layer received, sent and threw away. */
export interface TransportStats {
  received: number;
  sent: number;
  /** Messages that failed to parse or frame. */
  malformed: number;
  /** Malformed requests answered with a 400 (or the parser's status) built from the partial data. */
  answered: number;
  /** Messages dropped: unanswerable garbage, responses with a foreign sent-by, requests without Via. */
  dropped: number;
}

interface Binding {
  readonly transport: Transport;
  readonly sentBy: SentBy;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * RFC 3261 §18 over a set of transports: parses what arrives, stamps `received`/`rport` on the top
 * Via of requests (§18.2.1, RFC 3581 §4), drops responses not sent by us (§18.1.2), answers
 * unparseable requests with 400 when it can, and routes responses per §18.2.2 / RFC 3581.
 */
export class TransportLayer extends TypedEmitter<TransportLayerEvents> {
  readonly stats: TransportStats = { received: 0, sent: 0, malformed: 0, answered: 0, dropped: 0 };
  readonly #log: Logger;
  readonly #resolve: (host: string) => Promise<string>;
  readonly #bindings: Binding[] = [];
  #closed = false;

  constructor(options: TransportLayerOptions = {}) {
    super();
    this.#log = options.logger ?? silentLogger;
    this.#resolve = options.resolve ?? (async (host) => (await lookup(host)).address);
  }

  /** Takes ownership of a transport; `advertise` is the sent-by for Via (needed when bound to a wildcard). */
  add(transport: Transport, options: { advertise?: { host: string; port?: number } } = {}): void {
    if (this.#closed) throw new ClosedError('transport layer');
    const local = transport.local;
    const wildcard = WILDCARDS.has(local.address);
    if (wildcard && options.advertise === undefined) {
      this.#log.warn({ protocol: transport.protocol, port: local.port }, 'transport bound to a wildcard address without an advertised host: Via says 127.0.0.1');
    }
    const host = options.advertise?.host ?? (wildcard ? '127.0.0.1' : local.address);
    const sentBy: SentBy = { host: uriHost(host), port: options.advertise?.port ?? local.port };
    this.#bindings.push({ transport, sentBy });
    transport.on('message', (packet) => this.#receive(packet));
    transport.on('framingError', (error, source) => {
      this.stats.malformed++;
      this.#log.debug({ err: error, source }, 'stream framing error');
    });
    transport.on('error', (error) => this.#log.warn({ err: error }, 'transport error'));
  }

  /** Every transport, in the order added. */
  get transports(): readonly Transport[] {
    return this.#bindings.map((b) => b.transport);
  }

  /** The first transport of `protocol`, or undefined. */
  transportFor(protocol: TransportProtocol): Transport | undefined {
    return this.#binding(protocol)?.transport;
  }

  /** The Via sent-by of the first transport of `protocol`; throws when there is none. */
  sentBy(protocol: TransportProtocol): SentBy {
    const binding = this.#binding(protocol);
    if (binding === undefined) throw new TransportError('no_transport', `no ${protocol} transport`);
    return binding.sentBy;
  }

  /** True when messages of `protocol` go over a reliable transport (no retransmission timers). */
  isReliable(protocol: TransportProtocol): boolean {
    return this.#binding(protocol)?.transport.reliable ?? protocol !== 'udp';
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a message to an endpoint (§18.1.1 for requests). Runs synchronously up to the socket
   * call, so in-memory delivery stays deterministic under a fake clock.
   */
  send(message: SipMessage, destination: Endpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('transport layer'));
    const transport = this.transportFor(destination.transport);
    if (transport === undefined) return Promise.reject(new TransportError('no_transport', `no ${destination.transport} transport`));
    let data: Buffer;
    try {
      data = serializeMessage(message);
    } catch (error) {
      return Promise.reject(new TransportError('serialize_failed', 'cannot serialize message', { cause: error }));
    }
    this.stats.sent++;
    return transport.send(data, destination);
  }

  /** Sends a response where §18.2.2 and RFC 3581 §4 say, over the request's connection when open. */
  async sendResponse(response: SipResponse, requestSource?: Endpoint): Promise<void> {
    const destination = this.responseDestination(response, requestSource);
    if (destination instanceof Promise) return this.send(response, await destination);
    return this.send(response, destination);
  }

  /**
   * Where a response goes (§18.2.2): reliable — the connection the request came on if still open,
   * else `received` and the sent-by port; unreliable — `received` and `rport` (RFC 3581), else
   * `received` and the sent-by port, else the sent-by host and port. Multicast `maddr` is ignored.
   */
  responseDestination(response: SipResponse, requestSource?: Endpoint): Endpoint | Promise<Endpoint> {
    const via = topVia(response.headers);
    if (via === undefined) throw new TransportError('no_via', 'response has no usable Via');
    const protocol = via.transport.toLowerCase() as TransportProtocol;
    const transport = this.transportFor(protocol);
    if (
      requestSource?.connectionId !== undefined &&
      transport?.hasConnection?.(requestSource.connectionId) === true
    ) {
      return requestSource;
    }
    const received = via.params['received'] ?? undefined;
    const rport = Number(via.params['rport'] ?? NaN);
    const sentByPort = via.port ?? defaultPort(protocol);
    if (received !== undefined) {
      const port = transport?.reliable !== true && Number.isInteger(rport) && rport > 0 ? rport : sentByPort;
      return { transport: protocol, address: socketAddress(received), port };
    }
    return this.#endpoint(protocol, via.host, sentByPort);
  }

  /** Resolves host and port to an endpoint; synchronous for IP literals. */
  endpoint(protocol: TransportProtocol, host: string, port: number): Endpoint | Promise<Endpoint> {
    return this.#endpoint(protocol, host, port);
  }

  /** Closes every transport; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of this.#bindings) transport.close();
    this.#bindings.length = 0;
    this.removeAllListeners();
  }

  #endpoint(protocol: TransportProtocol, host: string, port: number): Endpoint | Promise<Endpoint> {
    if (isIpLiteral(host)) return { transport: protocol, address: socketAddress(host), port };
    return this.#resolve(host).then(
      (address) => ({ transport: protocol, address: socketAddress(address), port }),
      (error: unknown) => {
        throw new TransportError('dns_failed', `cannot resolve ${host}`, { cause: error });
      },
    );
  }

  #binding(protocol: TransportProtocol): Binding | undefined {
    return this.#bindings.find((b) => b.transport.protocol === protocol && !b.transport.closed);
  }

  #receive(packet: InboundPacket): void {
    if (this.#closed) return;
    this.stats.received++;
    const { data, source } = packet;
    if (packet.parseError !== undefined) {
      this.#malformed(packet.parseError, source);
      return;
    }
    let message: SipMessage;
    if (packet.message !== undefined) {
      message = packet.message;
    } else {
      if (isBlank(data)) return; // CRLF keep-alives on datagram transports (RFC 5626 §3.5.1)
      try {
        message = parseMessage(data);
      } catch (error) {
        this.#malformed(error, source);
        return;
      }
    }
    message.source = source;
    if (message.kind === 'request') {
      if (!stampVia(message.headers, source)) {
        this.stats.dropped++;
        return;
      }
      this.emit('request', message);
      return;
    }
    const via = topVia(message.headers);
    if (via === undefined || !this.#isOurs(via)) {
      // §18.1.2: "If the value of the "sent-by" parameter in that header field value does not
      // correspond to a value that the client transport is configured to insert into requests,
      // the response MUST be silently discarded."
      this.stats.dropped++;
      return;
    }
    this.emit('response', message);
  }

  #isOurs(via: Via): boolean {
    const port = via.port ?? defaultPort(via.transport);
    return this.#bindings.some((b) => sameHost(b.sentBy.host, via.host) && b.sentBy.port === port);
  }

  /** A message that did not parse: answer it when it is a request we can still reply to, else drop. */
  #malformed(error: unknown, source: Endpoint): void {
    this.stats.malformed++;
    const parseError = asParseError(error);
    const partial = parseError?.partial;
    const method = partial?.method;
    const headers = partial?.headers;
    const answerable =
      method !== undefined && method !== 'ACK' && headers !== undefined &&
      ['Via', 'From', 'To', 'Call-ID', 'CSeq'].every((name) => headers.has(name));
    if (!answerable || headers === undefined || !stampVia(headers, source)) {
      this.stats.dropped++;
      this.#log.debug({ err: error, source }, 'dropped unparseable message');
      return;
    }
    const request = new SipRequest(method, '', headers);
    request.source = source;
    const response = makeResponse(request, parseError?.status ?? 400, parseError?.reason);
    this.stats.answered++;
    this.sendResponse(response, source).catch((e: unknown) => this.#log.debug({ err: e }, 'could not answer malformed request'));
  }
}

/** The parsed top Via, or undefined when absent or malformed. */
export function topVia(headers: Headers): Via | undefined {
  const value = headers.get('Via');
  if (value === undefined) return undefined;
  try {
    return parseVia(value);
  } catch {
    return undefined;
  }
}

/**
 * §18.2.1: "If the host portion of the "sent-by" parameter contains a domain name, or if it
 * contains an IP address that differs from the packet source address, the server MUST add a
 * "received" parameter". RFC 3581 §4: with an empty `rport`, set it to the source port and add
 * `received` "even if it is identical to the value of the sent-by component". False without a Via.
 */
export function stampVia(headers: Headers, source: Endpoint): boolean {
  const via = topVia(headers);
  if (via === undefined) return false;
  const wantsRport = Object.hasOwn(via.params, 'rport') && via.params['rport'] === null;
  const claimed = via.params['received'];
  const differs = !isIpLiteral(via.host) || !sameHost(via.host, source.address) || (typeof claimed === 'string' && !sameHost(claimed, source.address));
  if (!differs && !wantsRport) return true;
  const params: Params = { ...via.params, received: socketAddress(source.address) };
  if (wantsRport) params['rport'] = String(source.port);
  headers.shift('Via');
  headers.prepend('Via', formatVia({ ...via, params }));
  return true;
}

function isBlank(data: Buffer): boolean {
  for (const byte of data) if (byte !== 13 && byte !== 10 && byte !== 32 && byte !== 9) return false;
  return true;
}

interface ParseErrorLike {
  readonly status?: number;
  readonly reason?: string;
  readonly partial?: { method?: string; headers?: Headers };
}

/** Narrows the parser's SipParseError by its code, without depending on the class identity. */
function asParseError(error: unknown): ParseErrorLike | undefined {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 'sip_parse_error') return undefined;
  return error as ParseErrorLike;
}
