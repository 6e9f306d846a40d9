import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, SwitchboardError } from '../lib/index.ts';
import { LookupCache } from './lookup-cache.ts';

/** A loader that counts its calls and answers `value()` at the time of the call. */
function counting<T>(value: () => T): { load: () => Promise<T>; readonly calls: number } {
  let calls = 0;
  return {
    load: async () => {
      calls++;
      return value();
    },
    get calls() {
      return calls;
    },
  };
}

/** A loader whose answer the test releases by hand (a lookup in flight). */
function deferred<T>(): { load: () => Promise<T>; resolve: (value: T) => void; started: Promise<void> } {
  let resolve: (value: T) => void = () => {};
  let started: () => void = () => {};
  const startedPromise = new Promise<void>((r) => (started = r));
  const load = (): Promise<T> =>
    new Promise<T>((r) => {
      resolve = r;
      started();
    });
  return { load, resolve: (value) => resolve(value), started: startedPromise };
}

const newCache = (clock = new FakeClock(), ttlMs = 60_000, maxEntries = 100): LookupCache => new LookupCache({ clock, ttlMs, maxEntries });

describe('LookupCache', () => {
  test('a second lookup of the same key is answered from the cache', async () => {
    const cache = newCache();
    const loader = counting(() => ({ name: 'alice' }));
    const first = await cache.get('k', ['s'], loader.load);
    const second = await cache.get('k', ['s'], loader.load);
    assert.equal(loader.calls, 1);
    assert.equal(second, first);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1, size: 1 });
  });

  test('different keys are looked up separately', async () => {
    const cache = newCache();
    const loader = counting(() => 1);
    await cache.get('a', ['s'], loader.load);
    await cache.get('b', ['s'], loader.load);
    assert.equal(loader.calls, 2);
  });

  test('a "not found" answer is cached too, and invalidated like any other', async () => {
    const cache = newCache();
    let found: string | undefined;
    const loader = counting(() => found);
    assert.equal(await cache.get('k', ['type:a:device'], loader.load), undefined);
    assert.equal(await cache.get('k', ['type:a:device'], loader.load), undefined);
    assert.equal(loader.calls, 1);
    found = 'created';
    cache.invalidate(['type:a:device']);
    assert.equal(await cache.get('k', ['type:a:device'], loader.load), 'created');
    assert.equal(loader.calls, 2);
  });

  test('invalidating a scope drops only the entries that depend on it', async () => {
    const cache = newCache();
    const a = counting(() => 'a');
    const b = counting(() => 'b');
    await cache.get('ka', ['s1'], a.load);
    await cache.get('kb', ['s2'], b.load);
    cache.invalidate(['s1']);
    await cache.get('ka', ['s1'], a.load);
    await cache.get('kb', ['s2'], b.load);
    assert.equal(a.calls, 2);
    assert.equal(b.calls, 1);
  });

  test('the scopes of the answer (dependsOn) invalidate the entry too', async () => {
    const cache = newCache();
    const loader = counting(() => ({ id: 'd1' }));
    const dependsOn = (v: { id: string }): string[] => [`doc:${v.id}`];
    await cache.get('k', ['index'], loader.load, dependsOn);
    cache.invalidate(['doc:other']);
    await cache.get('k', ['index'], loader.load, dependsOn);
    assert.equal(loader.calls, 1);
    cache.invalidate(['doc:d1']);
    await cache.get('k', ['index'], loader.load, dependsOn);
    assert.equal(loader.calls, 2);
  });

  test('a lookup in flight when its scope is invalidated returns its answer but does not cache it', async () => {
    const cache = newCache();
    const slow = deferred<string>();
    const pending = cache.get('k', ['s'], slow.load);
    await slow.started;
    cache.invalidate(['s']); // a write commits while the lookup is reading
    slow.resolve('stale');
    assert.equal(await pending, 'stale');
    const fresh = counting(() => 'fresh');
    assert.equal(await cache.get('k', ['s'], fresh.load), 'fresh');
    assert.equal(fresh.calls, 1);
    assert.equal(await cache.get('k', ['s'], fresh.load), 'fresh');
    assert.equal(fresh.calls, 1);
  });

  test('a lookup in flight is stale when a scope of its answer is invalidated meanwhile', async () => {
    const cache = newCache();
    const slow = deferred<{ id: string }>();
    const pending = cache.get('k', ['index'], slow.load, (v) => [`doc:${v.id}`]);
    await slow.started;
    cache.invalidate(['doc:d1']);
    slow.resolve({ id: 'd1' });
    await pending;
    assert.equal(cache.stats.size, 0);
  });

  test('a lookup in flight is kept when only unrelated scopes change', async () => {
    const cache = newCache();
    const slow = deferred<string>();
    const pending = cache.get('k', ['s'], slow.load);
    await slow.started;
    cache.invalidate(['other']);
    slow.resolve('v');
    await pending;
    assert.equal(cache.stats.size, 1);
  });

  test('a lookup that started after the invalidation is cached', async () => {
    const cache = newCache();
    cache.invalidate(['s']);
    await cache.get('k', ['s'], async () => 'v');
    assert.equal(cache.stats.size, 1);
  });

  test('clear() empties the cache and keeps lookups in flight from storing', async () => {
    const cache = newCache();
    await cache.get('a', ['s'], async () => 1);
    const slow = deferred<number>();
    const pending = cache.get('b', ['t'], slow.load);
    await slow.started;
    cache.clear();
    slow.resolve(2);
    await pending;
    assert.equal(cache.stats.size, 0);
  });

  test('entries expire after the TTL, counted from the start of their lookup', async () => {
    const clock = new FakeClock();
    const cache = newCache(clock, 1000);
    const loader = counting(() => 'v');
    await cache.get('k', ['s'], loader.load);
    clock.advance(999);
    await cache.get('k', ['s'], loader.load);
    assert.equal(loader.calls, 1);
    clock.advance(1);
    await cache.get('k', ['s'], loader.load);
    assert.equal(loader.calls, 2);
  });

  test('the least recently used entry is dropped beyond maxEntries', async () => {
    const cache = newCache(new FakeClock(), 60_000, 2);
    const loads = new Map<string, number>();
    const get = (key: string): Promise<string> =>
      cache.get(key, [`s:${key}`], async () => {
        loads.set(key, (loads.get(key) ?? 0) + 1);
        return key;
      });
    await get('a');
    await get('b');
    await get('a'); // a is now the most recent
    await get('c'); // evicts b
    assert.equal(cache.stats.size, 2);
    await get('a');
    await get('c');
    assert.equal(loads.get('a'), 1);
    assert.equal(loads.get('c'), 1);
    await get('b');
    assert.equal(loads.get('b'), 2);
  });

  test('an evicted entry leaves no scope index behind (invalidating it later is harmless)', async () => {
    const cache = newCache(new FakeClock(), 60_000, 1);
    await cache.get('a', ['s'], async () => 1);
    await cache.get('b', ['t'], async () => 2);
    cache.invalidate(['s']);
    assert.deepEqual(cache.stats, { hits: 0, misses: 2, size: 1 });
    await cache.get('b', ['t'], async () => 3);
    assert.equal(cache.stats.hits, 1);
  });

  test('many invalidations while lookups are in flight stay bounded and make those lookups stale', async () => {
    const cache = newCache(new FakeClock(), 60_000, 10);
    const slow = deferred<string>();
    const pending = cache.get('k', ['s'], slow.load);
    await slow.started;
    for (let i = 0; i < 50; i++) cache.invalidate([`doc:${i}`]);
    slow.resolve('v');
    await pending;
    assert.equal(cache.stats.size, 0);
    await cache.get('k', ['s'], async () => 'v');
    assert.equal(cache.stats.size, 1);
  });

  test('a failed lookup is not cached and the error reaches the caller', async () => {
    const cache = newCache();
    await assert.rejects(cache.get('k', ['s'], async () => { throw new Error('db down'); }), /db down/);
    assert.equal(await cache.get('k', ['s'], async () => 'v'), 'v');
    assert.equal(cache.stats.size, 1);
  });

  test('cached values are frozen, so one caller cannot change what the next one gets', async () => {
    const cache = newCache();
    const value = await cache.get('k', ['s'], async () => ({ sip: { password: 'p' } }));
    assert.ok(Object.isFrozen(value));
    assert.ok(Object.isFrozen(value.sip));
    assert.throws(() => {
      (value.sip as { password: string }).password = 'changed';
    }, TypeError);
  });

  test('rejects a TTL or a bound that is not a positive integer', () => {
    const clock = new FakeClock();
    for (const [ttlMs, maxEntries] of [[0, 10], [-1, 10], [1.5, 10], [1000, 0], [1000, Number.NaN]] as const) {
      assert.throws(
        () => new LookupCache({ clock, ttlMs, maxEntries }),
        (error: unknown) => error instanceof SwitchboardError && error.code === 'invalid_cache_option',
      );
    }
  });
});
