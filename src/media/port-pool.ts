import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { ClosedError, SwitchboardError, silentLogger } from '../lib/index.ts';
import type { Logger } from '../lib/index.ts';
import { PortsExhaustedError } from './errors.ts';

/** An inclusive UDP port range; `{ min: 0, max: 0 }` lets the OS choose. */
export interface PortRange {
  min: number;
  max: number;
}

/** Binds one UDP socket on the pool's address and port (0 = any); rejects when the port is taken. */
export type SocketBinder = (address: string, port: number) => Promise<Socket>;

/** A bound RTP/RTCP socket pair, held until `release()`. */
export interface PortLease {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  /** Closes both sockets and returns the ports to the pool. Idempotent. */
  release(): void;
}

/** Options of a {@link PortPool}. */
export interface PortPoolOptions {
  /** Address the sockets bind to. */
  address: string;
  range: PortRange;
  logger?: Logger;
  /** Replaces real UDP binding (tests). */
  bind?: SocketBinder;
}

/** Binds a real UDP socket, resolving once listening. */
export const bindUdp: SocketBinder = (address, port) =>
  new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });

/**
 * The RTP port range. RFC 3550 §11: "RTP SHOULD use an even destination port number and the
 * corresponding RTCP stream SHOULD use the next higher (odd) destination port number", so the pool
 * hands out even/odd pairs, never the same pair twice while leased, skipping ports another process
 * holds, and rotating so a freed pair is not reused at once (late packets of the old call). With
 * the range 0-0 the OS chooses: RTCP gets RTP+1 when free, else any port (advertised by a=rtcp).
 */
export class PortPool {
  readonly address: string;
  readonly range: PortRange;
  readonly #bind: SocketBinder;
  readonly #logger: Logger;
  readonly #leased = new Set<number>();
  readonly #leases = new Set<PortLease>();
  readonly #first: number;
  readonly #pairs: number;
  #cursor = 0;
  #openSockets = 0;
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: PortPoolOptions) {
    const { min, max } = options.range;
    const valid = (p: number): boolean => Number.isInteger(p) && p >= 0 && p <= 65535;
    if (!valid(min) || !valid(max) || min > max || (min === 0) !== (max === 0)) {
      throw new SwitchboardError('media_port_range', `invalid RTP port range ${min}-${max}`);
    }
    this.address = options.address;
    this.range = { min, max };
    this.#bind = options.bind ?? bindUdp;
    this.#logger = options.logger ?? silentLogger;
    this.#first = min % 2 === 0 ? min : min + 1;
    this.#pairs = min === 0 ? Infinity : Math.max(0, Math.floor((max - this.#first + 1) / 2));
  }

  /** How many pairs the range holds (Infinity for 0-0). */
  get capacity(): number {
    return this.#pairs;
  }

  /** Pairs currently leased. */
  get inUse(): number {
    return this.#leases.size;
  }

  /** Sockets not yet fully closed. */
  get openSockets(): number {
    return this.#openSockets;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Binds the next free pair; throws {@link PortsExhaustedError} when none is left. */
  async allocate(): Promise<PortLease> {
    if (this.#closed) throw new ClosedError('port pool');
    if (this.range.min === 0) return this.#allocateAny();
    for (let tried = 0; tried < this.#pairs; tried++) {
      const port = this.#first + 2 * ((this.#cursor + tried) % this.#pairs);
      if (this.#leased.has(port)) continue;
      this.#leased.add(port);
      const pair = await this.#bindPair(port, port + 1);
      if (pair !== undefined) {
        this.#cursor = (this.#cursor + tried + 1) % this.#pairs;
        return this.#lease(pair.rtp, pair.rtcp, port, port + 1);
      }
      this.#leased.delete(port);
    }
    throw new PortsExhaustedError(`no free RTP port pair in ${this.range.min}-${this.range.max}`);
  }

  /** Resolves when every socket the pool opened has closed. */
  whenIdle(): Promise<void> {
    if (this.#openSockets === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Releases every lease; further `allocate` calls throw. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const lease of [...this.#leases]) lease.release();
  }

  async #allocateAny(): Promise<PortLease> {
    const rtp = await this.#tryBind(0);
    if (rtp === undefined) throw new PortsExhaustedError('the OS gave no UDP port');
    const rtpPort = rtp.address().port;
    const rtcp = (rtpPort < 65535 ? await this.#tryBind(rtpPort + 1) : undefined) ?? (await this.#tryBind(0));
    if (rtcp === undefined) {
      this.#closeSocket(rtp);
      throw new PortsExhaustedError('the OS gave no UDP port for RTCP');
    }
    return this.#lease(rtp, rtcp, rtpPort, rtcp.address().port);
  }

  async #bindPair(rtpPort: number, rtcpPort: number): Promise<{ rtp: Socket; rtcp: Socket } | undefined> {
    const rtp = await this.#tryBind(rtpPort);
    if (rtp === undefined) return undefined;
    const rtcp = await this.#tryBind(rtcpPort);
    if (rtcp === undefined) {
      this.#closeSocket(rtp);
      return undefined;
    }
    return { rtp, rtcp };
  }

  async #tryBind(port: number): Promise<Socket | undefined> {
    try {
      const socket = await this.#bind(this.address, port);
      this.#openSockets += 1;
      return socket;
    } catch (error) {
      this.#logger.debug({ port, err: error }, 'RTP port unavailable');
      return undefined;
    }
  }

  #closeSocket(socket: Socket): void {
    socket.removeAllListeners('message');
    try {
      socket.close(() => this.#socketClosed());
    } catch {
      this.#socketClosed();
    }
  }

  #socketClosed(): void {
    this.#openSockets -= 1;
    if (this.#openSockets === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #lease(rtp: Socket, rtcp: Socket, rtpPort: number, rtcpPort: number): PortLease {
    let released = false;
    const lease: PortLease = {
      rtp,
      rtcp,
      rtpPort,
      rtcpPort,
      release: () => {
        if (released) return;
        released = true;
        this.#leases.delete(lease);
        this.#leased.delete(rtpPort);
        this.#closeSocket(rtp);
        this.#closeSocket(rtcp);
      },
    };
    this.#leases.add(lease);
    if (this.#closed) {
      lease.release();
      throw new ClosedError('port pool');
    }
    return lease;
  }
}
