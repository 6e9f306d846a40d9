import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaEngine, createAnswer, serializeRtp } from './index.ts';

const LOCAL = { address: '127.0.0.1', port: 20000 };

/** A phone's offer with its audio direction and connection address. */
const offer = (direction: string, c = '192.0.2.10'): string =>
  ['v=0', `o=- 1 1 IN IP4 ${c}`, 's=-', `c=IN IP4 ${c}`, 't=0 0', 'm=audio 49170 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', `a=${direction}`, ''].join('\r\n');

test('the endpoint keeps the direction the peer declared in its last SDP (RFC 3264 §6.1, §8.4)', async () => {
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 } });
  try {
    const ep = await engine.createEndpoint();
    assert.equal(ep.remoteDirection, 'sendrecv', 'before any SDP');
    for (const direction of ['sendonly', 'recvonly', 'inactive', 'sendrecv'] as const) {
      ep.setRemote(createAnswer(offer(direction), { ...LOCAL, codecs: ['PCMU'] }).remote);
      assert.equal(ep.remoteDirection, direction);
    }
    ep.setRemote(createAnswer(offer('sendrecv', '0.0.0.0'), { ...LOCAL, codecs: ['PCMU'] }).remote);
    assert.equal(ep.remoteDirection, 'sendonly', 'the RFC 2543 c=0.0.0.0 hold reads as sendonly');
    ep.setRemote({ address: '127.0.0.1', port: 4000 });
    assert.equal(ep.remoteDirection, 'sendrecv', 'a target without a direction means sendrecv');
  } finally {
    await engine.close();
  }
});

test('packetsReceived counts every RTP and RTCP packet from the peer, and nothing else', async () => {
  const engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 } });
  const phone = createSocket('udp4');
  await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
  try {
    const ep = await engine.createEndpoint();
    const rtp = serializeRtp({ marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 7, payload: Buffer.alloc(160, 0xff) });
    const rtcp = Buffer.from('80c9000100000007', 'hex');
    phone.send(rtp, ep.port, '127.0.0.1');
    phone.send(rtcp, ep.rtcpPort, '127.0.0.1');
    phone.send(rtcp, ep.port, '127.0.0.1'); // RTCP on the RTP port (RFC 5761 demultiplexing)
    phone.send(Buffer.from('not rtp at all'), ep.port, '127.0.0.1');
    const deadline = Date.now() + 2000;
    while (ep.packetsReceived + ep.counters.dropped < 4 && Date.now() < deadline) await sleep(5);
    assert.equal(ep.packetsReceived, 3);
    assert.equal(ep.counters.dropped, 1);
  } finally {
    await engine.close();
    await new Promise<void>((resolve) => phone.close(() => resolve()));
  }
});
