// Counts the RTP that reaches a SIPp side. SIPp 3.6 never reads RTP itself (unless -rtp_echo, which
// sends it back), so our scenarios advertise [media_port+4] in their SDP and this socket listens
// there: whatever the far side (or the switch's relay) sends to the SDP address is counted here.
import { createSocket, type Socket } from 'node:dgram';

/** One RFC 4733 telephone-event as seen on the wire (first packet of the event onwards). */
export interface RtpDtmfEvent {
  /** RFC 4733 §3.2 event code: 0-9, 10 = *, 11 = #, 12-15 = A-D. */
  readonly event: number;
  readonly digit: string;
  readonly timestamp: number;
  readonly ssrc: number;
  /** True once a packet with the E bit arrived. */
  readonly ended: boolean;
}

/** What an RtpCounter has seen so far. */
export interface RtpCounts {
  /** Valid RTP packets (version 2, at least 12 bytes). */
  readonly received: number;
  readonly byPayloadType: Readonly<Record<number, number>>;
  /** Datagrams that were not RTP. */
  readonly invalid: number;
  /** Sender addresses as host:port. */
  readonly sources: readonly string[];
  readonly ssrcs: readonly number[];
  /** Telephone-events in arrival order (payload type `dtmfPayloadType`). */
  readonly dtmf: readonly RtpDtmfEvent[];
  /** The digits of `dtmf`, e.g. "*2101". */
  readonly digits: string;
}

export interface RtpCounterOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Payload type decoded as RFC 4733 telephone-event (default 101, what SIPp's pcaps carry). */
  readonly dtmfPayloadType?: number;
}

const DIGITS = '0123456789*#ABCD';

/** Maps an RFC 4733 event code to its DTMF character ('?' beyond D). */
export function dtmfDigit(event: number): string {
  return DIGITS[event] ?? '?';
}

interface MutableEvent {
  event: number;
  timestamp: number;
  ssrc: number;
  ended: boolean;
}

/** A UDP socket that counts RTP packets, by payload type, and decodes telephone-events. */
export class RtpCounter {
  readonly host: string;
  readonly port: number;
  private readonly socket: Socket;
  private readonly dtmfPayloadType: number;
  private received = 0;
  private invalid = 0;
  private readonly byPt = new Map<number, number>();
  private readonly sources = new Set<string>();
  private readonly ssrcs = new Set<number>();
  private readonly events: MutableEvent[] = [];
  private readonly waiters = new Set<{ check(): void; fail(err: Error): void }>();
  private isClosed = false;

  private constructor(socket: Socket, host: string, port: number, dtmfPayloadType: number) {
    this.socket = socket;
    this.host = host;
    this.port = port;
    this.dtmfPayloadType = dtmfPayloadType;
    socket.on('message', (msg, rinfo) => this.onPacket(msg, `${rinfo.address}:${rinfo.port}`));
  }

  /** Binds a counter; rejects if the port is taken. */
  static async open(opts: RtpCounterOptions = {}): Promise<RtpCounter> {
    const host = opts.host ?? '127.0.0.1';
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    return new RtpCounter(socket, host, socket.address().port, opts.dtmfPayloadType ?? 101);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** A snapshot of everything counted so far. */
  counts(): RtpCounts {
    const dtmf = this.events.map((e) => ({ ...e, digit: dtmfDigit(e.event) }));
    return {
      received: this.received,
      byPayloadType: Object.fromEntries(this.byPt),
      invalid: this.invalid,
      sources: [...this.sources],
      ssrcs: [...this.ssrcs],
      dtmf,
      digits: dtmf.map((e) => e.digit).join(''),
    };
  }

  /** Resolves once `predicate(counts)` holds; rejects after `timeoutMs` or on close. */
  async waitFor(predicate: (c: RtpCounts) => boolean, timeoutMs: number): Promise<RtpCounts> {
    if (predicate(this.counts())) return this.counts();
    if (this.isClosed) throw new Error(`RTP counter on ${this.host}:${this.port} is closed`);
    return new Promise<RtpCounts>((resolve, reject) => {
      const waiter = {
        check: (): void => {
          if (!predicate(this.counts())) return;
          finish();
          resolve(this.counts());
        },
        fail: (err: Error): void => {
          finish();
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        const what = `RTP counter on ${this.host}:${this.port}`;
        waiter.fail(new Error(`${what}: condition not met after ${timeoutMs} ms (${this.received} packets)`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Closes the socket and rejects pending waits; idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const w of [...this.waiters]) w.fail(new Error(`RTP counter on ${this.host}:${this.port} closed`));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onPacket(msg: Buffer, source: string): void {
    // RFC 3550 §5.1: V=2, fixed header of 12 bytes plus 4 per CSRC.
    if (msg.length < 12 || msg[0] === undefined || msg[0] >> 6 !== 2) {
      this.invalid += 1;
      return;
    }
    const pt = (msg[1] ?? 0) & 0x7f;
    const marker = ((msg[1] ?? 0) & 0x80) !== 0;
    const timestamp = msg.readUInt32BE(4);
    const ssrc = msg.readUInt32BE(8);
    this.received += 1;
    this.byPt.set(pt, (this.byPt.get(pt) ?? 0) + 1);
    this.sources.add(source);
    this.ssrcs.add(ssrc);
    if (pt === this.dtmfPayloadType) this.onTelephoneEvent(msg, marker, timestamp, ssrc);
    for (const w of [...this.waiters]) w.check();
  }

  /** RFC 4733 §2.3: event, E bit, volume, duration; a new event starts with the marker bit or a new timestamp. */
  private onTelephoneEvent(msg: Buffer, marker: boolean, timestamp: number, ssrc: number): void {
    const offset = 12 + 4 * ((msg[0] ?? 0) & 0x0f);
    if (msg.length < offset + 4) return;
    const event = msg[offset] ?? 0;
    const end = ((msg[offset + 1] ?? 0) & 0x80) !== 0;
    const last = this.events.at(-1);
    const same = last !== undefined && last.timestamp === timestamp && last.event === event && last.ssrc === ssrc;
    if (same && !marker) {
      last.ended ||= end;
      return;
    }
    this.events.push({ event, timestamp, ssrc, ended: end });
  }
}
