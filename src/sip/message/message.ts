import { Headers } from './headers.ts';

/** Methods this stack knows (RFC 3261 §27.4 plus RFC 3262, 3265, 3311, 3428, 3515, 6086). */
export const SIP_METHODS = [
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY',
  'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
] as const;
export type KnownMethod = (typeof SIP_METHODS)[number];

/** Where a message came from or goes to: the transport key used for §18.2.2 responses and NAT. */
export interface Endpoint {
  readonly transport: TransportProtocol;
  readonly address: string;
  readonly port: number;
  /** Connection-oriented transports: the connection the message arrived on. */
  readonly connectionId?: string;
}

export const TRANSPORT_PROTOCOLS = ['udp', 'tcp', 'tls', 'ws', 'wss'] as const;
export type TransportProtocol = (typeof TRANSPORT_PROTOCOLS)[number];

/** Common shape of requests and responses (RFC 3261 §7). */
abstract class SipMessageBase {
  readonly headers: Headers;
  body: Buffer;
  /** Set by the transport on received messages. */
  source?: Endpoint;

  constructor(headers: Headers, body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  /** The Call-ID header value. */
  get callId(): string {
    return this.headers.get('Call-ID') ?? '';
  }
}

/** A SIP request (RFC 3261 §7.1). `uri` is the Request-URI as text; parse it with `parseUri`. */
export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  method: string;
  uri: string;

  constructor(method: string, uri: string, headers: Headers = new Headers(), body: Buffer = Buffer.alloc(0)) {
    super(headers, body);
    this.method = method;
    this.uri = uri;
  }

  clone(): SipRequest {
    const copy = new SipRequest(this.method, this.uri, this.headers.clone(), Buffer.from(this.body));
    if (this.source !== undefined) copy.source = this.source;
    return copy;
  }
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers: Headers = new Headers(), body: Buffer = Buffer.alloc(0)) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }

  clone(): SipResponse {
    const copy = new SipResponse(this.status, this.reason, this.headers.clone(), Buffer.from(this.body));
    if (this.source !== undefined) copy.source = this.source;
    return copy;
  }
}

export type SipMessage = SipRequest | SipResponse;
