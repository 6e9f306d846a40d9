import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { MediaEngine } from '../media/index.ts';
import { Channel, type ChannelProfile } from './channel.ts';
import { MemoryChannelDirectory } from './channel-directory.ts';

describe('MemoryChannelDirectory', { timeout: 20_000 }, () => {
  let engine: MediaEngine;
  const clock = new FakeClock();
  const made: Channel[] = [];

  before(() => {
    engine = new MediaEngine({ address: '127.0.0.1', portRange: { min: 0, max: 0 }, clock, logger: silentLogger });
  });

  after(async () => {
    for (const c of made) c.hangup();
    await engine.close();
  });

  const channel = async (uuid: string, accountId: string, realm: string, username?: string): Promise<Channel> => {
    const profile: ChannelProfile = {
      uuid,
      direction: 'inbound',
      accountId,
      realm,
      callerIdName: 'x',
      callerIdNumber: 'x',
      calleeIdName: 'y',
      calleeIdNumber: 'y',
      destination: 'y',
      fromUri: `sip:x@${realm}`,
      toUri: `sip:y@${realm}`,
      requestUri: `sip:y@${realm}`,
      ...(username !== undefined ? { username } : {}),
    };
    const c = new Channel(profile, await engine.createEndpoint(), clock, silentLogger);
    made.push(c);
    return c;
  };

  test('add, get, remove, size and all', async () => {
    const dir = new MemoryChannelDirectory();
    const a = await channel('a', 'acct1', 'one.test', 'alice');
    const b = await channel('b', 'acct1', 'one.test', 'bob');
    dir.add(a);
    dir.add(b);
    assert.equal(dir.size, 2);
    assert.equal(dir.get('a'), a);
    assert.equal(dir.get('nope'), undefined);
    assert.deepEqual(dir.all().map((c) => c.uuid).sort(), ['a', 'b']);
    dir.remove('a');
    dir.remove('a');
    dir.remove('never-there');
    assert.equal(dir.size, 1);
    assert.equal(dir.get('a'), undefined);
  });

  test('a channel id can be in the directory only once', async () => {
    const dir = new MemoryChannelDirectory();
    dir.add(await channel('dup', 'acct1', 'one.test'));
    await assert.rejects(async () => dir.add(await channel('dup', 'acct1', 'one.test')));
    assert.equal(dir.size, 1);
  });

  test('byAccount lists only the channels of that account', async () => {
    const dir = new MemoryChannelDirectory();
    for (const c of [await channel('1', 'acct1', 'one.test', 'alice'), await channel('2', 'acct2', 'two.test', 'alice'), await channel('3', 'acct1', 'one.test', 'carol')]) dir.add(c);
    assert.deepEqual(dir.byAccount('acct1').map((c) => c.uuid).sort(), ['1', '3']);
    assert.deepEqual(dir.byAccount('acct2').map((c) => c.uuid), ['2']);
    assert.deepEqual(dir.byAccount('acct3'), []);
  });

  test('byUsernames matches usernames and realm case-insensitively, within the realm only', async () => {
    const dir = new MemoryChannelDirectory();
    dir.add(await channel('u1', 'acct1', 'One.Test', 'Alice'));
    dir.add(await channel('u2', 'acct1', 'one.test', 'bob'));
    dir.add(await channel('u3', 'acct2', 'two.test', 'alice'));
    dir.add(await channel('u4', 'acct1', 'one.test'));
    assert.deepEqual(dir.byUsernames('one.test', ['ALICE']).map((c) => c.uuid), ['u1']);
    assert.deepEqual(dir.byUsernames('ONE.TEST', ['alice', 'Bob']).map((c) => c.uuid).sort(), ['u1', 'u2']);
    assert.deepEqual(dir.byUsernames('two.test', ['alice']).map((c) => c.uuid), ['u3']);
    assert.deepEqual(dir.byUsernames('one.test', []), [], 'no username, no channel');
    assert.deepEqual(dir.byUsernames('three.test', ['alice']), []);
  });

  test('listings are copies: changing the directory does not change a list already taken', async () => {
    const dir = new MemoryChannelDirectory();
    dir.add(await channel('c1', 'acct1', 'one.test'));
    const list = dir.all();
    dir.remove('c1');
    assert.equal(list.length, 1);
    assert.equal(dir.all().length, 0);
  });
});
