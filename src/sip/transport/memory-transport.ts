import { ClosedError, TypedEmitter } from '../../lib/index.ts';
import type { Clock, TimerHandle } from '../../lib/index.ts';
import type { Endpoint } from '../message/index.ts';
import { TransportError, endpointKey } from './transport.ts';
import type { LocalAddress, Transport, TransportEvents } from './transport.ts';

/** One message handed to the network, kept in {@link MemoryNetwork.packets} for assertions. */
export interface MemoryPacket {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly data: Buffer;
  readonly dropped: boolean;
}

/** Decides whether a packet is lost (scenario tests simulate an unreliable link with it). */
export type DropRule = (text: string, from: Endpoint, to: Endpoint) => boolean;

/** Options of a {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Delivery happens on this clock, so a FakeClock drives scenario tests. */
  readonly clock: Clock;
  /** One-way delay of every packet; default 0 (delivered on the next `advance(0)`). */
  readonly latencyMs?: number;
}

/**
 * An in-process network of {@link MemoryTransport}s, addressed by protocol, address and port.
 * "udp" transports are unreliable (packets can be dropped with {@link MemoryNetwork.drop}), "tcp"
 * ones reliable. Delivery is scheduled on the injected clock.
 */
export class MemoryNetwork {
  readonly #clock: Clock;
  readonly #latency: number;
  readonly #nodes = new Map<string, MemoryTransport>();
  readonly #inFlight = new Set<TimerHandle>();
  readonly #rules: { rule: DropRule; remaining: number }[] = [];
  readonly packets: MemoryPacket[] = [];
  #nextPort = 20_000;
  #closed = false;

  constructor(options: MemoryNetworkOptions) {
    this.#clock = options.clock;
    this.#latency = options.latencyMs ?? 0;
  }

  /** A transport bound at `address:port` (a free port when port is 0 or absent). */
  createTransport(options: { address: string; port?: number; protocol?: 'udp' | 'tcp' }): MemoryTransport {
    const protocol = options.protocol ?? 'udp';
    let port = options.port ?? 0;
    if (port === 0) {
      do port = this.#nextPort++;
      while (this.#nodes.has(nodeKey(protocol, options.address, port)));
    }
    const key = nodeKey(protocol, options.address, port);
    if (this.#nodes.has(key)) throw new TransportError('address_in_use', `${protocol} ${endpointKey(options.address, port)} is in use`);
    const transport = new MemoryTransport(this, protocol, { address: options.address, port }, () => this.#nodes.delete(key));
    this.#nodes.set(key, transport);
    return transport;
  }

  /** Loses the next `count` packets for which `rule` returns true (unreliable links only). */
  drop(rule: DropRule, count = 1): void {
    this.#rules.push({ rule, remaining: count });
  }

  /** Packets sent, optionally only those whose text matches. */
  sent(match?: RegExp): MemoryPacket[] {
    return match === undefined ? [...this.packets] : this.packets.filter((p) => match.test(p.data.toString('latin1')));
  }

  /** Packets handed to the network and not delivered yet. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Cancels undelivered packets and closes every transport. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const handle of this.#inFlight) this.#clock.clearTimeout(handle);
    this.#inFlight.clear();
    for (const node of [...this.#nodes.values()]) node.close();
  }

  /** Called by a transport's send. */
  transmit(from: MemoryTransport, data: Buffer, to: Endpoint): void {
    if (this.#closed) throw new ClosedError('memory network');
    const target = this.#nodes.get(nodeKey(from.protocol, to.address, to.port));
    if (target === undefined && from.reliable) {
      throw new TransportError('connection_refused', `no ${from.protocol} listener at ${endpointKey(to.address, to.port)}`);
    }
    const source: Endpoint = { transport: from.protocol, address: from.local.address, port: from.local.port };
    const copy = Buffer.from(data);
    const dropped = !from.reliable && this.#shouldDrop(copy, source, to);
    this.packets.push({ from: source, to, data: copy, dropped });
    if (dropped || target === undefined) return;
    const handle = this.#clock.setTimeout(() => {
      this.#inFlight.delete(handle);
      target.deliver(copy, source);
    }, this.#latency);
    this.#inFlight.add(handle);
  }

  #shouldDrop(data: Buffer, from: Endpoint, to: Endpoint): boolean {
    const text = data.toString('latin1');
    for (const entry of this.#rules) {
      if (entry.remaining > 0 && entry.rule(text, from, to)) {
        entry.remaining--;
        return true;
      }
    }
    return false;
  }
}

/** A transport on a {@link MemoryNetwork} (scenario tests). */
export class MemoryTransport extends TypedEmitter<TransportEvents> implements Transport {
  readonly protocol: 'udp' | 'tcp';
  readonly reliable: boolean;
  readonly local: LocalAddress;
  readonly #network: MemoryNetwork;
  readonly #onClose: () => void;
  #closed = false;

  constructor(network: MemoryNetwork, protocol: 'udp' | 'tcp', local: LocalAddress, onClose: () => void) {
    super();
    this.#network = network;
    this.protocol = protocol;
    this.reliable = protocol === 'tcp';
    this.local = local;
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: Buffer, destination: Endpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('memory transport'));
    try {
      this.#network.transmit(this, data, destination);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Called by the network when a packet arrives. */
  deliver(data: Buffer, source: Endpoint): void {
    if (!this.#closed) this.emit('message', { data, source });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.removeAllListeners();
  }
}

function nodeKey(protocol: string, address: string, port: number): string {
  return `${protocol}|${endpointKey(address, port)}`;
}
