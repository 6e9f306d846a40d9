// The cached endpoint directory over a real PGlite store: every write path reaches the cache
// before the write's promise resolves, "not found" is cached and cleared like the rest, a lookup
// racing a write never caches the old answer, and the TTL bounds a change the cache never heard of.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, silentLogger } from '../lib/index.ts';
import { openStore, type DocumentStore, type SqlDocumentStore, type StoredDoc } from '../store/index.ts';
import { AccountService } from './account-service.ts';
import { createAccountWithAdmin } from './bootstrap.ts';
import { DocumentService } from './document-service.ts';
import { EndpointDirectory, sipCredentials } from './endpoint-directory.ts';
import { accountKind, callflowKind, deviceKind, userKind } from './kinds/index.ts';

let clock: FakeClock;
let store: SqlDocumentStore;
let docs: DocumentService;
let accounts: AccountService;
let seq = 0;
const unique = (prefix: string): string => `${prefix}${++seq}`;

before(async () => {
  clock = new FakeClock();
  store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
  docs = new DocumentService(store);
  accounts = new AccountService(docs);
});

after(async () => {
  await store.close();
});

/** A store whose reads of `findBy` and `get` are counted, so a test can tell a hit from a query. */
function counted(inner: DocumentStore): { store: DocumentStore; readonly reads: number } {
  let reads = 0;
  const proxy = new Proxy(inner, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (prop === 'findBy' || prop === 'get' || prop === 'claimHolder' || prop === 'list') {
        return (...args: unknown[]) => {
          reads++;
          return bound(...args);
        };
      }
      return bound;
    },
  });
  return {
    store: proxy,
    get reads() {
      return reads;
    },
  };
}

const cachedDirectory = (over: DocumentStore = store, ttlMs = 60_000): EndpointDirectory => new EndpointDirectory(over, { cache: { clock, ttlMs } });

async function newAccount(extra: Record<string, unknown> = {}): Promise<StoredDoc> {
  const name = unique('acct');
  return accounts.create({ name, realm: `${name}.example.test`, ...extra }, undefined);
}

const newDevice = (account: StoredDoc, username: string, extra: Record<string, unknown> = {}): Promise<StoredDoc> =>
  docs.create(deviceKind, account, { name: `${username} phone`, sip: { username, password: 'first-secret' }, ...extra });

describe('EndpointDirectory with a cache', () => {
  test('a repeated lookup is answered without a store read', async () => {
    const account = await newAccount();
    await newDevice(account, 'alice');
    const reads = counted(store);
    const directory = cachedDirectory(reads.store);
    const first = await directory.deviceByUsername(account, 'alice');
    const afterFirst = reads.reads;
    const second = await directory.deviceByUsername(account, 'alice');
    assert.equal(reads.reads, afterFirst);
    assert.equal(second?._id, first?._id);
    assert.equal((await directory.accountByRealm(String(account['realm']).toUpperCase()))?._id, account._id);
    const realmReads = reads.reads;
    assert.equal((await directory.accountByRealm(String(account['realm'])))?._id, account._id);
    assert.equal(reads.reads, realmReads, 'the realm is looked up case-insensitively under one key');
    assert.ok(directory.cacheStats.hits >= 2);
    directory.close();
  });

  test('a changed password is used by the very next lookup', async () => {
    const account = await newAccount();
    const username = unique('alice');
    const device = await newDevice(account, username);
    const directory = cachedDirectory();
    const password = async (): Promise<string | undefined> => {
      const found = await directory.deviceByUsername(account, username);
      return found === undefined ? undefined : sipCredentials(found)?.password;
    };
    const uniquePassword = async (): Promise<string | undefined> => {
      const found = await directory.deviceByUniqueUsername(username);
      return found === undefined ? undefined : sipCredentials(found.device)?.password;
    };
    assert.equal(await password(), 'first-secret');
    assert.equal(await uniquePassword(), 'first-secret');
    await docs.patch(deviceKind, account, device._id, { sip: { username, password: 'second-secret' } });
    assert.equal(await password(), 'second-secret');
    assert.equal(await uniquePassword(), 'second-secret');
    directory.close();
  });

  test('a disabled device disappears at once, and comes back when enabled', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'bob');
    const directory = cachedDirectory();
    assert.ok(await directory.deviceByUsername(account, 'bob'));
    assert.ok(await directory.device(account._id, device._id));
    await docs.patch(deviceKind, account, device._id, { enabled: false });
    assert.equal(await directory.deviceByUsername(account, 'bob'), undefined);
    assert.equal(await directory.device(account._id, device._id), undefined);
    await docs.patch(deviceKind, account, device._id, { enabled: true });
    assert.ok(await directory.deviceByUsername(account, 'bob'));
    assert.ok(await directory.device(account._id, device._id));
    directory.close();
  });

  test('a deleted device disappears at once', async () => {
    const account = await newAccount();
    const device = await newDevice(account, unique('carol'));
    const username = String((device['sip'] as Record<string, unknown>)['username']);
    const directory = cachedDirectory();
    assert.ok(await directory.deviceByUsername(account, username));
    assert.ok(await directory.deviceByUniqueUsername(username));
    await docs.remove(deviceKind, account._id, device._id);
    assert.equal(await directory.deviceByUsername(account, username), undefined);
    assert.equal(await directory.deviceByUniqueUsername(username), undefined);
    assert.equal(await directory.device(account._id, device._id), undefined);
    directory.close();
  });

  test('a device created after a failed lookup is found at once (the "not found" answer was cached)', async () => {
    const account = await newAccount();
    const username = unique('dave');
    const directory = cachedDirectory();
    assert.equal(await directory.deviceByUsername(account, username), undefined);
    assert.equal(await directory.deviceByUniqueUsername(username), undefined);
    const misses = directory.cacheStats.misses;
    assert.equal(await directory.deviceByUsername(account, username), undefined);
    assert.equal(directory.cacheStats.misses, misses, 'the negative answer came from the cache');
    await newDevice(account, username);
    assert.ok(await directory.deviceByUsername(account, username));
    assert.equal((await directory.deviceByUniqueUsername(username))?.account._id, account._id);
    directory.close();
  });

  test('a device whose username is renamed is found under the new name only', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'erin');
    const directory = cachedDirectory();
    assert.ok(await directory.deviceByUsername(account, 'erin'));
    assert.equal(await directory.deviceByUsername(account, 'erin2'), undefined);
    await docs.patch(deviceKind, account, device._id, { sip: { username: 'erin2', password: 'x-secret' } });
    assert.equal(await directory.deviceByUsername(account, 'erin'), undefined);
    assert.equal((await directory.deviceByUsername(account, 'erin2'))?._id, device._id);
    directory.close();
  });

  test('a disabled or deleted account is invisible at once, through every lookup that checks it', async () => {
    const account = await newAccount();
    const username = unique('frank');
    await newDevice(account, username);
    const realm = String(account['realm']);
    const directory = cachedDirectory();
    assert.ok(await directory.accountByRealm(realm));
    assert.ok(await directory.account(account._id));
    assert.ok(await directory.deviceByUniqueUsername(username));
    const disabled = await docs.patch(accountKind, account, account._id, { enabled: false });
    assert.equal(await directory.accountByRealm(realm), undefined);
    assert.equal(await directory.account(account._id), undefined);
    assert.equal(await directory.deviceByUniqueUsername(username), undefined);
    const enabled = await docs.patch(accountKind, disabled, account._id, { enabled: true });
    assert.ok(await directory.accountByRealm(realm));
    assert.ok(await directory.deviceByUniqueUsername(username));
    await docs.remove(accountKind, undefined, enabled._id);
    assert.equal(await directory.accountByRealm(realm), undefined);
    assert.equal(await directory.account(account._id), undefined);
    assert.equal(await directory.deviceByUniqueUsername(username), undefined);
    directory.close();
  });

  test("a changed realm moves the account's realm lookup", async () => {
    const account = await newAccount();
    const oldRealm = String(account['realm']);
    const newRealm = `${unique('moved')}.example.test`;
    const directory = cachedDirectory();
    assert.ok(await directory.accountByRealm(oldRealm));
    assert.equal(await directory.accountByRealm(newRealm), undefined);
    await docs.patch(accountKind, account, account._id, { realm: newRealm });
    assert.equal(await directory.accountByRealm(oldRealm), undefined);
    assert.equal((await directory.accountByRealm(newRealm))?._id, account._id);
    directory.close();
  });

  test('an account created by create-account (bootstrap) after a failed realm lookup is found at once', async () => {
    const name = unique('Boot');
    const realm = `${name.toLowerCase()}.example.test`;
    const directory = cachedDirectory();
    assert.equal(await directory.accountByRealm(realm), undefined);
    const { account, user } = await createAccountWithAdmin(accounts, docs, { name, realm, username: 'admin', password: 'secret' });
    assert.equal((await directory.accountByRealm(realm))?._id, account._id);
    assert.equal((await directory.user(account._id, user._id))?._id, user._id);
    directory.close();
  });

  test('callflow numbers: a new number routes at once, a removed one stops, a deleted callflow is gone', async () => {
    const account = await newAccount();
    const directory = cachedDirectory();
    assert.equal(await directory.callflowFor(account._id, '2001'), undefined);
    const flow = { module: 'device', data: { id: 'x' } };
    const callflow = await docs.create(callflowKind, account, { numbers: ['2001'], flow });
    assert.equal((await directory.callflowFor(account._id, '2001'))?.callflow._id, callflow._id);
    assert.ok(await directory.callflow(account._id, callflow._id));
    await docs.patch(callflowKind, account, callflow._id, { numbers: ['2002'] });
    assert.equal(await directory.callflowFor(account._id, '2001'), undefined);
    assert.equal((await directory.callflowFor(account._id, '2002'))?.callflow._id, callflow._id);
    await docs.remove(callflowKind, account._id, callflow._id);
    assert.equal(await directory.callflowFor(account._id, '2002'), undefined);
    assert.equal(await directory.callflow(account._id, callflow._id), undefined);
    directory.close();
  });

  test('callflow patterns: a pattern added to another callflow takes over at once', async () => {
    const account = await newAccount();
    const directory = cachedDirectory();
    const flow = { module: 'device', data: { id: 'x' } };
    const broad = await docs.create(callflowKind, account, { patterns: ['^3(\\d+)$'], flow });
    const first = await directory.callflowFor(account._id, '3123');
    assert.equal(first?.callflow._id, broad._id);
    assert.deepEqual(first?.captures, ['123']);
    first?.captures.push('changed by a caller');
    assert.deepEqual((await directory.callflowFor(account._id, '3123'))?.captures, ['123'], 'each caller gets its own captures');
    const narrow = await docs.create(callflowKind, account, { patterns: ['^31(\\d+)$'], flow });
    assert.equal((await directory.callflowFor(account._id, '3123'))?.callflow._id, narrow._id);
    directory.close();
  });

  test("users and owners: a disabled user and a device's new owner are seen at once", async () => {
    const account = await newAccount();
    const user = await docs.create(userKind, account, { first_name: 'Gina', last_name: 'Phone', username: unique('gina'), password: 'secret' });
    const device = await newDevice(account, unique('gina'));
    const directory = cachedDirectory();
    assert.deepEqual(await directory.devicesOfOwner(account._id, user._id), []);
    await docs.patch(deviceKind, account, device._id, { owner_id: user._id });
    assert.deepEqual((await directory.devicesOfOwner(account._id, user._id)).map((d) => d._id), [device._id]);
    const owned = await directory.devicesOfOwner(account._id, user._id);
    owned.length = 0;
    assert.equal((await directory.devicesOfOwner(account._id, user._id)).length, 1, 'each caller gets its own list');
    assert.ok(await directory.user(account._id, user._id));
    await docs.patch(userKind, account, user._id, { enabled: false });
    assert.equal(await directory.user(account._id, user._id), undefined);
    directory.close();
  });

  test('a write straight to the store (no document service) invalidates too', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'henry');
    const directory = cachedDirectory();
    assert.ok(await directory.deviceByUsername(account, 'henry'));
    await store.save({ ...device, enabled: false });
    assert.equal(await directory.deviceByUsername(account, 'henry'), undefined);
    directory.close();
  });

  test('a lookup that read the old device while a write committed does not cache it', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'ivan');
    // findBy reads, then waits for the test: the write commits (and invalidates) in between.
    let release: () => void = () => {};
    let read: () => void = () => {};
    const readDone = new Promise<void>((r) => (read = r));
    const gate = new Promise<void>((r) => (release = r));
    let gated = true;
    const slow = new Proxy(store as DocumentStore, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        if (prop !== 'findBy') return bound;
        return async (...args: unknown[]) => {
          const result = await bound(...args);
          if (gated) {
            read();
            await gate;
          }
          return result;
        };
      },
    });
    const directory = cachedDirectory(slow);
    const pending = directory.deviceByUsername(account, 'ivan');
    await readDone;
    gated = false;
    await docs.patch(deviceKind, account, device._id, { enabled: false });
    release();
    assert.ok(await pending, 'the racing lookup still answers what it read');
    assert.equal(await directory.deviceByUsername(account, 'ivan'), undefined, 'but did not cache it');
    directory.close();
  });

  test('a change the cache never heard of is seen after the TTL', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'judy');
    const deaf = new Proxy(store as DocumentStore, {
      get(target, prop) {
        if (prop === 'onChange') return () => () => {};
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const directory = cachedDirectory(deaf, 1000);
    assert.ok(await directory.deviceByUsername(account, 'judy'));
    await docs.patch(deviceKind, account, device._id, { enabled: false });
    assert.ok(await directory.deviceByUsername(account, 'judy'), 'within the TTL the missed change is not seen');
    clock.advance(1000);
    assert.equal(await directory.deviceByUsername(account, 'judy'), undefined);
    directory.close();
  });

  test('cached documents are frozen', async () => {
    const account = await newAccount();
    await newDevice(account, 'kim');
    const directory = cachedDirectory();
    const device = await directory.deviceByUsername(account, 'kim');
    assert.ok(device !== undefined && Object.isFrozen(device) && Object.isFrozen(device['sip']));
    directory.close();
  });

  test('after close() lookups read the store directly and stop listening for changes', async () => {
    const account = await newAccount();
    const device = await newDevice(account, 'lena');
    const reads = counted(store);
    const directory = cachedDirectory(reads.store);
    await directory.deviceByUsername(account, 'lena');
    directory.close();
    directory.close();
    assert.equal(directory.closed, true);
    assert.equal(directory.cacheStats.size, 0);
    const before = reads.reads;
    await docs.patch(deviceKind, account, device._id, { enabled: false });
    assert.equal(await directory.deviceByUsername(account, 'lena'), undefined);
    assert.equal(reads.reads, before + 1);
  });

  test('without a cache every lookup reads the store', async () => {
    const account = await newAccount();
    await newDevice(account, 'mia');
    const reads = counted(store);
    const directory = new EndpointDirectory(reads.store);
    await directory.deviceByUsername(account, 'mia');
    await directory.deviceByUsername(account, 'mia');
    assert.equal(reads.reads, 2);
    assert.deepEqual(directory.cacheStats, { hits: 0, misses: 0, size: 0 });
  });
});
