import type { RemoteInfo, Socket } from 'node:dgram';
import { ClosedError, TypedEmitter, newUuid, silentLogger } from '../lib/index.ts';
import type { Clock, Logger } from '../lib/index.ts';
import { isPrivateAddress, isUnspecifiedAddress } from './address.ts';
import type { PortLease } from './port-pool.ts';
import { RtpSequencer } from './rtp-sequencer.ts';
import type { RtpOutput } from './rtp-source.ts';
import type { MediaDirection } from './sdp-model.ts';
import type { MediaFormat, RemoteMedia } from './sdp-offer-answer.ts';

/**
 * When the endpoint re-targets its remote to where packets really come from (symmetric RTP,
 * RFC 4961; "comedia"). `always`: after every SDP (initial and each re-INVITE) the first RTP packet
 * decides, once. `private`: the same, but only when the SDP address is private or unspecified (a
 * phone behind NAT). `off`: trust the SDP. Before any SDP, the first packet sets the remote unless
 * `off`. Packets from other sources are still accepted and relayed (RFC 3550 allows asymmetric
 * senders); only the send target moves.
 */
export const LATCHING_POLICIES = ['always', 'private', 'off'] as const;
export type LatchingPolicy = (typeof LATCHING_POLICIES)[number];

/** Live counters of one endpoint. */
export interface EndpointCounters {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  rtcpIn: number;
  rtcpOut: number;
  /** Datagrams that were not RTP/RTCP, or packets we had nowhere to send. */
  dropped: number;
  latches: number;
}

/** Receives every valid packet of an endpoint; must not keep or modify the buffer past the call. */
export type PacketReceiver = (packet: Buffer, rtcp: boolean) => void;

/** Where to send, as read from SDP; RTCP defaults to the next port (RFC 3550 §11). */
export interface RemoteTarget {
  address: string;
  port: number;
  rtcpAddress?: string;
  rtcpPort?: number;
  rtcpMux?: boolean;
  /**
   * The direction the peer declared for its own stream (RFC 3264 §6.1), a `c=0.0.0.0` hold read as
   * sendonly (RFC 3264 §8.4); default sendrecv. Anything else allows the peer to stay silent.
   */
  direction?: MediaDirection;
}

/** Options of a {@link MediaEndpoint}. */
export interface MediaEndpointOptions {
  lease: PortLease;
  clock: Clock;
  /** Address written in our SDP (the public address when the engine is behind NAT). */
  advertisedAddress: string;
  latching?: LatchingPolicy;
  logger?: Logger;
}

/** Events of a {@link MediaEndpoint}. */
export type MediaEndpointEvents = {
  latched: [remote: RemoteMedia];
  close: [];
};

/** Until negotiation says otherwise: PCMU, and no telephone-event (never send what was not agreed). */
const DEFAULT_FORMAT: MediaFormat = { codec: 'PCMU', payloadType: 0 };

function sameTarget(a: RemoteMedia | undefined, b: RemoteMedia): boolean {
  return a !== undefined && a.address === b.address && a.port === b.port && a.rtcpPort === b.rtcpPort;
}

/** One anchored leg: an RTP and an RTCP socket, the remote to send to, and counters. */
export class MediaEndpoint extends TypedEmitter<MediaEndpointEvents> implements RtpOutput {
  readonly id = newUuid();
  readonly address: string;
  readonly port: number;
  readonly rtcpPort: number;
  readonly sequencer: RtpSequencer;
  readonly counters: EndpointCounters = {
    packetsIn: 0,
    bytesIn: 0,
    packetsOut: 0,
    bytesOut: 0,
    rtcpIn: 0,
    rtcpOut: 0,
    dropped: 0,
    latches: 0,
  };
  readonly #lease: PortLease;
  readonly #rtp: Socket;
  readonly #rtcp: Socket;
  readonly #policy: LatchingPolicy;
  readonly #logger: Logger;
  #format: MediaFormat = DEFAULT_FORMAT;
  #remote: RemoteMedia | undefined;
  #sdpRemote: RemoteMedia | undefined;
  #remoteDirection: MediaDirection = 'sendrecv';
  #latchRtp: boolean;
  #latchRtcp: boolean;
  #receivers: readonly PacketReceiver[] = [];
  #closed = false;

  constructor(options: MediaEndpointOptions) {
    super();
    this.#lease = options.lease;
    this.#rtp = options.lease.rtp;
    this.#rtcp = options.lease.rtcp;
    this.port = options.lease.rtpPort;
    this.rtcpPort = options.lease.rtcpPort;
    this.address = options.advertisedAddress;
    this.#policy = options.latching ?? 'always';
    this.#logger = (options.logger ?? silentLogger).child({ endpoint: this.id, port: this.port });
    this.sequencer = new RtpSequencer(options.clock);
    this.#latchRtp = this.#policy !== 'off';
    this.#latchRtcp = this.#latchRtp;
    this.#rtp.on('message', this.#onRtp);
    this.#rtcp.on('message', this.#onRtcp);
    this.#rtp.on('error', this.#onError);
    this.#rtcp.on('error', this.#onError);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The current send target (from SDP, or latched). */
  get remote(): RemoteMedia | undefined {
    return this.#remote;
  }

  /** The direction the peer declared in its last SDP (sendrecv until it says otherwise). */
  get remoteDirection(): MediaDirection {
    return this.#remoteDirection;
  }

  /**
   * Every RTP and RTCP packet received from the peer so far: a caller that samples it twice knows
   * whether the peer said anything in between, at no cost per packet.
   */
  get packetsReceived(): number {
    return this.counters.packetsIn + this.counters.rtcpIn;
  }

  /** The codec and payload types negotiated for this leg (what generated streams use). */
  get format(): MediaFormat {
    return this.#format;
  }

  setFormat(format: MediaFormat): void {
    this.#format = { ...format };
  }

  /** Sets the remote from SDP (offer or answer, initial or re-INVITE) and re-arms latching. */
  setRemote(target: RemoteTarget): void {
    if (this.#closed) throw new ClosedError('media endpoint');
    const mux = target.rtcpMux === true;
    const next: RemoteMedia = {
      address: target.address,
      port: target.port,
      rtcpAddress: target.rtcpAddress ?? target.address,
      rtcpPort: target.rtcpPort ?? (mux ? target.port : target.port + 1),
      rtcpMux: mux,
    };
    // An unchanged SDP (re-INVITE for hold, session refresh) keeps a latched target.
    if (!sameTarget(this.#sdpRemote, next) || this.#remote === undefined) this.#remote = next;
    else this.#remote = { ...this.#remote, rtcpMux: mux };
    this.#sdpRemote = next;
    this.#remoteDirection = target.direction ?? 'sendrecv';
    const arm = this.#policy === 'always' || (this.#policy === 'private' && isPrivateAddress(next.address));
    this.#latchRtp = arm;
    this.#latchRtcp = arm;
  }

  /** Adds a packet receiver (relay, DTMF detector); returns its remover. */
  addReceiver(receiver: PacketReceiver): () => void {
    this.#receivers = [...this.#receivers, receiver];
    return () => {
      this.#receivers = this.#receivers.filter((r) => r !== receiver);
    };
  }

  /** Sends one RTP packet to the remote; dropped (and counted) when there is none. */
  send(packet: Buffer): void {
    const r = this.#remote;
    if (this.#closed || r === undefined || r.port === 0 || isUnspecifiedAddress(r.address)) {
      this.counters.dropped++;
      return;
    }
    this.#rtp.send(packet, r.port, r.address);
    this.counters.packetsOut++;
    this.counters.bytesOut += packet.length;
  }

  /** Sends one RTCP packet to the remote's RTCP port (the RTP port under rtcp-mux). */
  sendRtcp(packet: Buffer): void {
    const r = this.#remote;
    if (this.#closed || r === undefined || r.rtcpPort === 0 || isUnspecifiedAddress(r.rtcpAddress)) {
      this.counters.dropped++;
      return;
    }
    (r.rtcpMux ? this.#rtp : this.#rtcp).send(packet, r.rtcpPort, r.rtcpAddress);
    this.counters.rtcpOut++;
  }

  /** Stops receiving and releases the port pair. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#receivers = [];
    this.#rtp.off('message', this.#onRtp);
    this.#rtcp.off('message', this.#onRtcp);
    this.#lease.release();
    this.emit('close');
    this.removeAllListeners();
  }

  readonly #onRtp = (msg: Buffer, rinfo: RemoteInfo): void => {
    const b1 = msg[1] ?? 0;
    if (b1 >= 192 && b1 <= 223) {
      this.#onRtcp(msg, rinfo);
      return;
    }
    if (msg.length < 12 || (msg[0] ?? 0) >> 6 !== 2) {
      this.counters.dropped++;
      return;
    }
    this.counters.packetsIn++;
    this.counters.bytesIn += msg.length;
    if (this.#latchRtp) this.#latch(rinfo);
    this.#deliver(msg, false);
  };

  readonly #onRtcp = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (msg.length < 8 || (msg[0] ?? 0) >> 6 !== 2) {
      this.counters.dropped++;
      return;
    }
    this.counters.rtcpIn++;
    if (this.#latchRtcp && this.#remote !== undefined) {
      this.#latchRtcp = false;
      const r = this.#remote;
      if (r.rtcpAddress !== rinfo.address || r.rtcpPort !== rinfo.port) {
        this.#remote = { ...r, rtcpAddress: rinfo.address, rtcpPort: rinfo.port };
      }
    }
    this.#deliver(msg, true);
  };

  #deliver(msg: Buffer, rtcp: boolean): void {
    const receivers = this.#receivers;
    for (let i = 0; i < receivers.length; i++) {
      try {
        receivers[i]?.(msg, rtcp);
      } catch (error) {
        this.#logger.warn({ err: error }, 'packet receiver threw');
      }
    }
  }

  /** Symmetric RTP (RFC 4961 §3): send back to where the first packet came from. */
  #latch(rinfo: RemoteInfo): void {
    this.#latchRtp = false;
    const r = this.#remote;
    if (r !== undefined && r.address === rinfo.address && r.port === rinfo.port) return;
    const mux = r?.rtcpMux === true;
    // RTCP follows to the next port until an RTCP packet of its own shows the real one.
    const next: RemoteMedia = {
      address: rinfo.address,
      port: rinfo.port,
      rtcpAddress: mux || this.#latchRtcp || r === undefined ? rinfo.address : r.rtcpAddress,
      rtcpPort: mux ? rinfo.port : this.#latchRtcp || r === undefined ? rinfo.port + 1 : r.rtcpPort,
      rtcpMux: mux,
    };
    this.#remote = next;
    this.counters.latches++;
    this.#logger.debug({ from: r, to: next }, 'latched RTP source');
    this.emit('latched', next);
  }

  readonly #onError = (error: Error): void => {
    this.counters.dropped++;
    this.#logger.debug({ err: error }, 'RTP socket error');
  };
}
