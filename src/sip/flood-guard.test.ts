import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../lib/index.ts';
import type { Logger } from '../lib/index.ts';
import { Headers, SipRequest } from './message/index.ts';
import { FloodGuard, MemoryNetwork, SipStack } from './index.ts';
import type { Dialog, FloodGuardOptions } from './index.ts';

const SMALL = { capacity: 2, refillPerSecond: 1 };
const LIMITS = { invite: SMALL, register: SMALL, options: SMALL, other: SMALL };

function request(method: string, from: string, options: { toTag?: string; callId?: string } = {}): SipRequest {
  const r = new SipRequest(method, 'sip:switch@10.0.0.9', new Headers([
    ['From', '<sip:a@example.com>;tag=f1'],
    ['To', `<sip:b@example.com>${options.toTag === undefined ? '' : `;tag=${options.toTag}`}`],
    ['Call-ID', options.callId ?? `c-${Math.random()}`],
    ['CSeq', `1 ${method}`],
  ]));
  r.source = { transport: 'udp', address: from, port: 5000 + Math.floor(Math.random() * 1000) };
  return r;
}

/** A dialog store knowing the Call-IDs in `known`. */
function dialogs(known: string[] = []): FloodGuardOptions['dialogs'] {
  return { findForRequest: (r) => (known.includes(r.callId) ? {} : undefined) };
}

function admitted(guard: FloodGuard, n: number, make: () => SipRequest): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (guard.admit(make())) ok++;
  return ok;
}

test('each method class has its own bucket per source: a REGISTER flood leaves INVITE and OPTIONS alone', () => {
  const guard = new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(), limits: LIMITS });
  assert.equal(admitted(guard, 10, () => request('REGISTER', '10.0.0.1')), 2);
  assert.equal(admitted(guard, 10, () => request('INVITE', '10.0.0.1')), 2);
  assert.equal(admitted(guard, 10, () => request('OPTIONS', '10.0.0.1')), 2);
  assert.deepEqual(guard.refused, { invite: 8, register: 8, options: 8, other: 0 });
});

test('every other method shares one bucket, so inventing methods gives no fresh budget', () => {
  const guard = new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(), limits: LIMITS });
  const methods = ['MESSAGE', 'SUBSCRIBE', 'FOO', 'BAR', 'NOTIFY', 'BYE'];
  let ok = 0;
  for (const m of methods) if (guard.admit(request(m, '10.0.0.1'))) ok++;
  assert.equal(ok, 2);
  assert.equal(guard.classify(request('PUBLISH', '10.0.0.1')), 'other');
  assert.equal(guard.refused.other, 4);
});

test('the source is the IP address: another port of the same address shares the bucket, another address does not', () => {
  const guard = new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(), limits: LIMITS });
  // request() picks a random port every time.
  assert.equal(admitted(guard, 5, () => request('OPTIONS', '10.0.0.1')), 2);
  assert.equal(admitted(guard, 5, () => request('OPTIONS', '10.0.0.2')), 2);
  assert.equal(admitted(guard, 5, () => request('OPTIONS', '2001:db8::1')), 2);
});

test('buckets refill on the injected clock at the configured rate, never beyond their capacity', () => {
  const clock = new FakeClock();
  const guard = new FloodGuard({ clock, dialogs: dialogs(), limits: { register: { capacity: 4, refillPerSecond: 2 } } });
  assert.equal(admitted(guard, 10, () => request('REGISTER', '10.0.0.1')), 4);
  clock.advance(499);
  assert.equal(guard.admit(request('REGISTER', '10.0.0.1')), false, 'not one token yet');
  clock.advance(1);
  assert.equal(admitted(guard, 10, () => request('REGISTER', '10.0.0.1')), 1);
  clock.advance(60_000);
  assert.equal(admitted(guard, 10, () => request('REGISTER', '10.0.0.1')), 4, 'a long pause refills to the capacity only');
});

test('the defaults are 100 INVITEs/s (burst 200) and 50/s (burst 100) for REGISTER, OPTIONS and the rest', () => {
  const guard = new FloodGuard({ clock: new FakeClock(), dialogs: dialogs() });
  assert.equal(admitted(guard, 300, () => request('INVITE', '10.0.0.1')), 200);
  assert.equal(admitted(guard, 300, () => request('REGISTER', '10.0.0.1')), 100);
  assert.equal(admitted(guard, 300, () => request('OPTIONS', '10.0.0.1')), 100);
  assert.equal(admitted(guard, 300, () => request('MESSAGE', '10.0.0.1')), 100);
});

test('ACK, CANCEL and requests in a known dialog are never limited; a To tag of no known dialog is', () => {
  const guard = new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(['live-call']), limits: LIMITS });
  const inDialog = ['BYE', 'INVITE', 'INFO', 'NOTIFY', 'REFER', 'OPTIONS', 'UPDATE'];
  for (let i = 0; i < 20; i++) {
    for (const m of inDialog) assert.equal(guard.admit(request(m, '10.0.0.1', { toTag: 't', callId: 'live-call' })), true, `${m} in a dialog`);
    assert.equal(guard.admit(request('ACK', '10.0.0.1')), true);
    assert.equal(guard.admit(request('CANCEL', '10.0.0.1')), true);
  }
  assert.deepEqual(guard.refused, { invite: 0, register: 0, options: 0, other: 0 });
  assert.equal(admitted(guard, 5, () => request('BYE', '10.0.0.1', { toTag: 'stale' })), 2, 'a BYE of an unknown dialog is metered');
  assert.equal(admitted(guard, 5, () => request('INVITE', '10.0.0.1', { toTag: 'stale' })), 2, 'a re-INVITE of an unknown dialog is metered');
});

test('the bucket maps stay bounded: idle full buckets are forgotten, and past maxSources the least recent goes', () => {
  const clock = new FakeClock();
  const guard = new FloodGuard({ clock, dialogs: dialogs(), limits: LIMITS, maxSources: 100 });
  for (let i = 0; i < 1000; i++) guard.admit(request('OPTIONS', `10.1.${i >> 8}.${i & 255}`));
  assert.equal(guard.sources.options, 100, 'a spoofed sweep of 1,000 sources keeps 100');
  // A flooder seen all along stays remembered (least recently used goes first), so it stays refused.
  const flooder = '192.0.2.1';
  admitted(guard, 5, () => request('OPTIONS', flooder));
  for (let i = 0; i < 500; i++) {
    guard.admit(request('OPTIONS', `10.2.${i >> 8}.${i & 255}`));
    if (i % 50 === 0) assert.equal(guard.admit(request('OPTIONS', flooder)), false, 'the flooder got a fresh bucket');
  }
  assert.equal(guard.sources.options, 100);
  // Once a bucket would be full again (capacity / rate = 2 s), forgetting it loses nothing: the next
  // new source sweeps every such bucket away.
  clock.advance(2000);
  guard.admit(request('OPTIONS', '198.51.100.7'));
  assert.equal(guard.sources.options, 1);
});

test('refusals are logged at warn at most once per interval per class', () => {
  const clock = new FakeClock();
  const warnings: unknown[] = [];
  const logger: Logger = {
    trace: () => {}, debug: () => {}, info: () => {}, error: () => {},
    warn: (o) => warnings.push(o),
    child: () => logger,
  };
  const guard = new FloodGuard({ clock, dialogs: dialogs(), limits: LIMITS, logger, warnEveryMs: 1000 });
  admitted(guard, 50, () => request('REGISTER', '10.0.0.1'));
  admitted(guard, 50, () => request('OPTIONS', '10.0.0.1'));
  assert.equal(warnings.length, 2);
  clock.advance(1000);
  admitted(guard, 50, () => request('REGISTER', '10.0.0.1'));
  assert.equal(warnings.length, 3);
  assert.deepEqual(warnings[2], { source: '10.0.0.1', class: 'register', method: 'REGISTER', refused: 49 }, 'logged at the first refusal of the new interval');
});

test('a limit without capacity or rate is refused at construction', () => {
  assert.throws(() => new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(), limits: { options: { capacity: 0, refillPerSecond: 1 } } }), { code: 'invalid_flood_limit' });
  assert.throws(() => new FloodGuard({ clock: new FakeClock(), dialogs: dialogs(), limits: { invite: { capacity: 5, refillPerSecond: 0 } } }), { code: 'invalid_flood_limit' });
});

test('over two stacks: refused requests get no response at all, while BYE and re-INVITE of a live dialog still pass', () => {
  const clock = new FakeClock(0);
  const network = new MemoryNetwork({ clock });
  const alice = new SipStack({ clock });
  alice.addTransport(network.createTransport({ address: '10.0.0.1', port: 5060 }));
  const bob = new SipStack({ clock });
  bob.addTransport(network.createTransport({ address: '10.0.0.2', port: 5060 }));
  const guard = new FloodGuard({ clock, dialogs: bob.dialogs, limits: { invite: { capacity: 1, refillPerSecond: 0.001 }, register: SMALL } });
  const seen: string[] = [];
  bob.user = {
    admit: (r) => guard.admit(r),
    onRequest: (r, tx) => {
      seen.push(r.method);
      bob.respond(tx, 200, undefined, { localContact: '<sip:bob@10.0.0.2:5060>' });
    },
    onDialogRequest: (r, tx) => {
      seen.push(`${r.method} in dialog`);
      bob.respond(tx, 200, undefined, { localContact: '<sip:bob@10.0.0.2:5060>' });
    },
  };
  const invite = (callId: string): SipRequest => new SipRequest('INVITE', 'sip:bob@10.0.0.2:5060', new Headers([
    ['From', `<sip:alice@example.com>;tag=${callId}`],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', callId],
    ['CSeq', '1 INVITE'],
    ['Contact', '<sip:alice@10.0.0.1:5060>'],
  ]));
  let dialog: Dialog | undefined;
  alice.invite(invite('call-1')).on('accepted', (_r, d) => (dialog = d));
  clock.advance(0);
  assert.ok(dialog !== undefined, 'the first INVITE fits the budget');

  const refused = alice.invite(invite('call-2'));
  const outcome: string[] = [];
  refused.on('provisional', (r) => outcome.push(String(r.status)));
  refused.on('rejected', (r) => outcome.push(String(r.status)));
  for (let i = 0; i < 3; i++) {
    const register = new SipRequest('REGISTER', 'sip:10.0.0.2:5060', new Headers([
      ['From', '<sip:alice@example.com>;tag=r'], ['To', '<sip:alice@example.com>'], ['Call-ID', `reg-${i}`], ['CSeq', '1 REGISTER'],
    ]));
    alice.sendRequest(register).on('final', (r) => outcome.push(`REGISTER ${r.status}`));
  }
  clock.advance(0);
  assert.deepEqual(outcome, ['REGISTER 200', 'REGISTER 200'], 'the second INVITE and the third REGISTER got nothing, not even 100 Trying');
  assert.equal(bob.transactions.stats.refused, 2);
  assert.equal(network.sent(/^SIP\/2.0 100/).length, 1, 'only the admitted INVITE got 100 Trying');

  const reinvite = alice.reinvite(dialog);
  const statuses: number[] = [];
  reinvite.on('final', (r) => statuses.push(r.status));
  clock.advance(0);
  const bye = alice.request(dialog, 'BYE');
  bye.on('final', (r) => statuses.push(r.status));
  clock.advance(0);
  assert.deepEqual(statuses, [200, 200]);
  assert.deepEqual(seen, ['INVITE', 'REGISTER', 'REGISTER', 'INVITE in dialog', 'BYE in dialog']);
  assert.deepEqual(guard.refused, { invite: 1, register: 1, options: 0, other: 0 });

  alice.close();
  bob.close();
  network.close();
  assert.equal(clock.pending, 0);
});
