// Hardening: the whole switch against hand-built bad SIP over real loopback UDP and TCP sockets.
// Every case ends with the switch still answering, and the file ends with nothing left behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Harness } from '../support/api-harness.ts';
import { settled } from '../support/live-channels.ts';
import {
  ackFor,
  answers,
  newBranch,
  responseTo,
  uriOf,
  headerNames,
  isFinal,
  proxyAuthorization,
  sdpOffer,
  sipRequest,
  type BuiltRequest,
  type RawTcpPeer,
  type RawUdpPeer,
  type RequestSpec,
} from '../support/raw-sip.ts';
import { RawSipBench } from '../support/raw-sip-bench.ts';
import { PASSWORD, type Phones } from '../support/switch-fixture.ts';
import { eventually, withTimeout } from '../support/wait.ts';
import { DigestClient, type SipRequest, type SipResponse } from '../../src/sip/index.ts';
import { FakeClock } from '../../src/lib/index.ts';

/** How long "no answer" is waited for. */
const SILENCE_MS = 400;

describe('the switch against bad SIP input (raw sockets)', { timeout: 120_000 }, () => {
  let b: RawSipBench;
  let h: Harness;
  let p: Phones;
  const udp = (): Promise<RawUdpPeer> => b.udp();
  const tcp = (): Promise<RawTcpPeer> => b.tcp();
  const stillAnswers = (): Promise<void> => b.stillAnswers();
  const invite: RawSipBench['invite'] = (...args) => b.invite(...args);
  const authenticated: RawSipBench['authenticated'] = (...args) => b.authenticated(...args);

  before(async () => {
    b = await RawSipBench.start('Hardening');
    ({ h, p } = b);
  });

  after(async () => {
    await b?.close();
  });

  test('garbage datagrams get no answer and the switch keeps working', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const garbage = [
      randomBytes(512),
      Buffer.from('hello switch\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      Buffer.from('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n'),
      Buffer.from('INVITE\r\n\r\n'),
      Buffer.alloc(1024, 0),
      Buffer.from('\r\n\r\n'),
      Buffer.from(':::::\r\n:\r\n\r\n'),
    ];
    for (const g of garbage) await peer.send(g);
    assert.equal(await peer.take(() => true, SILENCE_MS), undefined, 'garbage was answered');
    await stillAnswers();
  });

  test('a truncated INVITE is answered 400 when its headers survived, and dropped when they did not', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const full = invite(peer, '2001');
    const text = full.text;
    // Cut inside the request line: nothing to answer.
    await peer.send(text.slice(0, 12));
    assert.equal(await peer.take(() => true, SILENCE_MS), undefined, 'a cut request line was answered');
    // Cut before Call-ID: no response can be built.
    await peer.send(text.slice(0, text.indexOf('Call-ID:')));
    assert.equal(await peer.take(() => true, SILENCE_MS), undefined, 'a request without Call-ID was answered');
    // Cut in the middle of the SDP body: every header is there, the body is short.
    await peer.send(text.slice(0, text.length - 40));
    const res = await peer.take(answers(full, 'INVITE'));
    assert.equal(res?.status, 400);
    await stillAnswers();
  });

  test('a body shorter than its Content-Length on UDP gets 400 (RFC 3261 §18.3)', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const options = sipRequest({ method: 'OPTIONS', body: 'abc', contentLength: 50, headers: [['Content-Type', 'text/plain']] }, peer.local);
    const res = await peer.final(options, 'OPTIONS');
    assert.equal(res?.status, 400);
    // Extra bytes after the declared body are discarded: the request is fine.
    const longer = sipRequest({ method: 'OPTIONS', body: 'abcdef', contentLength: 3, headers: [['Content-Type', 'text/plain']] }, peer.local);
    assert.equal((await peer.final(longer, 'OPTIONS'))?.status, 200);
    await stillAnswers();
  });

  for (const missing of ['Call-ID', 'CSeq', 'Via', 'From', 'To']) {
    test(`a request without ${missing} cannot be answered and is dropped`, { timeout: 20_000 }, async () => {
      const peer = await udp();
      await peer.send(sipRequest({ method: 'OPTIONS', omit: [missing] }, peer.local).text);
      await peer.send(invite(peer, '2001', { omit: [missing] }).text);
      assert.equal(await peer.take(() => true, SILENCE_MS), undefined, `a request without ${missing} was answered`);
      await stillAnswers();
    });
  }

  test('a request without Max-Forwards, or whose CSeq names another method, gets 400', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const noMaxForwards = sipRequest({ method: 'OPTIONS', omit: ['Max-Forwards'] }, peer.local);
    assert.equal((await peer.final(noMaxForwards, 'OPTIONS'))?.status, 400);
    const mismatch = sipRequest({ method: 'OPTIONS', cseqMethod: 'INVITE' }, peer.local);
    const res = await peer.final(mismatch, 'INVITE');
    assert.equal(res?.status, 400);
    await stillAnswers();
  });

  test('an unknown method gets 405 with Allow; OPTIONS gets 200 with Allow and Accept', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const foo = await peer.final(sipRequest({ method: 'FOO' }, peer.local), 'FOO');
    assert.equal(foo?.status, 405);
    assert.ok(foo?.headers.has('Allow'), '405 without Allow');
    assert.match(foo?.headers.getAll('Allow').join(',') ?? '', /INVITE/);
    assert.doesNotMatch(foo?.headers.getAll('Allow').join(',') ?? '', /FOO/);
    const options = await peer.final(sipRequest({ method: 'OPTIONS' }, peer.local), 'OPTIONS');
    assert.equal(options?.status, 200);
    assert.match(options?.headers.getAll('Allow').join(',') ?? '', /INVITE/);
    assert.match(options?.headers.getAll('Accept').join(',') ?? '', /application\/sdp/);
  });

  test('an INVITE requiring an unknown extension gets 420 with Unsupported (RFC 3261 §8.2.2.3)', { timeout: 20_000 }, async () => {
    const peer = await udp();
    for (const tag of ['100rel', 'x-no-such-option']) {
      const req = invite(peer, '2001', { headers: [['Require', tag]] });
      const res = await peer.final(req, 'INVITE', 4000, `sip:2001@${p.realm}`);
      assert.equal(res?.status, 420, `Require: ${tag}`);
      assert.deepEqual(res?.headers.getAll('Unsupported'), [tag]);
    }
    assert.equal(h.app.switch.channels.size, 0);
  });

  test('BYE and INFO outside any dialog get 481', { timeout: 20_000 }, async () => {
    const peer = await udp();
    for (const method of ['BYE', 'INFO']) {
      const noTag = await peer.final(sipRequest({ method }, peer.local), method);
      assert.equal(noTag?.status, 481, `${method} without a To tag`);
      const unknownDialog = await peer.final(sipRequest({ method, toTag: 'no-such-dialog', cseq: 7 }, peer.local), method);
      assert.equal(unknownDialog?.status, 481, `${method} in an unknown dialog`);
    }
  });

  test('wrong digest credentials get 407 again, the 6th failure 403, and an unknown user looks the same', { timeout: 40_000 }, async () => {
    const peer = await udp();
    const client = new DigestClient();
    const uri = `sip:2001@${p.realm}`;
    const callId = `auth-${randomBytes(6).toString('hex')}@127.0.0.1`;
    let cseq = 1;
    const attempt = async (user: string, password: string | undefined, challenge: SipResponse | undefined): Promise<SipResponse | undefined> => {
      const headers: [string, string][] =
        challenge !== undefined && password !== undefined ? [['Proxy-Authorization', proxyAuthorization(client, challenge, 'INVITE', uri, user, password)]] : [];
      const req = invite(peer, '2001', { user, callId: `${user}-${callId}`, cseq: cseq++, headers });
      return peer.final(req, 'INVITE', 4000, uri);
    };

    const first = await attempt('alice', undefined, undefined);
    assert.equal(first?.status, 407);
    assert.ok((first?.headers.getAll('Proxy-Authenticate').length ?? 0) > 0, '407 without Proxy-Authenticate');

    const wrong = await attempt('alice', 'not-the-password', first);
    assert.equal(wrong?.status, 407, 'a wrong password is challenged again');
    const unknown = await attempt('mallory', PASSWORD, first);
    assert.equal(unknown?.status, wrong?.status, 'an unknown user gets the answer a wrong password gets');
    assert.deepEqual(unknown && headerNames(unknown), wrong && headerNames(wrong), 'same header names');
    assert.equal(unknown?.headers.getAll('Proxy-Authenticate').length, wrong?.headers.getAll('Proxy-Authenticate').length);

    // Failures 2..5 are still challenged; the sixth attempt is refused outright.
    let last: SipResponse | undefined = wrong;
    for (let i = 2; i <= 5; i++) {
      last = await attempt('alice', 'not-the-password', last);
      assert.equal(last?.status, 407, `failure ${i}`);
    }
    const blocked = await attempt('alice', 'not-the-password', last);
    assert.equal(blocked?.status, 403, 'the 6th attempt after 5 failures');
    // Even the right password is refused while the block lasts.
    const right = await attempt('alice', PASSWORD, last);
    assert.equal(right?.status, 403, 'the right password while blocked');

    // The unknown user is blocked after the same number of failures (no enumeration by blocking).
    let u: SipResponse | undefined = unknown;
    for (let i = 2; i <= 5; i++) {
      u = await attempt('mallory', PASSWORD, u);
      assert.equal(u?.status, 407, `unknown user failure ${i}`);
    }
    assert.equal((await attempt('mallory', PASSWORD, u))?.status, 403, 'unknown user after 5 failures');
    assert.equal(h.app.switch.channels.size, 0);
  });

  test('an unsupported SIP version gets 505, a CANCEL matching nothing 481, a stray ACK nothing', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const v3 = sipRequest({ method: 'OPTIONS' }, peer.local);
    await peer.send(v3.text.replace('SIP/2.0\r\n', 'SIP/3.0\r\n'));
    assert.equal((await peer.take(answers(v3, 'OPTIONS')))?.status, 505);
    const cancel = await peer.final(sipRequest({ method: 'CANCEL', toUser: '2001', domain: p.realm }, peer.local), 'CANCEL');
    assert.equal(cancel?.status, 481);
    await peer.send(sipRequest({ method: 'ACK', toTag: 'nobody-knows', domain: p.realm }, peer.local).text);
    assert.equal(await peer.take(() => true, SILENCE_MS), undefined, 'a stray ACK was answered');
    await stillAnswers();
  });

  test('an authenticated INVITE with an unreadable SDP offer is refused and leaves no channel', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const { request } = await authenticated(peer, 'bob', '2001', { body: 'this is not SDP\r\n' });
    const res = await peer.final(request, 'INVITE', 3000, `sip:2001@${p.realm}`);
    assert.ok(res?.status === 400 || res?.status === 488, `status ${res?.status}`);
    await settled(h);
  });

  test('an authenticated INVITE to a number with an escaped NUL (%00) is a 404, not a 500', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const uri = `sip:20%0001@${p.realm}`;
    const { request } = await authenticated(peer, 'bob', '20%0001');
    const res = await peer.final(request, 'INVITE', 3000, uri);
    assert.equal(res?.status, 404);
  });

  test('a From or To user with an escaped NUL (%00) in a domain no account claims is challenged, not answered 500', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const inv = sipRequest({ method: 'INVITE', user: 'a%00b', toUser: '2001', domain: 'nowhere.test', body: sdpOffer(), headers: [['Content-Type', 'application/sdp']] }, peer.local);
    assert.equal((await peer.final(inv, 'INVITE', 4000, 'sip:2001@nowhere.test'))?.status, 407, 'INVITE');
    const reg = sipRequest({ method: 'REGISTER', user: 'a%00b', toUser: 'a%00b', domain: 'nowhere.test', uri: 'sip:nowhere.test' }, peer.local);
    assert.equal((await peer.final(reg, 'REGISTER'))?.status, 401, 'REGISTER');
  });

  test('a merged INVITE (same Call-ID, From tag and CSeq, another branch) gets 482 and makes no second channel (RFC 3261 §8.2.2.2)', { timeout: 20_000 }, async () => {
    const peer = await udp();
    const { request, client, challenge } = await authenticated(peer, 'bob', '2001');
    const uri = `sip:2001@${p.realm}`;
    const twin = invite(peer, '2001', {
      user: 'bob',
      callId: request.callId,
      cseq: request.cseq,
      fromTag: request.fromTag,
      headers: [['Proxy-Authorization', proxyAuthorization(client, challenge, 'INVITE', uri, 'bob', PASSWORD)]],
    });
    const created: string[] = [];
    const subscription = h.app.bus.subscribe('call.*.CHANNEL_CREATE.*', (m) => {
      if (m.payload['call_direction'] === 'inbound') created.push(String(m.payload['call_id']));
    });
    try {
      await peer.send(request.text);
      await peer.send(twin.text);
      const finals: SipResponse[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await peer.take((m): m is SipResponse => m.kind === 'response' && m.callId === request.callId && isFinal(m), 3000);
        if (res !== undefined) finals.push(res);
      }
      for (const r of finals) {
        const branch = /branch=([^;,\s]+)/.exec(r.headers.get('Via') ?? '')?.[1];
        await peer.send(ackFor(branch === twin.branch ? twin : request, r, peer.local, uri));
      }
      assert.deepEqual(finals.map((r) => r.status).sort(), [480, 482]);
      assert.equal(created.filter((id) => id.startsWith(request.callId)).length, 1, `inbound channels: ${created.join(', ')}`);
    } finally {
      subscription.unsubscribe();
    }
    await b.drained();
  });

  test('bad requests inside an established call are refused and the call goes on', { timeout: 30_000 }, async () => {
    const carol = await b.registeredPhone('carol');
    // The caller is bob: alice is blocked by the failed authentications above.
    const caller = await udp();
    const { request } = await authenticated(caller, 'bob', '2002');
    await caller.send(request.text);
    // Carol's phone answers the switch's INVITE by hand.
    const incoming = await carol.take((m): m is SipRequest => m.kind === 'request' && m.method === 'INVITE', 5000);
    assert.ok(incoming !== undefined, 'the switch did not call carol');
    const carolContact = `<sip:carol@127.0.0.1:${carol.local.port}>`;
    await carol.send(responseTo(incoming, 200, { toTag: 'carol-tag', contact: carolContact, sdp: sdpOffer(40100) }));
    assert.ok(await carol.take((m) => m.kind === 'request' && m.method === 'ACK', 5000), 'carol got no ACK');
    const ok = await caller.take((m): m is SipResponse => answers(request, 'INVITE')(m) && m.status === 200, 5000);
    assert.ok(ok !== undefined, 'the caller was not answered');
    const toTag = /;\s*tag=([^;>\s]+)/.exec(ok.headers.get('To') ?? '')?.[1];
    const target = uriOf(ok.headers.get('Contact') ?? '');
    assert.ok(toTag !== undefined && target !== '', 'the 200 has a To tag and a Contact');
    await caller.send(`ACK ${target} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${caller.local.port};branch=${newBranch()};rport\r\nMax-Forwards: 70\r\nFrom: ${ok.headers.get('From') ?? ''}\r\nTo: ${ok.headers.get('To') ?? ''}\r\nCall-ID: ${request.callId}\r\nCSeq: ${request.cseq} ACK\r\nContent-Length: 0\r\n\r\n`);
    await eventually(() => h.app.switch.channels.all().filter((c) => c.state === 'answered').length === 2, 5000);

    let cseq = request.cseq;
    const inDialog = (method: string, extra: Partial<RequestSpec> = {}): BuiltRequest =>
      sipRequest({ method, uri: target, user: 'bob', toUser: '2002', domain: p.realm, callId: request.callId, fromTag: request.fromTag, toTag, cseq: ++cseq, ...extra }, caller.local);

    const garbageSdp = inDialog('INVITE', { body: 'this is not SDP\r\n', headers: [['Content-Type', 'application/sdp']] });
    const reinvite = await caller.final(garbageSdp, 'INVITE', 4000, target);
    assert.ok(reinvite !== undefined && reinvite.status >= 400 && reinvite.status < 500, `re-INVITE with garbage SDP: ${reinvite?.status}`);
    const info = await caller.final(inDialog('INFO', { body: 'garbage', headers: [['Content-Type', 'application/dtmf-relay']] }), 'INFO');
    assert.ok(info !== undefined && info.status >= 400, `INFO with a garbage body: ${info?.status}`);
    const unknown = await caller.final(inDialog('FOO'), 'FOO');
    assert.equal(unknown?.status, 405);
    const oldCseq = await caller.final(inDialog('INFO', { cseq: 1 }), 'INFO');
    assert.equal(oldCseq?.status, 500, 'an in-dialog request with a lower CSeq (RFC 3261 §12.2.2)');
    const wrongTag = await caller.final(inDialog('BYE', { toTag: 'not-the-tag' }), 'BYE');
    assert.equal(wrongTag?.status, 481, 'a BYE with another To tag matches no dialog');
    assert.equal(h.app.switch.channels.all().filter((c) => c.state === 'answered').length, 2, 'the call was torn down');
    assert.equal(carol.inbox.filter((m) => m.kind === 'request' && m.method === 'BYE').length, 0, 'carol got a BYE');

    // The real BYE still ends both legs.
    const bye = await caller.final(inDialog('BYE'), 'BYE');
    assert.equal(bye?.status, 200);
    const carolBye = await carol.take((m): m is SipRequest => m.kind === 'request' && m.method === 'BYE', 5000);
    assert.ok(carolBye !== undefined, 'carol got no BYE');
    await carol.send(responseTo(carolBye, 200));
    await b.drained();
  });

  test('a TCP connection that sends garbage is closed', { timeout: 20_000 }, async () => {
    const http = await tcp();
    await http.send('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await withTimeout(http.ended, 5000, 'an HTTP request on the SIP port left the connection open');

    const binary = await tcp();
    await binary.send(Buffer.concat([randomBytes(256).map((b) => (b === 10 || b === 13 ? 32 : b)), Buffer.from('\r\n\r\n')]));
    await withTimeout(binary.ended, 5000, 'binary garbage left the connection open');

    const endless = await tcp();
    // A header section that never ends: closed once it passes the 64 KiB limit.
    await endless.send(Buffer.alloc(70 * 1024, 'a')).catch(() => {});
    await withTimeout(endless.ended, 5000, 'an endless header section left the connection open');
    await stillAnswers();
  });

  test('a framed but malformed request over TCP gets 400 and the connection stays usable', { timeout: 20_000 }, async () => {
    const peer = await tcp();
    const bad = sipRequest({ method: 'OPTIONS', omit: ['Max-Forwards'] }, peer.local);
    assert.equal((await peer.final(bad, 'OPTIONS'))?.status, 400);
    const good = sipRequest({ method: 'OPTIONS' }, peer.local);
    assert.equal((await peer.final(good, 'OPTIONS'))?.status, 200);
    assert.equal(peer.closed, false);
  });

  test('a TCP message split across many small writes is still parsed', { timeout: 30_000 }, async () => {
    const peer = await tcp();
    const options = sipRequest({ method: 'OPTIONS' }, peer.local);
    const pieces = await peer.sendInPieces(options.text, 7);
    assert.ok(pieces > 30, `${pieces} pieces`);
    assert.equal((await peer.finalOf(options, 'OPTIONS'))?.status, 200);
    // An INVITE with a body, 13 bytes at a time, and two requests in one write.
    const inv = invite(peer, '2001', { user: 'bob' });
    await peer.sendInPieces(inv.text, 13, 1);
    assert.equal((await peer.finalOf(inv, 'INVITE', 3000, `sip:2001@${p.realm}`))?.status, 407);
    const one = sipRequest({ method: 'OPTIONS' }, peer.local);
    const two = sipRequest({ method: 'FOO' }, peer.local);
    await peer.send(one.text + two.text);
    assert.equal((await peer.finalOf(one, 'OPTIONS'))?.status, 200);
    assert.equal((await peer.finalOf(two, 'FOO'))?.status, 405);
  });

  test('after all of it: no channel and no media endpoint is left', async () => {
    await b.drained();
    assert.equal(h.app.switch.engine.stats().relays, 0);
  });
});

describe('an INVITE flood from one source (switch on a frozen clock, so its flood guard never refills)', { timeout: 120_000 }, () => {
  let b: RawSipBench;
  let h: Harness;
  let flood: { sent: number; finals: number; trying: number; hanging: number; summary: string } | undefined;
  const udp = (): Promise<RawUdpPeer> => b.udp();
  const stillAnswers = (): Promise<void> => b.stillAnswers();
  const invite: RawSipBench['invite'] = (...args) => b.invite(...args);

  before(async () => {
    b = await RawSipBench.start('Flooded', new FakeClock(Date.now()));
    ({ h } = b);
  });

  after(async () => {
    await b?.close();
  });

  test('an INVITE flood from one source is answered in part, never crashes, and leaves nothing behind', { timeout: 60_000 }, async () => {
    const peer = await udp();
    const client = new DigestClient();
    const uri = `sip:2001@${b.p.realm}`;
    // One challenge gives a nonce the flood then reuses with increasing nonce-counts.
    const probe = invite(peer, '2001', { user: 'flooder' });
    const challenge = await peer.final(probe, 'INVITE', 4000, uri);
    assert.equal(challenge?.status, 407);
    const sent: BuiltRequest[] = [];
    const receivedBefore = h.app.switch.stack.transport.stats.received;
    for (let i = 0; i < 1000; i++) {
      const auth = proxyAuthorization(client, challenge as SipResponse, 'INVITE', uri, 'flooder', PASSWORD);
      const req = invite(peer, '2001', { user: 'flooder', headers: [['Proxy-Authorization', auth]] });
      sent.push(req);
      await peer.send(req.text);
      // The switch shares this event loop: let it read now and then, or the kernel drops the rest.
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
    }
    // Collect the final answers as they come and ACK each once (so its retransmissions stop),
    // until none is new for 1.5 s (bounded).
    const byCallId = new Map(sent.map((r) => [r.callId, r]));
    const finals = new Map<string, SipResponse>();
    const provisional = new Set<string>();
    const until = Date.now() + 20_000;
    let quietSince = Date.now();
    while (Date.now() < until && Date.now() - quietSince < 1500) {
      await new Promise((r) => setTimeout(r, 250));
      const arrived = peer.inbox.splice(0).filter((m): m is SipResponse => m.kind === 'response' && byCallId.has(m.callId));
      for (const m of arrived) if (m.status < 200) provisional.add(m.callId);
      const fresh = arrived.filter((m) => isFinal(m) && !finals.has(m.callId));
      if (fresh.length > 0) quietSince = Date.now();
      for (const [i, response] of fresh.entries()) {
        finals.set(response.callId, response);
        const req = byCallId.get(response.callId);
        if (req !== undefined) await peer.send(ackFor(req, response, peer.local, uri));
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
    }
    const statuses = new Map<number, number>();
    for (const r of finals.values()) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const summary = JSON.stringify(Object.fromEntries(statuses));
    flood = { sent: sent.length, finals: finals.size, trying: provisional.size, hanging: [...provisional].filter((id) => !finals.has(id)).length, summary };
    for (const status of statuses.keys()) assert.ok([407, 480, 503].includes(status), `unexpected status in ${summary}`);
    // The guard holds 200 INVITEs per source (the probe took one) and time does not refill it:
    // at most 199 of the flood got through to authentication and routing; the rest were refused
    // with 503 (or dropped, by the kernel or the guard).
    const through = (statuses.get(480) ?? 0) + (statuses.get(407) ?? 0);
    assert.ok(through > 0, `none of the flood got through: ${summary}`);
    assert.ok(through <= 199, `the flood guard let ${through} INVITEs through: ${summary}`);
    assert.ok(h.app.switch.stack.transport.stats.received - receivedBefore > 300, `the guard had nothing to drop: the switch read only ${h.app.switch.stack.transport.stats.received - receivedBefore} datagrams`);
    await b.drained(10_000);
    await stillAnswers();
  });

  test('no INVITE of the flood is left with a lone 100 Trying (RFC 3261 §17.1.1.2: a UAC in Proceeding has no Timer B)', () => {
    assert.ok(flood !== undefined, 'the flood test did not run');
    assert.equal(flood.hanging, 0, `${flood.hanging} of ${flood.sent} INVITEs got 100 Trying and nothing else (${flood.summary})`);
  });
});
