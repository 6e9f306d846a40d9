// What intercepting a ringing call relies on in the Dial: the registry of dials in progress
// (CallContext.dials) and handOver(), over an in-memory SIP network with a phone that only rings.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../bus/index.ts';
import { FakeClock, silentLogger } from '../../lib/index.ts';
import { MediaEngine, SdpOrigin } from '../../media/index.ts';
import { MemoryNetwork, SipStack } from '../../sip/index.ts';
import type { CallContext, PendingDial } from '../call-context.ts';
import { CallNotifier } from '../call-notifier.ts';
import { MemoryChannelDirectory } from '../channel-directory.ts';
import { Channel } from '../channel.ts';
import { Dial } from '../dialer.ts';

describe('Dial: the registry of ringing calls and handOver', () => {
  let engine: MediaEngine;
  let clock: FakeClock;
  let network: MemoryNetwork;
  let switchStack: SipStack;
  let phoneStack: SipStack;
  let ctx: CallContext & { dials: Map<string, PendingDial> };

  before(() => {
    clock = new FakeClock();
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    await engine.close();
  });

  const setup = (): void => {
    network = new MemoryNetwork({ clock });
    switchStack = new SipStack({ clock });
    switchStack.addTransport(network.createTransport({ address: '10.0.0.1', port: 5060 }));
    phoneStack = new SipStack({ clock });
    phoneStack.addTransport(network.createTransport({ address: '10.0.0.2', port: 5060 }));
    phoneStack.user = {
      onRequest: (request, tx) => {
        phoneStack.respond(tx, 180, undefined, { localContact: '<sip:phone@10.0.0.2:5060>' });
      },
    };
    const channels = new MemoryChannelDirectory();
    ctx = {
      stack: switchStack,
      engine,
      channels,
      bridges: new Map(),
      dials: new Map(),
      notifier: new CallNotifier(new MemoryBus(silentLogger), clock, silentLogger, 'test'),
      clock,
      logger: silentLogger,
      maxCallMs: 0,
      localContact: () => '<sip:switchboard@10.0.0.1:5060>',
      registerDialog: () => {},
    };
  };

  afterEach(() => {
    for (const c of ctx.channels.all()) c.hangup();
    flushSync();
    assert.equal(engine.stats().endpoints, 0, 'every leg released its media endpoint');
    switchStack.close();
    phoneStack.close();
    network.close();
  });

  const flushSync = (): void => {
    for (let i = 0; i < 5; i++) clock.advance(0);
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      clock.advance(0);
      await new Promise((r) => setImmediate(r));
    }
  };
  const channel = async (uuid: string, direction: 'inbound' | 'outbound'): Promise<Channel> => {
    const media = await engine.createEndpoint();
    media.setFormat({ codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
    const c = new Channel(
      { uuid, direction, accountId: 'acct', realm: 'acme.test', callerIdName: 'Alice', callerIdNumber: '1001', calleeIdName: '2001', calleeIdNumber: '2001', destination: '2001', fromUri: 'sip:1001@acme.test', toUri: 'sip:2001@acme.test', requestUri: 'sip:2001@acme.test' },
      media,
      clock,
      silentLogger,
    );
    ctx.channels.add(c);
    c.on('closed', () => ctx.channels.remove(c.uuid));
    return c;
  };
  const dialFor = (peer: Channel): Dial =>
    new Dial(ctx, [{ uri: 'sip:phone@10.0.0.2:5060', profile: { username: 'phone' } }], {
      accountId: 'acct',
      realm: 'acme.test',
      callerIdName: 'Alice',
      callerIdNumber: '1001',
      peer,
      timeoutMs: 10_000,
    });

  test('a dial lists its peer and its ringing leg in context.dials until it has an outcome', async () => {
    setup();
    const caller = await channel('caller-1', 'inbound');
    const dial = dialFor(caller);
    await dial.start();
    await flush();
    const [leg] = dial.ringing;
    assert.ok(leg !== undefined);
    assert.equal(leg.state, 'ringing');
    assert.equal(ctx.dials.get(caller.uuid), dial);
    assert.equal(ctx.dials.get(leg.uuid), dial);
    assert.equal(dial.peer, caller);
    dial.cancel('ORIGINATOR_CANCEL');
    await dial.outcome;
    assert.equal(ctx.dials.size, 0);
    assert.ok(dial.done);
  });

  test('handOver resolves the dial with the given leg, CANCELs its ringing legs as completed elsewhere, and only once', async () => {
    setup();
    const caller = await channel('caller-2', 'inbound');
    const taker = await channel('taker-2', 'outbound');
    const dial = dialFor(caller);
    await dial.start();
    await flush();
    const [leg] = dial.ringing;
    assert.ok(leg !== undefined);
    const media = { local: { address: '127.0.0.1', port: taker.media.port, rtcpPort: taker.media.rtcpPort, codecs: ['PCMA' as const], dtmfPayloadType: 101 }, origin: new SdpOrigin({ address: '127.0.0.1' }) };
    assert.equal(dial.handOver(taker, media, 'LOSE_RACE'), true);
    const outcome = await dial.outcome;
    assert.equal(outcome.answered, taker);
    assert.ok(leg.closed);
    assert.equal(leg.hangupCause, 'LOSE_RACE');
    await flush();
    const cancels = network.sent(/^CANCEL /);
    assert.equal(cancels.length, 1);
    assert.match(cancels[0]?.data.toString('latin1') ?? '', /Reason: SIP;cause=200;text="Call completed elsewhere"/);
    assert.equal(ctx.dials.size, 0);
    assert.equal(dial.handOver(taker, media, 'LOSE_RACE'), false);
    caller.hangup();
    taker.hangup();
  });

  test("a second dial for the same peer does not take the first one's place in the registry", async () => {
    setup();
    const caller = await channel('caller-3', 'inbound');
    const first = dialFor(caller);
    const second = dialFor(caller);
    await first.start();
    await second.start();
    await flush();
    assert.equal(ctx.dials.get(caller.uuid), first);
    assert.equal(network.sent(/^INVITE /).length, 2, 'both dials rang the phone');
    first.cancel('ORIGINATOR_CANCEL');
    second.cancel('ORIGINATOR_CANCEL');
    await Promise.all([first.outcome, second.outcome]);
    assert.equal(ctx.dials.size, 0);
    caller.hangup();
  });
});
