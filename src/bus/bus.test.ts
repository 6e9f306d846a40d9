import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, TopicPattern, encodeRoutingWord, decodeRoutingWord, type BusMessage } from './index.ts';

test('star matches exactly one word and hash zero or more', () => {
  const cases: [string, string, boolean][] = [
    ['call.*.CHANNEL_CREATE.*', 'call.acct.CHANNEL_CREATE.abc', true],
    ['call.*.CHANNEL_CREATE.*', 'call.acct.CHANNEL_CREATE', false],
    ['call.*.CHANNEL_CREATE.*', 'call.acct.CHANNEL_ANSWER.abc', false],
    ['call.#', 'call', true],
    ['call.#', 'call.a.b.c', true],
    ['#', 'anything.at.all', true],
    ['#.user.*', 'doc_created.db.user.id', true],
    ['#.user.*', 'user.id', true],
    ['a.#.b', 'a.b', true],
    ['a.#.b', 'a.x.y.b', true],
    ['a.#.b', 'a.x.y.c', false],
    ['literal.key', 'literal.key', true],
    ['literal.key', 'literal.keys', false],
  ];
  for (const [pattern, key, expected] of cases) {
    assert.equal(new TopicPattern(pattern).matches(key), expected, `${pattern} vs ${key}`);
  }
});

test('ids are encoded like KAZOO routing words', () => {
  assert.equal(encodeRoutingWord('routing.key'), 'routing%2Ekey');
  assert.equal(encodeRoutingWord('test&.192. 168. 5. 5#'), 'test%26%2E192%2E+168%2E+5%2E+5%23');
  assert.equal(encodeRoutingWord('*'), '*');
  assert.equal(decodeRoutingWord(encodeRoutingWord('a.b@c d')), 'a.b@c d');
});

test('messages reach matching subscribers only, and unsubscribe stops delivery', () => {
  const bus = new MemoryBus();
  const got: BusMessage[] = [];
  const sub = bus.subscribe('call.a1.*.*', (m) => got.push(m));
  bus.publish('call.a1.CHANNEL_CREATE.x', { n: 1 });
  bus.publish('call.a2.CHANNEL_CREATE.x', { n: 2 });
  sub.unsubscribe();
  bus.publish('call.a1.CHANNEL_CREATE.y', { n: 3 });
  assert.deepEqual(got.map((m) => m.payload['n']), [1]);
  assert.equal(bus.size, 0);
});

test('a throwing handler does not stop delivery to the others', () => {
  const bus = new MemoryBus();
  let delivered = 0;
  bus.subscribe('#', () => {
    throw new Error('boom');
  });
  bus.subscribe('#', () => delivered++);
  bus.publish('x', {});
  assert.equal(delivered, 1);
});

test('publish after close throws', async () => {
  const bus = new MemoryBus();
  await bus.close();
  await bus.close();
  assert.throws(() => bus.publish('x', {}), /closed/);
});
