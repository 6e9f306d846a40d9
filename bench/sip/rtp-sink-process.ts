// The RTP sink, run as a child process by rtp-sink.ts: binds the given UDP ports on 127.0.0.1 and
// counts the datagrams and bytes that reach each one. It answers `counts` requests over IPC and
// exits when its parent goes away. It does nothing else per packet, to cost as little as possible.
import { createSocket, type Socket } from 'node:dgram';

interface Counter {
  packets: number;
  bytes: number;
}

const ports = process.argv.slice(2).map(Number);
const counters = new Map<number, Counter>();
const sockets: Socket[] = [];

function closeAll(): void {
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // already closed
    }
  }
  process.exit(0);
}

async function bind(port: number): Promise<void> {
  const counter: Counter = { packets: 0, bytes: 0 };
  counters.set(port, counter);
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  sockets.push(socket);
  socket.on('message', (msg) => {
    counter.packets++;
    counter.bytes += msg.length;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
}

process.on('disconnect', closeAll);
process.on('message', (message: unknown) => {
  const m = message as { type?: string; id?: number };
  if (m.type === 'counts') process.send?.({ type: 'counts', id: m.id, counts: Object.fromEntries(counters) });
  if (m.type === 'close') closeAll();
});

Promise.all(ports.map(bind)).then(
  () => process.send?.({ type: 'ready' }),
  (error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    closeAll();
  },
);
