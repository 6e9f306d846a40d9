import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Logger } from '../../lib/index.ts';
import { DEFAULT_UDP_BUFFER_BYTES, UdpTransport } from './index.ts';

/** A Linux kernel limit, when it can be read (elsewhere: undefined). */
function sysctl(name: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function recordingLogger(lines: { obj: unknown; msg: string | undefined }[]): Logger {
  const logger: Logger = {
    trace: () => {}, debug: () => {}, warn: () => {}, error: () => {},
    info: (obj, msg) => lines.push({ obj, msg }),
    child: () => logger,
  };
  return logger;
}

test('the SIP UDP socket gets a 4 MiB receive buffer by default, as far as the kernel allows', async () => {
  const lines: { obj: unknown; msg: string | undefined }[] = [];
  const udp = await UdpTransport.listen({ address: '127.0.0.1', port: 0, logger: recordingLogger(lines) });
  try {
    const { receive, send } = udp.bufferSizes;
    const rmemMax = sysctl('rmem_max');
    const rmemDefault = sysctl('rmem_default');
    // Linux grants min(asked, rmem_max) and reports twice that (its bookkeeping overhead).
    const expected = Math.min(DEFAULT_UDP_BUFFER_BYTES, rmemMax ?? DEFAULT_UDP_BUFFER_BYTES);
    assert.ok(receive >= expected, `receive buffer ${receive} < ${expected}`);
    if (rmemMax !== undefined) {
      // Exactly what was granted: a socket left at the kernel default (rmem_default, itself at most
      // rmem_max) reports 2 × rmem_default, never 2 × min(4 MiB, rmem_max) unless the two are equal.
      assert.equal(receive, 2 * expected, `receive buffer ${receive}: SO_RCVBUF was not set to ${expected}`);
    }
    if (rmemMax !== undefined && rmemDefault !== undefined && rmemMax > rmemDefault) {
      assert.ok(receive > rmemDefault, `receive buffer ${receive} is the kernel default`);
    }
    assert.ok(send >= Math.min(DEFAULT_UDP_BUFFER_BYTES, sysctl('wmem_max') ?? DEFAULT_UDP_BUFFER_BYTES));
    // A full grant is not logged (a short one is: see the next test).
    if (rmemMax !== undefined && rmemMax >= DEFAULT_UDP_BUFFER_BYTES && (sysctl('wmem_max') ?? 0) >= DEFAULT_UDP_BUFFER_BYTES) {
      assert.deepEqual(lines, []);
    }
  } finally {
    udp.close();
  }
  assert.throws(() => udp.bufferSizes, { code: 'closed' });
});

test('a buffer larger than the kernel allows is logged at info with what was granted, and the socket still works', async () => {
  const lines: { obj: unknown; msg: string | undefined }[] = [];
  const asked = 1024 * 1024 * 1024;
  const a = await UdpTransport.listen({ address: '127.0.0.1', port: 0, bufferBytes: asked, logger: recordingLogger(lines) });
  const b = await UdpTransport.listen({ address: '127.0.0.1', port: 0, bufferBytes: 0 });
  try {
    const receive = a.bufferSizes.receive;
    assert.ok(receive < asked);
    const entry = lines.find((l) => (l.obj as { buffer?: string }).buffer === 'receive');
    assert.ok(entry !== undefined, 'no info line about the receive buffer');
    assert.equal((entry.obj as { asked: number }).asked, asked);
    assert.equal((entry.obj as { granted: number }).granted, process.platform === 'linux' ? receive / 2 : receive);
    assert.match(entry.msg ?? '', /rmem_max/);
    // bufferBytes 0 keeps the kernel default.
    const rmemDefault = sysctl('rmem_default');
    if (rmemDefault !== undefined) assert.equal(b.bufferSizes.receive, rmemDefault);
    const got = new Promise<string>((resolve) => b.once('message', (p) => resolve(p.data.toString())));
    await a.send(Buffer.from('ping'), { transport: 'udp', address: '127.0.0.1', port: b.local.port });
    assert.equal(await got, 'ping');
  } finally {
    a.close();
    b.close();
  }
});
