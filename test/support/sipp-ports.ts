// Port helpers for running SIPp: pick free ports, and tell when a SIPp process has bound its SIP
// port by reading /proc/net (no probe bind that could race SIPp's own bind).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

export type PortTransport = 'udp' | 'tcp';

/** True if `port` can be bound on `host` right now (the probe is released at once). */
export async function portIsFree(host: string, port: number, transport: PortTransport): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (transport === 'udp') {
      const sock = createSocket('udp4');
      sock.once('error', () => {
        sock.close();
        resolve(false);
      });
      sock.bind(port, host, () => sock.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel just handed out on `host` (free for both UDP and TCP when `both` is set). */
export async function freePort(host: string, transport: PortTransport, both = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      if (transport === 'udp') {
        const sock = createSocket('udp4');
        sock.once('error', reject);
        sock.bind(0, host, () => {
          const p = sock.address().port;
          sock.close(() => resolve(p));
        });
        return;
      }
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const addr = server.address();
        const p = typeof addr === 'object' && addr !== null ? addr.port : 0;
        server.close(() => resolve(p));
      });
    });
    if (!both || (await portIsFree(host, port, transport === 'udp' ? 'tcp' : 'udp'))) return port;
  }
  throw new Error(`no free ${transport} port on ${host}`);
}

/**
 * A base media port M for SIPp's -mp: SIPp binds UDP M and M+2 itself, and our scenarios
 * advertise M+4 (where an RtpCounter may listen). `taken` is a port already held for M+4.
 */
export async function freeMediaBase(host: string, offset: number, taken?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const rtp = taken ?? (await freePort(host, 'udp'));
    const base = rtp - offset;
    if (base >= 1024 && (await portIsFree(host, base, 'udp')) && (await portIsFree(host, base + 2, 'udp'))) {
      if (taken !== undefined || (await portIsFree(host, rtp, 'udp'))) return base;
    }
    if (taken !== undefined) break;
  }
  throw new Error(`no free media port block on ${host}${taken !== undefined ? ` below ${taken}` : ''}`);
}

function hexAddress(host: string, port: number): string {
  const ip = host
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase();
  return `${ip}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * True if some socket is bound to host:port (UDP) or listening on it (TCP), per /proc/net/{udp,tcp}.
 * A socket bound to 0.0.0.0 counts too.
 */
export function portIsBound(host: string, port: number, transport: PortTransport): boolean {
  let table: string;
  try {
    table = readFileSync(`/proc/net/${transport}`, 'utf8');
  } catch {
    return false;
  }
  const wanted = new Set([hexAddress(host, port), hexAddress('0.0.0.0', port)]);
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    if (local === undefined || !wanted.has(local)) continue;
    if (transport === 'udp' || state === '0A') return true;
  }
  return false;
}
