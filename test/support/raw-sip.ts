// Hand-built SIP over real loopback sockets, for tests that must send what no well-behaved stack
// would (garbage, truncated or header-less requests, floods): messages are plain text, answers are
// read back with our own parser.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DigestClient, makeResponse, parseMessage, serializeMessage, StreamFramer, type SipMessage, type SipRequest, type SipResponse } from '../../src/sip/index.ts';

export type RawTransport = 'udp' | 'tcp';

/** What {@link sipRequest} writes; every header can be left out or overridden, for bad input. */
export interface RequestSpec {
  readonly method: string;
  /** Request-URI; default `sip:<to user>@<domain>`. */
  readonly uri?: string;
  readonly user?: string;
  readonly toUser?: string;
  readonly domain?: string;
  readonly callId?: string;
  readonly cseq?: number;
  /** CSeq method; default `method`. */
  readonly cseqMethod?: string;
  readonly branch?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  /** Header names (any case) not to write. */
  readonly omit?: readonly string[];
  /** Extra header lines, written after the standard ones. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
  /** Content-Length to announce instead of the body's length. */
  readonly contentLength?: number;
}

/** Where a raw client sits: its Via sent-by and transport. */
export interface LocalEnd {
  readonly transport: RawTransport;
  readonly port: number;
}

/** A request as text, plus what identifies its answers. */
export interface BuiltRequest {
  readonly text: string;
  readonly callId: string;
  readonly branch: string;
  readonly cseq: number;
  readonly fromTag: string;
}

export const newCallId = (): string => `raw-${randomBytes(8).toString('hex')}@127.0.0.1`;
export const newBranch = (): string => `z9hG4bK${randomBytes(6).toString('hex')}`;

/** Writes a request by hand (CRLF line ends); the defaults make a valid out-of-dialog request. */
export function sipRequest(spec: RequestSpec, local: LocalEnd): BuiltRequest {
  const domain = spec.domain ?? '127.0.0.1';
  const user = spec.user ?? 'tester';
  const toUser = spec.toUser ?? 'switch';
  const callId = spec.callId ?? newCallId();
  const branch = spec.branch ?? newBranch();
  const cseq = spec.cseq ?? 1;
  const fromTag = spec.fromTag ?? randomBytes(4).toString('hex');
  const body = spec.body ?? '';
  const omit = new Set((spec.omit ?? []).map((n) => n.toLowerCase()));
  const lines: [string, string][] = [
    ['Via', `SIP/2.0/${local.transport.toUpperCase()} 127.0.0.1:${local.port};branch=${branch};rport`],
    ['Max-Forwards', '70'],
    ['From', `<sip:${user}@${domain}>;tag=${fromTag}`],
    ['To', `<sip:${toUser}@${domain}>${spec.toTag !== undefined ? `;tag=${spec.toTag}` : ''}`],
    ['Call-ID', callId],
    ['CSeq', `${cseq} ${spec.cseqMethod ?? spec.method}`],
    ['Contact', `<sip:${user}@127.0.0.1:${local.port}${local.transport === 'tcp' ? ';transport=tcp' : ''}>`],
    ...(spec.headers ?? []).map(([n, v]): [string, string] => [n, v]),
    ['Content-Length', String(spec.contentLength ?? Buffer.byteLength(body))],
  ];
  const head = [`${spec.method} ${spec.uri ?? `sip:${toUser}@${domain}`} SIP/2.0`, ...lines.filter(([n]) => !omit.has(n.toLowerCase())).map(([n, v]) => `${n}: ${v}`)];
  return { text: `${head.join('\r\n')}\r\n\r\n${body}`, callId, branch, cseq, fromTag };
}

/** RFC 3261 §17.1.1.3: the ACK of a non-2xx final response (same branch, CSeq number, To tag). */
export function ackFor(request: BuiltRequest, response: SipResponse, local: LocalEnd, uri: string): string {
  const lines = [
    `ACK ${uri} SIP/2.0`,
    `Via: SIP/2.0/${local.transport.toUpperCase()} 127.0.0.1:${local.port};branch=${request.branch};rport`,
    'Max-Forwards: 70',
    `From: ${response.headers.get('From') ?? ''}`,
    `To: ${response.headers.get('To') ?? ''}`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq} ACK`,
    'Content-Length: 0',
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A minimal PCMA offer (RFC 4566), enough for the switch to answer. */
export function sdpOffer(port = 40000): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 8 101`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** The Proxy-Authorization answering a 407 (MD5 or SHA-256, whichever the challenge prefers). */
export function proxyAuthorization(client: DigestClient, challenge: SipResponse, method: string, uri: string, username: string, password: string): string {
  return client.respond({ method, uri, challengeHeader: challenge.headers.getAll('Proxy-Authenticate'), username, password });
}

/** Header names of a response, lower-cased, sorted, one entry per name (to compare answers). */
export function headerNames(message: SipMessage): string[] {
  return [...new Set([...message.headers.entries()].map((e) => e.name.toLowerCase()))].sort();
}

/** Matches the responses to `request`: same Call-ID, and the CSeq method when `method` is given. */
export function answers(request: Pick<BuiltRequest, 'callId'>, method?: string): (m: SipMessage) => m is SipResponse {
  return (m): m is SipResponse =>
    m.kind === 'response' && m.callId === request.callId && (method === undefined || (m.headers.get('CSeq') ?? '').toUpperCase().endsWith(` ${method.toUpperCase()}`));
}

/** A final (non-1xx) response. */
export const isFinal = (m: SipResponse): boolean => m.status >= 200;

/**
 * A raw SIP peer: parses everything the switch sends into an inbox that tests wait on. Messages
 * that do not parse are counted, not thrown.
 */
abstract class RawPeer {
  readonly inbox: SipMessage[] = [];
  unparseable = 0;
  #waiters: (() => void)[] = [];

  abstract readonly local: LocalEnd;
  abstract send(data: string | Buffer): Promise<void>;
  abstract close(): Promise<void>;

  protected deliver(message: SipMessage): void {
    this.inbox.push(message);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Takes the first message (already received or to come) matching `match`; undefined after `ms`. */
  async take<T extends SipMessage>(match: (m: SipMessage) => m is T, ms?: number): Promise<T | undefined>;
  async take(match: (m: SipMessage) => boolean, ms?: number): Promise<SipMessage | undefined>;
  async take(match: (m: SipMessage) => boolean, ms = 3000): Promise<SipMessage | undefined> {
    const until = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      const left = until - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.push(done);
      });
    }
  }

  /** Sends a request and returns the first final response to it (ACKing an INVITE's non-2xx). */
  async final(request: BuiltRequest, method: string, ms = 3000, ackUri?: string): Promise<SipResponse | undefined> {
    await this.send(request.text);
    return this.finalOf(request, method, ms, ackUri);
  }

  /** The first final response to an already sent request (ACKing an INVITE's non-2xx). */
  async finalOf(request: BuiltRequest, method: string, ms = 3000, ackUri?: string): Promise<SipResponse | undefined> {
    const match = answers(request, method);
    const response = await this.take((m): m is SipResponse => match(m) && isFinal(m), ms);
    if (response !== undefined && method === 'INVITE' && response.status >= 300) {
      await this.send(ackFor(request, response, this.local, ackUri ?? 'sip:switch@127.0.0.1'));
    }
    return response;
  }

  /** Drops every message received so far. */
  clear(): void {
    this.inbox.length = 0;
  }
}

/** A UDP socket on 127.0.0.1 sending datagrams to one port. */
export class RawUdpPeer extends RawPeer {
  readonly local: LocalEnd;
  readonly #socket: UdpSocket;
  readonly #remotePort: number;
  #closed = false;

  private constructor(socket: UdpSocket, remotePort: number) {
    super();
    this.#socket = socket;
    this.#remotePort = remotePort;
    this.local = { transport: 'udp', port: socket.address().port };
    socket.on('message', (data) => {
      try {
        this.deliver(parseMessage(data));
      } catch {
        this.unparseable++;
      }
    });
    socket.on('error', () => {});
  }

  static open(remotePort: number): Promise<RawUdpPeer> {
    const socket = createSocket('udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve(new RawUdpPeer(socket, remotePort));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(typeof data === 'string' ? Buffer.from(data) : data, this.#remotePort, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

/** A TCP connection to 127.0.0.1; `ended` settles when the switch (or we) closed it. */
export class RawTcpPeer extends RawPeer {
  readonly local: LocalEnd;
  readonly ended: Promise<void>;
  readonly #socket: TcpSocket;
  readonly #framer = new StreamFramer();
  #closed = false;

  private constructor(socket: TcpSocket) {
    super();
    this.#socket = socket;
    this.local = { transport: 'tcp', port: socket.localPort ?? 0 };
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk) => {
      for (const item of this.#framer.push(chunk)) {
        if (item.kind === 'message') this.deliver(item.message);
        else if (item.kind === 'invalid' || item.kind === 'error') this.unparseable++;
      }
    });
    socket.on('error', () => {});
  }

  static open(remotePort: number): Promise<RawTcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: remotePort, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawTcpPeer(socket));
      });
    });
  }

  /** True once the connection is closed, by either side. */
  get closed(): boolean {
    return this.#closed || this.#socket.destroyed || this.#socket.readyState === 'closed';
  }

  send(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.write(typeof data === 'string' ? Buffer.from(data) : data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes `data` in pieces of `size` bytes, yielding to the event loop between them (separate segments). */
  async sendInPieces(data: string, size: number, gapMs = 2): Promise<number> {
    const bytes = Buffer.from(data);
    let pieces = 0;
    for (let i = 0; i < bytes.length; i += size) {
      await this.send(bytes.subarray(i, i + size));
      pieces++;
      await new Promise((r) => setTimeout(r, gapMs));
    }
    return pieces;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#socket.destroy();
    }
    return this.ended;
  }
}

export type RawPeerType = RawUdpPeer | RawTcpPeer;

/** A response to a received request, as text (RFC 3261 §8.2.6), e.g. a raw phone answering the switch. */
export function responseTo(request: SipRequest, status: number, options: { toTag?: string; contact?: string; sdp?: string } = {}): string {
  const response = makeResponse(request, status, undefined, {
    ...(options.toTag !== undefined ? { toTag: options.toTag } : {}),
    headers: options.contact !== undefined ? [['Contact', options.contact]] : [],
    ...(options.sdp !== undefined ? { body: Buffer.from(options.sdp), contentType: 'application/sdp' } : {}),
  });
  return serializeMessage(response).toString('utf8');
}

/** The URI inside a Contact (or To/From) value: `<sip:x@h:p;transport=tcp>;expires=3` → `sip:x@h:p;transport=tcp`. */
export function uriOf(nameAddr: string): string {
  return /<([^>]*)>/.exec(nameAddr)?.[1] ?? nameAddr.split(';')[0]?.trim() ?? nameAddr;
}
