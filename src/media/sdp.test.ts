import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SdpNegotiationError,
  SdpOrigin,
  SdpParseError,
  createAnswer,
  createOffer,
  offeredFormat,
  parseSdp,
  readAnswer,
  readAudioStream,
  rewriteSdp,
} from './index.ts';

const lines = (...l: string[]): string => l.join('\r\n') + '\r\n';

const phoneOffer = (opts: { codecs?: string; direction?: string; c?: string; extra?: string[] } = {}): string =>
  lines(
    'v=0',
    'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
    's=-',
    `c=IN IP4 ${opts.c ?? '192.0.2.10'}`,
    't=0 0',
    `m=audio 49170 RTP/AVP ${opts.codecs ?? '8 0 18 101'}`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:18 G729/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    `a=${opts.direction ?? 'sendrecv'}`,
    ...(opts.extra ?? []),
  );

const local = { address: '203.0.113.5', port: 20000 };

test('an offer lists PCMU, PCMA and telephone-event 0-16 with direction and ptime', () => {
  const sdp = createOffer({ ...local, direction: 'sendonly' });
  assert.match(sdp, /^v=0\r\n/);
  assert.match(sdp, /\r\nc=IN IP4 203\.0\.113\.5\r\n/);
  assert.match(sdp, /\r\nm=audio 20000 RTP\/AVP 0 8 101\r\n/);
  assert.match(sdp, /a=rtpmap:101 telephone-event\/8000\r\na=fmtp:101 0-16\r\n/);
  assert.match(sdp, /a=sendonly\r\n/);
  assert.match(sdp, /a=ptime:20\r\n/);
  assert.doesNotMatch(sdp, /a=rtcp:/);
  const stream = readAudioStream(sdp);
  assert.equal(stream?.rtcpPort, 20001);
  assert.equal(stream?.hold, true);
});

test('an offer with a non-adjacent RTCP port advertises it with a=rtcp', () => {
  const sdp = createOffer({ ...local, rtcpPort: 30001, dtmfPayloadType: null, codecs: ['PCMA'] });
  assert.match(sdp, /m=audio 20000 RTP\/AVP 8\r\n/);
  assert.match(sdp, /a=rtcp:30001\r\n/);
  assert.equal(readAudioStream(sdp)?.rtcpPort, 30001);
});

test('the answer picks the first common codec in offer order and keeps telephone-event', () => {
  const answer = createAnswer(phoneOffer(), local);
  assert.deepEqual(answer.format, { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
  assert.match(answer.sdp, /m=audio 20000 RTP\/AVP 8 101\r\n/);
  assert.match(answer.sdp, /a=fmtp:101 0-15\r\n/);
  assert.match(answer.sdp, /a=sendrecv\r\n/);
  assert.deepEqual(answer.remote, {
    address: '192.0.2.10',
    port: 49170,
    rtcpAddress: '192.0.2.10',
    rtcpPort: 49171,
    rtcpMux: false,
    direction: 'sendrecv',
  });
  assert.equal(answer.direction, 'sendrecv');
  assert.equal(answer.remoteHold, false);
});

test('the answer honours our codec list and skips codecs we do not speak', () => {
  const answer = createAnswer(phoneOffer({ codecs: '18 0 8 101' }), { ...local, codecs: ['PCMA'] });
  assert.equal(answer.format.codec, 'PCMA');
  const noDtmf = createAnswer(phoneOffer({ codecs: '0' }), local);
  assert.equal(noDtmf.format.telephoneEventPayloadType, undefined);
  assert.doesNotMatch(noDtmf.sdp, /telephone-event/);
});

test('a static payload type without rtpmap is recognised', () => {
  const offer = lines('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0');
  const answer = createAnswer(offer, local);
  assert.equal(answer.format.codec, 'PCMU');
  assert.match(answer.sdp, /a=rtpmap:0 PCMU\/8000/);
});

test('an rtcp-mux offer is answered without mux and RTCP goes to the next port', () => {
  const answer = createAnswer(phoneOffer({ extra: ['a=rtcp-mux'] }), local);
  assert.doesNotMatch(answer.sdp, /rtcp-mux/);
  assert.equal(answer.remote.rtcpMux, false);
  assert.equal(answer.remote.rtcpPort, 49171);
});

test('hold offers are answered with the reverse direction (RFC 3264 §8.4)', () => {
  const sendonly = createAnswer(phoneOffer({ direction: 'sendonly' }), local);
  assert.equal(sendonly.direction, 'recvonly');
  assert.equal(sendonly.remoteHold, true);
  assert.match(sendonly.sdp, /a=recvonly\r\n/);
  const inactive = createAnswer(phoneOffer({ direction: 'inactive' }), local);
  assert.equal(inactive.direction, 'inactive');
  assert.equal(inactive.remoteHold, true);
  const recvonly = createAnswer(phoneOffer({ direction: 'recvonly' }), local);
  assert.equal(recvonly.direction, 'sendonly');
  assert.equal(recvonly.remoteHold, false);
  const weHold = createAnswer(phoneOffer(), { ...local, direction: 'sendonly' });
  assert.equal(weHold.direction, 'sendonly');
});

test('the legacy c=0.0.0.0 hold form is detected and answered recvonly', () => {
  const stream = readAudioStream(phoneOffer({ c: '0.0.0.0' }));
  assert.equal(stream?.hold, true);
  assert.equal(stream?.direction, 'sendrecv');
  assert.equal(stream?.effectiveDirection, 'sendonly');
  const answer = createAnswer(phoneOffer({ c: '0.0.0.0' }), local);
  assert.equal(answer.direction, 'recvonly');
  assert.equal(answer.remoteHold, true);
  assert.match(answer.sdp, /c=IN IP4 203\.0\.113\.5/);
});

test('an offer with no codec in common is a typed 488-class error', () => {
  const offer = phoneOffer({ codecs: '18 101' });
  assert.throws(
    () => createAnswer(offer, local),
    (e: unknown) => e instanceof SdpNegotiationError && e.reason === 'no_common_codec' && e.code === 'sdp_not_acceptable',
  );
});

test('non-audio m-lines are rejected with port 0 in the same position', () => {
  const offer = lines(
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.1',
    's=-',
    'c=IN IP4 192.0.2.1',
    't=0 0',
    'm=video 5000 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    'm=audio 4000 RTP/AVP 0 101',
    'a=rtpmap:101 telephone-event/8000',
    'm=audio 4002 RTP/SAVP 0',
  );
  const answer = createAnswer(offer, local);
  const desc = parseSdp(answer.sdp);
  assert.deepEqual(
    desc.media.map((m) => [m.type, m.port, m.protocol]),
    [
      ['video', 0, 'RTP/AVP'],
      ['audio', 20000, 'RTP/AVP'],
      ['audio', 0, 'RTP/SAVP'],
    ],
  );
  assert.match(answer.sdp, /m=video 0 RTP\/AVP 96\r\n/);
  assert.equal(answer.stream.mediaIndex, 1);
  // telephone-event without fmtp means 0-15 (RFC 4733 §2.4.1)
  assert.match(answer.sdp, /a=fmtp:101 0-15/);
});

test('an offer with only video is refused as having no audio', () => {
  const offer = lines('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=video 5000 RTP/AVP 96');
  assert.throws(() => createAnswer(offer, local), (e: unknown) => e instanceof SdpNegotiationError && e.reason === 'no_audio');
});

test('garbage is an SdpParseError', () => {
  assert.throws(() => parseSdp('hello'), SdpParseError);
  assert.throws(() => parseSdp('v=0\r\ns=-\r\n'), SdpParseError);
});

test('reading an answer to our offer gives the codec, telephone-event type and remote', () => {
  const ours = { ...local, codecs: ['PCMU', 'PCMA'] as const };
  const theirs = lines(
    'v=0',
    'o=bob 1 1 IN IP4 198.51.100.7',
    's=-',
    'c=IN IP4 198.51.100.7',
    't=0 0',
    'm=audio 7078 RTP/AVP 8 96',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:96 telephone-event/8000',
    'a=rtcp:7080',
    'a=recvonly',
  );
  const got = readAnswer(theirs, ours);
  assert.deepEqual(got.format, { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 96 });
  assert.equal(got.remote.rtcpPort, 7080);
  assert.equal(got.direction, 'sendonly');
  const rejected = theirs.replace('m=audio 7078', 'm=audio 0');
  assert.throws(() => readAnswer(rejected, ours), SdpNegotiationError);
});

test('rewriting anchors c= and the audio port and keeps the other lines', () => {
  const offer = phoneOffer({ extra: ['a=rtcp:49171 IN IP4 192.0.2.10', 'a=rtcp-mux', 'a=x-custom:keep me'] });
  const out = rewriteSdp(offer, { address: '203.0.113.5', port: 30000 });
  assert.match(out, /\r\nc=IN IP4 203\.0\.113\.5\r\n/);
  assert.match(out, /\r\nm=audio 30000 RTP\/AVP 8 0 18 101\r\n/);
  assert.match(out, /a=rtcp:30001 IN IP4 203\.0\.113\.5\r\n/);
  assert.match(out, /a=x-custom:keep me\r\n/);
  assert.doesNotMatch(out, /rtcp-mux/);
  assert.match(out, /a=rtpmap:18 G729\/8000\r\n/);
  assert.match(out, /o=alice 2890844526 2890844526 IN IP4 192\.0\.2\.10/);
  assert.doesNotMatch(out, /192\.0\.2\.10 *\r\nt=/);
});

test('rewriting keeps the legacy hold address and disables streams we do not relay', () => {
  const held = rewriteSdp(phoneOffer({ c: '0.0.0.0', extra: ['m=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000'] }), {
    address: '203.0.113.5',
    port: 30000,
  });
  assert.match(held, /c=IN IP4 0\.0\.0\.0/);
  assert.match(held, /m=audio 30000 /);
  assert.match(held, /m=video 0 RTP\/AVP 96/);
  assert.equal(readAudioStream(held)?.hold, true);
});

test('the o= version increments only when the rewritten session changes (RFC 3264 §8)', () => {
  const origin = new SdpOrigin({ address: '203.0.113.5', sessionId: '42', version: 7 });
  const first = rewriteSdp(phoneOffer(), { address: '203.0.113.5', port: 30000, origin });
  assert.match(first, /o=- 42 7 IN IP4 203\.0\.113\.5/);
  const same = rewriteSdp(phoneOffer(), { address: '203.0.113.5', port: 30000, origin });
  assert.match(same, /o=- 42 7 IN IP4/);
  const hold = rewriteSdp(phoneOffer({ direction: 'sendonly' }), { address: '203.0.113.5', port: 30000, origin });
  assert.match(hold, /o=- 42 8 IN IP4/);
  const offer = createOffer(local, origin);
  assert.match(offer, /o=- 42 9 IN IP4/);
  assert.equal(origin.version, 9);
});

test('offeredFormat is what a leg uses while its offer in a 2xx awaits the ACK: first codec, static type, offered telephone-event', () => {
  const local = { address: '192.0.2.1', port: 4000 };
  assert.deepEqual(offeredFormat(local), { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 });
  assert.deepEqual(offeredFormat({ ...local, codecs: ['PCMA', 'PCMU'], dtmfPayloadType: 96 }), { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 96 });
  assert.deepEqual(offeredFormat({ ...local, codecs: ['PCMA'], dtmfPayloadType: null }), { codec: 'PCMA', payloadType: 8 });
  // And it matches the offer itself.
  const offer = createOffer({ ...local, codecs: ['PCMA', 'PCMU'], dtmfPayloadType: 96 });
  assert.match(offer, /m=audio 4000 RTP\/AVP 8 0 96/);
});
