import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { ClosedError } from '../lib/index.ts';
import { PortPool, PortsExhaustedError } from './index.ts';
import type { SocketBinder } from './index.ts';

/** A binder that never touches the network: ports in `busy` are "held by another process". */
function fakeBinder(busy = new Set<number>()): { bind: SocketBinder; bound: Set<number> } {
  const bound = new Set<number>();
  const bind: SocketBinder = async (_address, port) => {
    if (busy.has(port) || bound.has(port)) throw Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' });
    bound.add(port);
    const fake = {
      removeAllListeners: () => fake,
      close: (cb?: () => void) => {
        bound.delete(port);
        cb?.();
      },
    };
    return fake as unknown as Socket;
  };
  return { bind, bound };
}

test('pairs are an even RTP port and the next odd RTCP port', async () => {
  const { bind } = fakeBinder();
  const pool = new PortPool({ address: '127.0.0.1', range: { min: 10001, max: 10010 }, bind });
  assert.equal(pool.capacity, 4);
  const leases = [await pool.allocate(), await pool.allocate(), await pool.allocate(), await pool.allocate()];
  assert.deepEqual(
    leases.map((l) => [l.rtpPort, l.rtcpPort]),
    [
      [10002, 10003],
      [10004, 10005],
      [10006, 10007],
      [10008, 10009],
    ],
  );
  pool.close();
});

test('an exhausted range throws a typed error and a released pair is handed out again', async () => {
  const { bind, bound } = fakeBinder();
  const pool = new PortPool({ address: '127.0.0.1', range: { min: 20000, max: 20003 }, bind });
  const a = await pool.allocate();
  const b = await pool.allocate();
  await assert.rejects(pool.allocate(), PortsExhaustedError);
  assert.equal(pool.inUse, 2);
  a.release();
  a.release();
  assert.equal(pool.inUse, 1);
  assert.equal(bound.has(a.rtpPort), false);
  const c = await pool.allocate();
  assert.equal(c.rtpPort, a.rtpPort);
  assert.notEqual(c.rtpPort, b.rtpPort);
  pool.close();
  assert.equal(bound.size, 0);
  assert.equal(pool.openSockets, 0);
  await assert.rejects(pool.allocate(), ClosedError);
});

test('concurrent allocations never share a pair, and ports held elsewhere are skipped', async () => {
  const { bind } = fakeBinder(new Set([30002, 30005]));
  const pool = new PortPool({ address: '127.0.0.1', range: { min: 30000, max: 30009 }, bind });
  const leases = await Promise.all([pool.allocate(), pool.allocate(), pool.allocate()]);
  const ports = leases.map((l) => l.rtpPort).sort();
  assert.deepEqual(ports, [30000, 30006, 30008]);
  await assert.rejects(pool.allocate(), PortsExhaustedError);
  pool.close();
});

test('a freed pair is not reused at once while others are free', async () => {
  const { bind } = fakeBinder();
  const pool = new PortPool({ address: '127.0.0.1', range: { min: 40000, max: 40007 }, bind });
  const first = await pool.allocate();
  first.release();
  const second = await pool.allocate();
  assert.notEqual(second.rtpPort, first.rtpPort);
  pool.close();
});

test('invalid ranges are refused', () => {
  assert.throws(() => new PortPool({ address: '127.0.0.1', range: { min: 5000, max: 4000 } }));
  assert.throws(() => new PortPool({ address: '127.0.0.1', range: { min: 0, max: 4000 } }));
  assert.throws(() => new PortPool({ address: '127.0.0.1', range: { min: 1, max: 70000 } }));
});

test('range 0-0 binds real OS-chosen sockets and closes them all', async () => {
  const pool = new PortPool({ address: '127.0.0.1', range: { min: 0, max: 0 } });
  const a = await pool.allocate();
  const b = await pool.allocate();
  assert.ok(a.rtpPort > 0 && a.rtcpPort > 0 && a.rtpPort !== a.rtcpPort);
  assert.equal(a.rtp.address().port, a.rtpPort);
  assert.notEqual(a.rtpPort, b.rtpPort);
  assert.equal(pool.openSockets, 4);
  pool.close();
  await pool.whenIdle();
  assert.equal(pool.openSockets, 0);
});
