// The benchmark's RTP endpoint for the phones, run as a child process by rtp-media.ts. It binds one
// UDP port for the callers and one for the callees (every SDP of the benchmark points at them),
// counts what the switch relays there, and can play the phones' own RTP: it follows SIPp's
// `-trace_logs` files, where the scenarios log "media <call-id> <switch port>" once a call is
// answered, and then sends a stream of 20 ms PCMA packets from the side's port to that switch port
// (symmetric RTP, so the switch's relay latches onto the same port it sends to). Each stream gets
// a random phase within the 20 ms period, as independent phones have, so the packets reach the
// switch spread over the period, not in one burst; a 1 ms clock drives them, and a late clock is
// caught up (at most 5 periods at once) or counted as skipped.
import { createSocket, type Socket } from 'node:dgram';
import { closeSync, openSync, readSync } from 'node:fs';

type Side = 'caller' | 'callee';

interface SideState {
  readonly socket: Socket;
  received: number;
  bytes: number;
  sent: number;
}

interface Stream {
  readonly side: SideState;
  readonly port: number;
  readonly ssrc: number;
  seq: number;
  timestamp: number;
  left: number;
}

interface Follower {
  readonly side: SideState;
  readonly path: string;
  readonly packets: number;
  fd: number | undefined;
  offset: number;
  rest: string;
}

/** The packet period (ptime) and the clock's step. */
const PERIOD_MS = 20;
const SLOT_MS = 1;
const SLOTS = PERIOD_MS / SLOT_MS;
const MAX_CATCH_UP = 5 * SLOTS;
const PAYLOAD = 160;
const [callerPort, calleePort] = process.argv.slice(2).map(Number);
const sides = new Map<Side, SideState>();
/** Streams by phase (slot within the period). */
const buckets: Set<Stream>[] = Array.from({ length: SLOTS }, () => new Set<Stream>());
let streamCount = 0;
const followers: Follower[] = [];
let skippedSlots = 0;
let started = 0;
let slots = 0;
let ticker: NodeJS.Timeout | undefined;
let poller: NodeJS.Timeout | undefined;

async function bind(port: number): Promise<SideState> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
  const state: SideState = { socket, received: 0, bytes: 0, sent: 0 };
  socket.on('message', (msg) => {
    state.received++;
    state.bytes += msg.length;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
  return state;
}

/** RFC 3550 §5.1: V=2, PT 8 (PCMA), marker on a stream's first packet. */
function packet(stream: Stream): Buffer {
  const buf = Buffer.allocUnsafe(12 + PAYLOAD);
  buf[0] = 0x80;
  buf[1] = (stream.seq === 0 ? 0x80 : 0) | 8;
  buf.writeUInt16BE(stream.seq & 0xffff, 2);
  buf.writeUInt32BE(stream.timestamp >>> 0, 4);
  buf.writeUInt32BE(stream.ssrc, 8);
  buf.fill(0xd5, 12);
  return buf;
}

function playSlot(bucket: Set<Stream>): void {
  for (const stream of bucket) {
    stream.side.socket.send(packet(stream), stream.port, '127.0.0.1');
    stream.side.sent++;
    stream.seq++;
    stream.timestamp += PAYLOAD;
    if (--stream.left <= 0) {
      bucket.delete(stream);
      streamCount--;
    }
  }
}

function onTimer(): void {
  const due = Math.floor((Date.now() - started) / SLOT_MS);
  let behind = due - slots;
  if (behind > MAX_CATCH_UP) {
    skippedSlots += behind - MAX_CATCH_UP;
    slots += behind - MAX_CATCH_UP;
    behind = MAX_CATCH_UP;
  }
  for (; behind > 0; behind--) {
    slots++;
    const bucket = buckets[slots % SLOTS];
    if (bucket !== undefined && bucket.size > 0) playSlot(bucket);
  }
}

function poll(): void {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (const f of followers) {
    if (f.fd === undefined) {
      try {
        f.fd = openSync(f.path, 'r');
      } catch {
        continue;
      }
    }
    for (;;) {
      const n = readSync(f.fd, chunk, 0, chunk.length, f.offset);
      if (n <= 0) break;
      f.offset += n;
      const lines = (f.rest + chunk.subarray(0, n).toString('latin1')).split('\n');
      f.rest = lines.pop() ?? '';
      for (const line of lines) {
        const m = /media \S+ (\d+)/.exec(line);
        if (m === null) continue;
        const port = Number(m[1]);
        if (port > 0 && port < 65536 && f.packets > 0) {
          const phase = Math.floor(Math.random() * SLOTS);
          buckets[phase]?.add({ side: f.side, port, ssrc: (Math.random() * 0xffffffff) >>> 0, seq: 0, timestamp: 0, left: f.packets });
          streamCount++;
        }
      }
    }
  }
}

function stopFollowing(): void {
  poll();
  for (const f of followers) if (f.fd !== undefined) closeSync(f.fd);
  followers.length = 0;
}

function closeAll(): void {
  if (ticker !== undefined) clearInterval(ticker);
  if (poller !== undefined) clearInterval(poller);
  for (const s of sides.values()) {
    try {
      s.socket.close();
    } catch {
      // already closed
    }
  }
  process.exit(0);
}

interface Command {
  type?: string;
  id?: number;
  side?: Side;
  path?: string;
  packets?: number;
}

process.on('disconnect', closeAll);
process.on('message', (message: unknown) => {
  const m = message as Command;
  if (m.type === 'follow' && m.side !== undefined && m.path !== undefined && m.packets !== undefined) {
    const side = sides.get(m.side);
    if (side !== undefined) followers.push({ side, path: m.path, packets: m.packets, fd: undefined, offset: 0, rest: '' });
  } else if (m.type === 'unfollow') {
    stopFollowing();
  } else if (m.type === 'counts') {
    const out = Object.fromEntries([...sides].map(([name, s]) => [name, { received: s.received, bytes: s.bytes, sent: s.sent }]));
    process.send?.({ type: 'counts', id: m.id, counts: out, streams: streamCount, skippedTicks: Math.floor(skippedSlots / SLOTS) });
  } else if (m.type === 'close') {
    closeAll();
  }
});

Promise.all([bind(callerPort ?? 0), bind(calleePort ?? 0)]).then(
  ([caller, callee]) => {
    sides.set('caller', caller);
    sides.set('callee', callee);
    started = Date.now();
    ticker = setInterval(onTimer, SLOT_MS);
    poller = setInterval(poll, 50);
    process.send?.({ type: 'ready' });
  },
  (error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    closeAll();
  },
);
