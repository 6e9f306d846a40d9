import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClosedError, silentLogger } from '../../lib/index.ts';
import type { ListPage, ListQuery, StoredDoc } from '../../store/index.ts';
import { normalizeAddress, ResourceCatalog } from './resource-catalog.ts';

/** The two store reads the catalog makes, over a map of docs. */
class FakeStore {
  readonly docs = new Map<string, StoredDoc>();
  lists = 0;
  /** Resolved per `get` call in order, to reorder concurrent reads. */
  gate: Promise<void> | undefined;

  put(id: string, account: string, fields: Record<string, unknown>): StoredDoc {
    const doc: StoredDoc = { _id: id, _rev: '1-a', pvt_type: 'resource', pvt_account_id: account, pvt_created: 1, pvt_modified: 1, ...fields };
    this.docs.set(id, doc);
    return doc;
  }

  async get(id: string): Promise<StoredDoc | undefined> {
    const doc = this.docs.get(id);
    if (this.gate !== undefined) await this.gate;
    return doc;
  }

  async list(query: ListQuery): Promise<ListPage> {
    this.lists++;
    return { docs: [...this.docs.values()].filter((d) => d.pvt_type === query.type && d.pvt_deleted !== true) };
  }
}

const udp = (address: string, port: number) => ({ transport: 'udp' as const, address, port });
const tcp = (address: string, port: number) => ({ transport: 'tcp' as const, address, port });

describe('ResourceCatalog', () => {
  test('loads every account’s resources once and lists them per account', async () => {
    const store = new FakeStore();
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.1', port: 5060 }] });
    store.put('r2', 'acct2', { gateways: [{ server: '192.0.2.2', port: 5060 }] });
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    await catalog.load();
    assert.equal(store.lists, 1);
    assert.deepEqual(catalog.resourcesOf('acct1').map((r) => r._id), ['r1']);
    assert.deepEqual(catalog.resourcesOf('nobody'), []);
    assert.equal(catalog.size, 2);
  });

  test('over UDP a gateway is matched by address and port, over TCP by address alone', async () => {
    const store = new FakeStore();
    store.put('r1', 'acct1', { gateways: [{ server: '127.0.0.1', port: 5090 }] });
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    await catalog.load();
    assert.equal(catalog.trunkAt(udp('127.0.0.1', 5090))?.resource._id, 'r1');
    assert.equal(catalog.trunkAt(udp('::ffff:127.0.0.1', 5090))?.accountId, 'acct1');
    assert.equal(catalog.trunkAt(udp('127.0.0.1', 5091)), undefined, 'a phone on the same host is not the carrier');
    assert.equal(catalog.trunkAt(tcp('127.0.0.1', 41234))?.resource._id, 'r1');
    assert.equal(catalog.trunkAt(udp('127.0.0.2', 5090)), undefined);
  });

  test('host names are resolved once, when the resource is loaded', async () => {
    const store = new FakeStore();
    store.put('r1', 'acct1', { gateways: [{ server: 'sip.carrier.test', port: 5060 }, { server: 'gone.carrier.test', port: 5060 }] });
    const asked: string[] = [];
    const catalog = new ResourceCatalog({
      store,
      logger: silentLogger,
      resolveHost: async (host) => {
        asked.push(host);
        if (host === 'gone.carrier.test') throw new Error('ENOTFOUND');
        return ['198.51.100.7', '2001:DB8::7'];
      },
    });
    await catalog.load();
    assert.equal(catalog.trunkAt(udp('198.51.100.7', 5060))?.resource._id, 'r1');
    assert.equal(catalog.trunkAt(udp('2001:db8::7', 5060))?.resource._id, 'r1');
    assert.equal(catalog.trunkAt(udp('198.51.100.7', 5060))?.resource._id, 'r1');
    assert.deepEqual(asked, ['sip.carrier.test', 'gone.carrier.test']);
  });

  test('disabled resources and gateways are not trusted', async () => {
    const store = new FakeStore();
    store.put('r1', 'acct1', { enabled: false, gateways: [{ server: '192.0.2.1', port: 5060 }] });
    store.put('r2', 'acct1', { gateways: [{ server: '192.0.2.2', port: 5060, enabled: false }] });
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    await catalog.load();
    assert.equal(catalog.trunkAt(udp('192.0.2.1', 5060)), undefined);
    assert.equal(catalog.trunkAt(udp('192.0.2.2', 5060)), undefined);
    assert.equal(catalog.resourcesOf('acct1').length, 2);
  });

  test('a refresh follows edits and deletes of a resource', async () => {
    const store = new FakeStore();
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    await catalog.load();
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.1', port: 5060 }] });
    await catalog.refresh('r1');
    assert.equal(catalog.trunkAt(udp('192.0.2.1', 5060))?.resource._id, 'r1');
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.9', port: 5060 }] });
    await catalog.refresh('r1');
    assert.equal(catalog.trunkAt(udp('192.0.2.1', 5060)), undefined);
    assert.equal(catalog.trunkAt(udp('192.0.2.9', 5060))?.resource._id, 'r1');
    store.put('r1', 'acct1', { pvt_deleted: true, gateways: [{ server: '192.0.2.9', port: 5060 }] });
    await catalog.refresh('r1');
    assert.equal(catalog.trunkAt(udp('192.0.2.9', 5060)), undefined);
    assert.deepEqual(catalog.resourcesOf('acct1'), []);
    assert.equal(catalog.size, 0);
  });

  test('an older refresh that finishes last does not undo a newer one', async () => {
    const store = new FakeStore();
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.1', port: 5060 }] });
    let release!: () => void;
    store.gate = new Promise((resolve) => {
      release = resolve;
    });
    const older = catalog.refresh('r1');
    store.gate = undefined;
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.2', port: 5060 }] });
    await catalog.refresh('r1');
    release();
    await older;
    assert.equal(catalog.trunkAt(udp('192.0.2.2', 5060))?.resource._id, 'r1');
  });

  test('close forgets everything and is idempotent', async () => {
    const store = new FakeStore();
    store.put('r1', 'acct1', { gateways: [{ server: '192.0.2.1', port: 5060 }] });
    const catalog = new ResourceCatalog({ store, logger: silentLogger });
    await catalog.load();
    catalog.close();
    catalog.close();
    assert.equal(catalog.closed, true);
    assert.equal(catalog.size, 0);
    await catalog.refresh('r1');
    assert.equal(catalog.size, 0);
    await assert.rejects(catalog.load(), ClosedError);
  });

  test('addresses are compared in one form', () => {
    assert.equal(normalizeAddress('[2001:DB8::1]'), '2001:db8::1');
    assert.equal(normalizeAddress('::ffff:10.0.0.1'), '10.0.0.1');
  });
});
