// Late offer (RFC 3261 §13.2.1, RFC 3264 §5): the switch's offer in a 2xx, the answer in the ACK —
// for an INVITE without SDP and a re-INVITE without SDP — over in-memory SIP stacks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { MediaEngine, SdpNegotiationError, SdpOrigin, TONES, parseRtp, serializeRtp, type LocalMedia, type MediaFormat } from '../media/index.ts';
import { Dialog, Headers, makeResponse, MemoryNetwork, SipRequest, SipStack, type InviteServerTransaction, type SipResponse } from '../sip/index.ts';
import { Bridge } from './bridge.ts';
import { Channel, type ChannelProfile } from './channel.ts';
import { InboundLeg } from './inbound-leg.ts';
import { LateOffer, applyAckAnswer, offerInAnswer, onAckOf } from './late-offer.ts';
import { answerOfferlessReinvite } from './offerless-reinvite.ts';
import { channelProfile } from '../../test/support/channel-profile.ts';

const PROFILE: ChannelProfile = channelProfile({ uuid: 'late-1', callerIdNumber: 'alice', fromUri: 'sip:alice@acme.test' });
const SW_CONTACT = '<sip:switchboard@10.0.0.2:5060>';
const PHONE_MEDIA_PORT = 40_000;

/** A phone's SDP (offer or answer) at 127.0.0.1:`port`. */
function phoneSdp(options: { port?: number; formats?: string; dir?: string; version?: number } = {}): string {
  const formats = options.formats ?? '8 96';
  const maps = formats.split(' ').map((pt) => {
    if (pt === '0') return 'a=rtpmap:0 PCMU/8000';
    if (pt === '8') return 'a=rtpmap:8 PCMA/8000';
    return `a=rtpmap:${pt} telephone-event/8000\r\na=fmtp:${pt} 0-16`;
  });
  return [
    'v=0',
    `o=- 42 ${options.version ?? 1} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${options.port ?? PHONE_MEDIA_PORT} RTP/AVP ${formats}`,
    ...maps,
    `a=${options.dir ?? 'sendrecv'}`,
    '',
  ].join('\r\n');
}

const sdpBody = (sdp: string) => ({ body: Buffer.from(sdp), contentType: 'application/sdp' });

function world() {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork({ clock });
  const make = (address: string): SipStack => {
    const stack = new SipStack({ clock });
    stack.addTransport(network.createTransport({ address, port: 5060 }));
    return stack;
  };
  /** Delivers everything in flight (stack sends go through promises). */
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 6; i++) {
      clock.advance(0);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { clock, network, phone: make('10.0.0.1'), sw: make('10.0.0.2'), flush };
}

function invite(callId: string, body = ''): SipRequest {
  return new SipRequest(
    'INVITE',
    'sip:2001@10.0.0.2:5060',
    new Headers([
      ['From', '<sip:alice@acme.test>;tag=alice-tag'],
      ['To', '<sip:2001@acme.test>'],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', '<sip:alice@10.0.0.1:5060>'],
      ...(body === '' ? [] : ([['Content-Type', 'application/sdp']] as [string, string][])),
    ]),
    Buffer.from(body),
  );
}

function mLine(sdp: string): string {
  return /m=audio [0-9]+ RTP\/AVP[0-9 ]*/.exec(sdp)?.[0] ?? '';
}

function originOf(sdp: string): { id: string; version: number } {
  const m = /o=\S+ (\S+) (\d+) /.exec(sdp);
  return { id: m?.[1] ?? '', version: Number(m?.[2]) };
}

describe('late offer', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  const clock = new FakeClock(0);

  before(() => {
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });
  after(async () => {
    await engine.close();
  });

  const channel = async (uuid: string): Promise<Channel> => new Channel({ ...PROFILE, uuid }, await engine.createEndpoint(), clock, silentLogger);
  const localOf = (c: Channel): LocalMedia => ({ address: '127.0.0.1', port: c.media.port, rtcpPort: c.media.rtcpPort, codecs: ['PCMA', 'PCMU'], dtmfPayloadType: 101 });

  test('offerInAnswer offers every codec we support without an agreed format, exactly the agreed one with it', async () => {
    const c = await channel('offer-1');
    const media = { local: localOf(c), origin: new SdpOrigin({ address: '127.0.0.1', sessionId: '777' }) };
    const all = offerInAnswer(media, undefined);
    assert.equal(mLine(all.sdp), `m=audio ${c.media.port} RTP/AVP 8 0 101`);
    assert.match(all.sdp, /a=sendrecv/);
    const one = offerInAnswer(media, { codec: 'PCMU', payloadType: 0 }, 'sendonly');
    assert.equal(mLine(one.sdp), `m=audio ${c.media.port} RTP/AVP 0`, 'no telephone-event when the agreed format has none');
    assert.match(one.sdp, /a=sendonly/);
    assert.deepEqual(one.local.codecs, ['PCMU']);
    assert.equal(originOf(one.sdp).id, '777');
    c.hangup();
  });

  /** The switch side of an INVITE without SDP: a LateOffer on `c`, answered with `agreed`. */
  const serveLateOffer = (sw: SipStack, c: Channel, agreed: MediaFormat | undefined, bridges = new Map<string, Bridge>()) => {
    const late = new LateOffer(localOf(c), new SdpOrigin({ address: '127.0.0.1' }));
    const seen: { offer?: string; formatBeforeAck?: MediaFormat; awaitingBeforeAck?: boolean } = {};
    sw.user = {
      onRequest: (request, tx) => {
        const leg = new InboundLeg(sw, tx as InviteServerTransaction, SW_CONTACT, () => {});
        c.setSignalling(leg);
        c.localMedia = late;
        const offer = late.offer(c, agreed);
        seen.offer = offer.sdp;
        seen.formatBeforeAck = { ...c.media.format };
        seen.awaitingBeforeAck = late.awaitingAnswer;
        const dialog = leg.answer(offer.sdp);
        assert.ok(dialog);
        c.transition('answered');
        late.expectAnswer({ bridges, logger: silentLogger }, c, dialog, request, offer.local);
      },
      onDialogRequest: (_request, tx) => {
        sw.respond(tx, 200);
      },
    };
    return { late, seen };
  };

  test('an INVITE without SDP gets our offer in the 200; the answer in the ACK sets codec, telephone-event type and remote', async () => {
    const w = world();
    const c = await channel('late-a');
    const { late, seen } = serveLateOffer(w.sw, c, undefined);
    let received = '';
    w.phone.invite(invite('late-a'), {
      ack: (response: SipResponse) => {
        received = response.body.toString('utf8');
        return sdpBody(phoneSdp({ formats: '8 96' }));
      },
    });
    await w.flush();
    assert.equal(mLine(received), `m=audio ${c.media.port} RTP/AVP 8 0 101`, 'the offer in the 200 lists every codec we support');
    assert.deepEqual(seen.formatBeforeAck, { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 }, 'meanwhile the endpoint uses the first codec offered');
    assert.equal(seen.awaitingBeforeAck, true);
    assert.deepEqual(c.media.format, { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 96 });
    assert.equal(c.media.remote?.address, '127.0.0.1');
    assert.equal(c.media.remote?.port, PHONE_MEDIA_PORT);
    assert.equal(late.awaitingAnswer, false);
    assert.equal(c.closed, false);
    c.hangup();
    await w.flush();
    w.phone.close();
    w.sw.close();
  });

  test("with the callee's format agreed, the 200 offers exactly that codec (no transcoding)", async () => {
    const w = world();
    const c = await channel('late-b');
    serveLateOffer(w.sw, c, { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 });
    let received = '';
    w.phone.invite(invite('late-b'), {
      ack: (response: SipResponse) => {
        received = response.body.toString('utf8');
        return sdpBody(phoneSdp({ formats: '0 101' }));
      },
    });
    await w.flush();
    assert.equal(mLine(received), `m=audio ${c.media.port} RTP/AVP 0 101`);
    assert.deepEqual(c.media.format, { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 });
    c.hangup();
    await w.flush();
    w.phone.close();
    w.sw.close();
  });

  for (const [i, bad] of [
    { name: 'an ACK without SDP', ack: undefined },
    { name: 'an ACK answering a codec we did not offer', ack: phoneSdp({ formats: '8' }) },
    { name: 'an ACK with unreadable SDP', ack: 'this is not sdp' },
  ].entries()) {
    test(`${bad.name} ends the call: BYE with Q.850 cause 88, INCOMPATIBLE_DESTINATION`, async () => {
      const w = world();
      const c = await channel(`late-bad-${i}`);
      serveLateOffer(w.sw, c, { codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 });
      w.phone.user = { onRequest: () => {}, onDialogRequest: (_r, tx) => void w.phone.respond(tx, 200) };
      w.phone.invite(invite(`late-bad-${i}`), { ack: () => (bad.ack === undefined ? {} : sdpBody(bad.ack)) });
      await w.flush();
      assert.equal(c.closed, true);
      assert.equal(c.hangupCause, 'INCOMPATIBLE_DESTINATION');
      const byes = w.network.sent(/^BYE /);
      assert.equal(byes.length, 1);
      assert.match(byes[0]?.data.toString('latin1') ?? '', /Reason: Q\.850;cause=88;text="INCOMPATIBLE_DESTINATION"/);
      w.phone.close();
      w.sw.close();
    });
  }

  test('the answer in the ACK renumbers the bridge: telephone-event 96 from the caller reaches the callee as 101', async () => {
    const a = await channel('bridge-a');
    const b = await channel('bridge-b');
    const sockets: Socket[] = [];
    const bind = async (): Promise<Socket> => {
      const s = createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      sockets.push(s);
      return s;
    };
    const phoneA = await bind();
    const phoneB = await bind();
    const bridges = new Map<string, Bridge>();
    const local = localOf(a);
    a.media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    b.media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    b.media.setRemote({ address: '127.0.0.1', port: phoneB.address().port });
    const bridge = new Bridge(engine, a, b, bridges);
    const ack = new SipRequest('ACK', 'sip:switchboard@10.0.0.2', new Headers([['CSeq', '1 ACK']]), Buffer.from(phoneSdp({ port: phoneA.address().port, formats: '8 96' })));
    applyAckAnswer(a, { ...local, codecs: ['PCMA'] }, ack, bridges.get(a.uuid));
    assert.equal(a.media.format.telephoneEventPayloadType, 96);
    const got = new Promise<number>((resolve) => phoneB.once('message', (msg) => resolve(parseRtp(msg).payloadType)));
    phoneA.send(serializeRtp({ payloadType: 96, sequenceNumber: 1, timestamp: 160, ssrc: 1, marker: true, payload: Buffer.alloc(4) }), a.media.port, '127.0.0.1');
    assert.equal(await got, 101);
    bridge.unbridge();
    a.hangup();
    b.hangup();
    for (const s of sockets) s.close();
  });

  test('an ACK answering a codec other than the bridged peer\'s is refused, changing nothing (no transcoding)', async () => {
    const a = await channel('mismatch-a');
    const b = await channel('mismatch-b');
    const bridges = new Map<string, Bridge>();
    const local = localOf(a);
    a.media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    b.media.setFormat({ codec: 'PCMU', payloadType: 0, telephoneEventPayloadType: 101 });
    const bridge = new Bridge(engine, a, b, bridges);
    const ack = new SipRequest('ACK', 'sip:switchboard@10.0.0.2', new Headers([['CSeq', '1 ACK']]), Buffer.from(phoneSdp({ formats: '8 101' })));
    assert.throws(() => applyAckAnswer(a, { ...local, codecs: ['PCMA', 'PCMU'] }, ack, bridges.get(a.uuid)), SdpNegotiationError);
    assert.equal(a.media.format.codec, 'PCMA', 'unchanged');
    const same = new SipRequest('ACK', 'sip:switchboard@10.0.0.2', new Headers([['CSeq', '1 ACK']]), Buffer.from(phoneSdp({ formats: '0 101' })));
    assert.equal(applyAckAnswer(a, { ...local, codecs: ['PCMA', 'PCMU'] }, same, bridges.get(a.uuid)).format.codec, 'PCMU');
    bridge.unbridge();
    a.hangup();
    b.hangup();
  });

  test('onAckOf reports the ACK of the INVITE it waits for, once, and nothing after the dialog ended', () => {
    const request = invite('acks');
    const dialog = Dialog.uas(request, makeResponse(request, 200, undefined, { toTag: 'sw1', headers: [['Contact', SW_CONTACT]] }));
    const ack = (seq: number) => new SipRequest('ACK', 'sip:switchboard@10.0.0.2', new Headers([['CSeq', `${seq} ACK`]]));
    const seen: string[] = [];
    onAckOf(dialog, 1, (a) => seen.push(`first ${a.headers.get('CSeq')}`));
    onAckOf(dialog, 2, (a) => seen.push(`second ${a.headers.get('CSeq')}`));
    dialog.receiveRequest(ack(1));
    dialog.receiveRequest(ack(1));
    assert.deepEqual(seen, ['first 1 ACK'], 'the awaited ACK once; the one waiting for INVITE 2 ignores it');
    dialog.emit('ack', ack(1));
    assert.deepEqual(seen, ['first 1 ACK'], 'the first waiter stopped listening');
    dialog.terminate();
    assert.equal(dialog.listenerCount('ack'), 0, 'the dialog ended: no waiter left');
    dialog.emit('ack', ack(2));
    assert.deepEqual(seen, ['first 1 ACK']);
  });

  /** An established call from the phone, the switch holding `c`'s leg; re-INVITEs go through answerOfferlessReinvite. */
  const established = async (c: Channel, origin: SdpOrigin) => {
    const w = world();
    const holds: boolean[] = [];
    const bridges = new Map<string, Bridge>();
    const media = { local: localOf(c), origin };
    w.sw.user = {
      onRequest: (_request, tx) => {
        const leg = new InboundLeg(w.sw, tx as InviteServerTransaction, SW_CONTACT, () => {});
        c.setSignalling(leg);
        c.media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
        c.media.setRemote({ address: '127.0.0.1', port: PHONE_MEDIA_PORT });
        leg.answer(offerInAnswer(media, c.media.format).sdp);
        c.transition('answered');
      },
      onDialogRequest: (request, tx) => {
        if (request.method !== 'INVITE' || request.body.length > 0) {
          w.sw.respond(tx, 200);
          return;
        }
        answerOfferlessReinvite(
          { stack: w.sw, bridges, logger: silentLogger, localContact: SW_CONTACT, phoneHold: async (_ch, holding) => void holds.push(holding) },
          request,
          tx,
          c,
          media,
        );
      },
    };
    let dialog: Dialog | undefined;
    const call = w.phone.invite(invite(c.uuid, phoneSdp()));
    call.on('accepted', (_r, d) => {
      dialog = d;
    });
    await w.flush();
    assert.ok(dialog);
    const d = dialog;
    /** Sends a re-INVITE without SDP; the ACK carries `answer` (none when undefined); returns the 200's SDP. */
    const reinvite = async (answer: string | undefined, ackTwice = false): Promise<string> => {
      const request = d.createRequest('INVITE');
      const tx = w.phone.transactions.sendInvite(request);
      let offer = '';
      tx.on('final', (response) => {
        d.receiveResponse(response);
        offer = response.body.toString('utf8');
        const ack = d.createAck({ invite: request, ...(answer === undefined ? {} : sdpBody(answer)) });
        void w.phone.transactions.sendAck(ack);
        if (ackTwice) void w.phone.transactions.sendAck(ack);
      });
      await w.flush();
      return offer;
    };
    const close = async () => {
      c.hangup();
      await w.flush();
      w.phone.close();
      w.sw.close();
    };
    return { w, holds, bridges, reinvite, close };
  };

  test('a re-INVITE without SDP gets 200 with the leg\'s codec, same session id; a sendonly answer in the ACK holds the peer, sendrecv resumes', async () => {
    const c = await channel('re-1');
    const origin = new SdpOrigin({ address: '127.0.0.1', sessionId: '4242' });
    const call = await established(c, origin);
    const first = originOf(call.w.network.sent(/^SIP\/2\.0 200/)[0]?.data.toString('latin1') ?? '');
    const offer = await call.reinvite(phoneSdp({ port: PHONE_MEDIA_PORT + 2, dir: 'sendonly', formats: '8 101', version: 2 }), true);
    assert.equal(mLine(offer), `m=audio ${c.media.port} RTP/AVP 8 101`);
    assert.match(offer, /a=sendrecv/);
    const o = originOf(offer);
    assert.equal(o.id, '4242', 'same o= session id (RFC 3264 §8)');
    assert.equal(o.id, first.id);
    assert.equal(o.version, first.version, 'an unchanged SDP keeps its version');
    assert.equal(c.media.remote?.port, PHONE_MEDIA_PORT + 2, 'the answer moved the media');
    assert.equal(c.media.remoteDirection, 'sendonly');
    assert.deepEqual(call.holds, [true], 'the phone holds its peer; the ACK sent twice counts once');
    await call.reinvite(phoneSdp({ port: PHONE_MEDIA_PORT + 2, dir: 'sendrecv', formats: '8 101', version: 3 }));
    assert.deepEqual(call.holds, [true, false]);
    await call.close();
  });

  test('a re-INVITE without SDP whose ACK has no answer leaves the media as they were', async () => {
    const c = await channel('re-2');
    const call = await established(c, new SdpOrigin({ address: '127.0.0.1' }));
    const offer = await call.reinvite(undefined);
    assert.match(offer, /m=audio/);
    assert.equal(c.closed, false);
    assert.equal(c.media.remote?.port, PHONE_MEDIA_PORT);
    assert.deepEqual(c.media.format, { codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    assert.deepEqual(call.holds, []);
    await call.close();
  });

  test('a leg the switch holds for its peer is offered sendonly, and its answer does not count as a hold of its own', async () => {
    const c = await channel('re-3');
    const peer = await channel('re-3-peer');
    const call = await established(c, new SdpOrigin({ address: '127.0.0.1' }));
    // The hold command: the peer holds c (music to c), c's phone was re-INVITEd sendonly and said recvonly.
    const bridge = new Bridge(engine, c, peer, call.bridges);
    bridge.hold(c, engine.createTonePlayer(TONES.ringbackUs));
    peer.setOnHold(true);
    c.media.setRemote({ address: '127.0.0.1', port: PHONE_MEDIA_PORT, direction: 'recvonly' });
    const offer = await call.reinvite(phoneSdp({ formats: '8 101', dir: 'recvonly', version: 2 }));
    assert.match(offer, /a=sendonly/);
    assert.deepEqual(call.holds, []);
    bridge.unbridge();
    peer.hangup();
    await call.close();
  });
});
