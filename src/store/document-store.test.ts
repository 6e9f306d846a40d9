// One behaviour suite for the document store, run against embedded PGlite (in memory) and
// PostgreSQL (DATABASE_URL, in a throwaway schema dropped at the end).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ClosedError, FakeClock, SwitchboardError, randomHex, silentLogger, toGregorian } from '../lib/index.ts';
import {
  ConflictError,
  NotFoundError,
  SqlDocumentStore,
  UniqueError,
  openPostgresClient,
  openStore,
  parseFilters,
  type DocChange,
  type Filter,
  type StoredDoc,
} from './index.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SKIP_POSTGRES = process.env.SWITCHBOARD_SKIP_POSTGRES === '1';

interface Backend {
  readonly store: SqlDocumentStore;
  readonly clock: FakeClock;
  /** Another store on the same database (close tests); closed by the caller. */
  openAnother(): Promise<SqlDocumentStore>;
}

/** A type name no other test uses, so tests can share one store. */
const freshType = (): string => `t_${randomHex(6)}`;
const ids = (docs: readonly StoredDoc[]): string[] => docs.map((d) => d._id);

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof SwitchboardError && error.code === code);
}

function behaviourSuite(name: string, setUp: () => Promise<Backend>, tearDown: () => Promise<void>, skip = false): void {
  describe(name, { skip }, () => {
    let backend: Backend;
    let store: SqlDocumentStore;
    let clock: FakeClock;
    const now = (): number => toGregorian(clock.now());
    before(async () => {
      backend = await setUp();
      store = backend.store;
      clock = backend.clock;
    });
    after(tearDown);

    describe('create, get and save', () => {
      test('create gives a 32-hex id, revision 1 and Gregorian timestamps from the clock', async () => {
        const doc = await store.create({ pvt_type: freshType(), name: 'alice' });
        assert.match(doc._id, /^[0-9a-f]{32}$/);
        assert.match(doc._rev, /^1-[0-9a-f]{32}$/);
        assert.equal(doc.pvt_created, now());
        assert.equal(doc.pvt_modified, now());
        assert.deepEqual(await store.get(doc._id), doc);
      });

      test('create keeps a given id and refuses an id that exists, even soft-deleted', async () => {
        const type = freshType();
        const id = `given-${randomHex(4)}`;
        const doc = await store.create({ pvt_type: type, _id: id });
        assert.equal(doc._id, id);
        await assert.rejects(store.create({ pvt_type: type, _id: id }), ConflictError);
        await store.softDelete(id);
        await assert.rejects(store.create({ pvt_type: type, _id: id }), ConflictError);
      });

      test('get of an unknown id is undefined', async () => {
        assert.equal(await store.get('nope'), undefined);
      });

      test('save increments the revision, refreshes pvt_modified and never changes pvt_created', async () => {
        const created = await store.create({ pvt_type: freshType(), name: 'a' });
        clock.advance(5000);
        const saved = await store.save({ ...created, name: 'b', pvt_created: 1 });
        assert.match(saved._rev, /^2-[0-9a-f]{32}$/);
        assert.equal(saved.name, 'b');
        assert.equal(saved.pvt_created, created.pvt_created);
        assert.equal(saved.pvt_modified, created.pvt_modified + 5);
        assert.deepEqual(await store.get(created._id), saved);
        const third = await store.save(saved);
        assert.match(third._rev, /^3-/);
      });

      test('private fields are stored as given and read back', async () => {
        const doc = await store.create({ pvt_type: freshType(), pvt_vsn: '1', _read_only: { x: 1 }, pvt_account_id: 'acc1' });
        const read = await store.get(doc._id);
        assert.equal(read?.pvt_vsn, '1');
        assert.deepEqual(read?._read_only, { x: 1 });
        assert.equal(read?.pvt_account_id, 'acc1');
      });

      test('a save with a stale revision is a conflict and writes nothing', async () => {
        const first = await store.create({ pvt_type: freshType(), n: 1 });
        const second = await store.save({ ...first, n: 2 });
        await assert.rejects(store.save({ ...first, n: 3 }), ConflictError);
        await assert.rejects(store.save({ ...first, _rev: 'garbage', n: 3 }), ConflictError);
        assert.deepEqual(await store.get(first._id), second);
      });

      test('two concurrent saves of the same revision: exactly one wins', async () => {
        const doc = await store.create({ pvt_type: freshType(), n: 0 });
        const results = await Promise.allSettled([1, 2, 3, 4].map((n) => store.save({ ...doc, n })));
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
        const stored = await store.get(doc._id);
        assert.match(stored?._rev ?? '', /^2-/);
        assert.deepEqual(stored, won[0]?.status === 'fulfilled' ? won[0].value : undefined);
      });

      test('saving a doc that does not exist is not found', async () => {
        const ghost = { _id: 'ghost', _rev: `1-${randomHex(16)}`, pvt_type: 'x', pvt_created: 0, pvt_modified: 0 };
        await assert.rejects(store.save(ghost), NotFoundError);
      });

      test('a doc without pvt_type is refused', async () => {
        await rejectsWith(store.create({ pvt_type: '' }), 'invalid_document');
      });
    });

    describe('unique claims', () => {
      test('lookups of a value with a NUL byte match nothing instead of failing (PostgreSQL text holds no NUL)', async () => {
        assert.equal(await store.get('a\0b'), undefined);
        assert.deepEqual(await store.findBy(freshType(), ['name'], 'x\0y'), []);
        assert.equal(await store.claimHolder({ scope: 'realm', key: 'x\0y' }), undefined);
      });

      test('claimHolder finds the live doc holding a claim, and nothing once it is deleted', async () => {
        const claim = { scope: `number:${randomHex(4)}`, key: '2000' };
        const doc = await store.create({ pvt_type: freshType() }, { unique: [claim] });
        assert.equal((await store.claimHolder(claim))?._id, doc._id);
        assert.equal(await store.claimHolder({ scope: claim.scope, key: '2001' }), undefined);
        await store.softDelete(doc._id);
        assert.equal(await store.claimHolder(claim), undefined);
      });

      test('a claim held by another live doc fails the write and writes nothing', async () => {
        const type = freshType();
        const realm = { scope: 'realm', key: `${randomHex(4)}.example.com` };
        const a = await store.create({ pvt_type: type }, { unique: [realm] });
        const error = await store.create({ pvt_type: type, _id: `b-${randomHex(4)}` }, { unique: [realm] }).catch((e: unknown) => e);
        assert.ok(error instanceof UniqueError);
        assert.equal(error.holder, a._id);
        assert.equal(error.key, realm.key);
        assert.deepEqual((await store.list({ type })).docs.map((d) => d._id), [a._id]);
        const b = await store.create({ pvt_type: type }, { unique: [{ scope: 'realm', key: `other-${randomHex(4)}` }] });
        await assert.rejects(store.save(b, { unique: [realm] }), UniqueError);
        assert.equal((await store.get(b._id))?._rev, b._rev);
      });

      test('re-saving with the same claims keeps them; omitting unique leaves them as they are', async () => {
        const claim = { scope: 'sip', key: randomHex(6) };
        const a = await store.create({ pvt_type: freshType() }, { unique: [claim] });
        const a2 = await store.save(a, { unique: [claim] });
        await store.save(a2);
        await assert.rejects(store.create({ pvt_type: freshType() }, { unique: [claim] }), UniqueError);
      });

      test('a claim dropped from the set is released for others', async () => {
        const old = { scope: 'number', key: randomHex(6) };
        const next = { scope: 'number', key: randomHex(6) };
        const a = await store.create({ pvt_type: freshType() }, { unique: [old] });
        await store.save(a, { unique: [next] });
        await store.create({ pvt_type: freshType() }, { unique: [old] });
        await assert.rejects(store.create({ pvt_type: freshType() }, { unique: [next] }), UniqueError);
      });

      test('soft delete releases every claim of the doc', async () => {
        const claims = [
          { scope: 'realm', key: randomHex(6) },
          { scope: 'name', key: randomHex(6) },
        ];
        const a = await store.create({ pvt_type: freshType() }, { unique: claims });
        await store.softDelete(a._id);
        await store.create({ pvt_type: freshType() }, { unique: claims });
      });

      test('two concurrent creates with the same claim: exactly one wins', async () => {
        const type = freshType();
        const claim = { scope: 'realm', key: randomHex(6) };
        const results = await Promise.allSettled([1, 2, 3].map(() => store.create({ pvt_type: type }, { unique: [claim] })));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof UniqueError);
        assert.equal((await store.list({ type })).docs.length, 1);
      });
    });

    describe('soft delete', () => {
      test('soft delete saves a new revision with pvt_deleted, hidden from get and listings', async () => {
        const type = freshType();
        const doc = await store.create({ pvt_type: type });
        const keep = await store.create({ pvt_type: type });
        clock.advance(1000);
        const deleted = await store.softDelete(doc._id, doc._rev);
        assert.match(deleted._rev, /^2-/);
        assert.equal(deleted.pvt_deleted, true);
        assert.equal(deleted.pvt_modified, now());
        assert.equal(await store.get(doc._id), undefined);
        assert.deepEqual(await store.get(doc._id, { includeDeleted: true }), deleted);
        assert.deepEqual(ids((await store.list({ type })).docs), [keep._id]);
        assert.equal((await store.list({ type, includeDeleted: true })).docs.length, 2);
        assert.deepEqual(await store.findBy(type, ['_id'], doc._id), []);
      });

      test('soft delete of an unknown or deleted doc is not found; with a stale rev it is a conflict', async () => {
        const doc = await store.create({ pvt_type: freshType() });
        const saved = await store.save(doc);
        await assert.rejects(store.softDelete(doc._id, doc._rev), ConflictError);
        await store.softDelete(doc._id, saved._rev);
        await assert.rejects(store.softDelete(doc._id), NotFoundError);
        await assert.rejects(store.softDelete('unknown'), NotFoundError);
      });
    });

    describe('listings', () => {
      let type: string;
      let all: StoredDoc[];
      before(async () => {
        type = freshType();
        all = [];
        for (let i = 0; i < 7; i++) {
          // Docs 3 and 4 share a creation second: the id breaks the tie.
          if (i !== 4) clock.advance(1000);
          all.push(await store.create({ pvt_type: type, pvt_account_id: i % 2 === 0 ? 'even' : 'odd', i }));
        }
      });
      // Creation time first; docs created in the same second keep their insertion order.
      const ascendingOrder = (): StoredDoc[] => [...all].sort((a, b) => a.pvt_created - b.pvt_created || all.indexOf(a) - all.indexOf(b));

      async function walk(pageSize: number, ascending: boolean): Promise<StoredDoc[][]> {
        const pages: StoredDoc[][] = [];
        let startKey: string | undefined;
        for (;;) {
          const page = await store.list({ type, pageSize, ascending, ...(startKey === undefined ? {} : { startKey }) });
          assert.equal(page.startKey, startKey);
          pages.push(page.docs);
          if (page.nextStartKey === undefined) return pages;
          assert.match(page.nextStartKey, /^[A-Za-z0-9_-]+$/);
          startKey = page.nextStartKey;
        }
      }

      test('seven docs in pages of three walk descending in three pages without loss or duplicate', async () => {
        const pages = await walk(3, false);
        assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
        assert.deepEqual(ids(pages.flat()), ids(ascendingOrder().reverse()));
      });

      test('the same walk ascending', async () => {
        const pages = await walk(3, true);
        assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
        assert.deepEqual(ids(pages.flat()), ids(ascendingOrder()));
      });

      test('a page size that divides the total ends without a next key', async () => {
        const pages = await walk(7, false);
        assert.deepEqual(pages.map((p) => p.length), [7]);
      });

      test('pageSize null returns everything; the default is descending', async () => {
        const page = await store.list({ type, pageSize: null });
        assert.equal(page.nextStartKey, undefined);
        assert.deepEqual(ids(page.docs), ids(ascendingOrder().reverse()));
        assert.deepEqual(ids((await store.list({ type })).docs), ids(page.docs));
      });

      test('a listing can be limited to one account', async () => {
        const page = await store.list({ type, accountId: 'odd', ascending: true });
        assert.deepEqual(page.docs.map((d) => d.i), [1, 3, 5]);
      });

      test('a malformed start key is refused with invalid_start_key', async () => {
        for (const startKey of ['!!', 'bm90LWpzb24', Buffer.from('[1]').toString('base64url'), Buffer.from('["x","y"]').toString('base64url')]) {
          await rejectsWith(store.list({ type, startKey }), 'invalid_start_key');
        }
        await rejectsWith(store.list({ type, pageSize: 0 }), 'invalid_page_size');
      });
    });

    describe('filters', () => {
      let type: string;
      let docs: Record<string, StoredDoc>;
      let t0: number;
      before(async () => {
        type = freshType();
        clock.advance(10_000);
        t0 = now();
        docs = {
          a: await store.create({ pvt_type: type, _id: `a-${type}`, foo: 'bar', n: 5, flag: true, level1: { level2: { level3: 'value3' } }, tags: ['x'], empty: '' }),
          b: await store.create({ pvt_type: type, _id: `b-${type}`, foo: 'baz', n: 6, flag: false, level1: { level2: {} }, tags: [], nothing: null }),
        };
        clock.advance(10_000);
        docs.c = await store.create({ pvt_type: type, _id: `c-${type}`, foo: 'qux', obj: {}, pvt_secret: 's' });
        clock.advance(10_000);
        docs.a = await store.save(docs.a as StoredDoc);
      });
      const match = async (filters: Filter[]): Promise<string[]> =>
        (await store.list({ type, filters, ascending: true })).docs.map((d) => d._id.slice(0, 1));
      const query = async (qs: Record<string, string>): Promise<string[]> => match(parseFilters(qs));

      test('eq and not_eq compare the value rendered as a string, nested paths included', async () => {
        assert.deepEqual(await match([{ op: 'eq', path: ['foo'], value: 'bar' }]), ['a']);
        assert.deepEqual(await match([{ op: 'not_eq', path: ['foo'], value: 'bar' }]), ['b', 'c']);
        assert.deepEqual(await match([{ op: 'eq', path: ['n'], value: '5' }]), ['a']);
        assert.deepEqual(await match([{ op: 'eq', path: ['flag'], value: 'false' }]), ['b']);
        assert.deepEqual(await match([{ op: 'eq', path: ['level1', 'level2', 'level3'], value: 'value3' }]), ['a']);
        assert.deepEqual(await match([{ op: 'not_eq', path: ['n'], value: '5' }]), ['b', 'c']);
        assert.deepEqual(await match([{ op: 'eq', path: ['pvt_secret'], value: 's' }]), ['c']);
      });

      test('an array value means one of', async () => {
        assert.deepEqual(await match([{ op: 'eq', path: ['foo'], value: ['bar', 'qux'] }]), ['a', 'c']);
        assert.deepEqual(await match([{ op: 'not_eq', path: ['foo'], value: ['bar', 'qux'] }]), ['b']);
        assert.deepEqual(await query({ filter_foo: '["baz","nope"]' }), ['b']);
      });

      test('has_key and key_missing look at top-level and nested keys, null counting as present', async () => {
        assert.deepEqual(await match([{ op: 'has_key', path: ['n'] }]), ['a', 'b']);
        assert.deepEqual(await match([{ op: 'key_missing', path: ['n'] }]), ['c']);
        assert.deepEqual(await match([{ op: 'has_key', path: ['level1', 'level2'] }]), ['a', 'b']);
        assert.deepEqual(await match([{ op: 'has_key', path: ['level1', 'level2', 'level3'] }]), ['a']);
        assert.deepEqual(await match([{ op: 'has_key', path: ['nothing'] }]), ['b']);
      });

      test('has_value needs a non-empty value; value_missing is its negation', async () => {
        assert.deepEqual(await match([{ op: 'has_value', path: ['tags'] }]), ['a']);
        assert.deepEqual(await match([{ op: 'value_missing', path: ['tags'] }]), ['b', 'c']);
        assert.deepEqual(await match([{ op: 'has_value', path: ['empty'] }]), []);
        assert.deepEqual(await match([{ op: 'has_value', path: ['nothing'] }]), []);
        assert.deepEqual(await match([{ op: 'has_value', path: ['obj'] }]), []);
        assert.deepEqual(await match([{ op: 'value_missing', path: ['level1', 'level2'] }]), ['b', 'c']);
        assert.deepEqual(await match([{ op: 'has_value', path: ['flag'] }]), ['a', 'b']);
      });

      test('created and modified bounds are inclusive', async () => {
        const t1 = t0 + 10;
        assert.deepEqual(await match([{ op: 'created_from', value: t1 }]), ['c']);
        assert.deepEqual(await match([{ op: 'created_from', value: t1 + 1 }]), []);
        assert.deepEqual(await match([{ op: 'created_to', value: t0 }]), ['a', 'b']);
        assert.deepEqual(await match([{ op: 'created_to', value: t0 - 1 }]), []);
        assert.deepEqual(await match([{ op: 'modified_from', value: t0 + 20 }]), ['a']);
        assert.deepEqual(await match([{ op: 'modified_to', value: t0 + 10 }]), ['b', 'c']);
      });

      test('several filters are ANDed', async () => {
        assert.deepEqual(await match([{ op: 'has_key', path: ['n'] }, { op: 'not_eq', path: ['foo'], value: 'bar' }]), ['b']);
        assert.deepEqual(await query({ filter_foo: 'bar', has_key: 'flag', created_to: String(t0) }), ['a']);
        assert.deepEqual(await query({ filter_foo: 'bar', filter_n: '6' }), []);
      });

      test('paths and values cannot inject SQL', async () => {
        const evil = "x') OR 1=1; DROP TABLE documents; --";
        assert.deepEqual(await match([{ op: 'eq', path: [evil], value: evil }]), []);
        assert.deepEqual(await match([{ op: 'has_key', path: ["foo'", evil] }]), []);
        assert.equal((await store.list({ type, pageSize: null })).docs.length, 3);
      });

      // crossbar_filter_tests.hrl (reference §7): the same cases as KAZOO's own tests.
      test('KAZOO crossbar_filter cases: filter_, filter_not_, nested paths, keys and time bounds', async () => {
        assert.deepEqual(await query({ filter_foo: 'bar' }), ['a']);
        assert.deepEqual(await query({ filter_foo: 'baz' }), ['b']);
        assert.deepEqual(await query({ filter_not_foo: 'bar' }), ['b', 'c']);
        assert.deepEqual(await query({ filter_not_foo: 'baz' }), ['a', 'c']);
        assert.deepEqual(await query({ 'filter_level1.level2.level3': 'value3' }), ['a']);
        assert.deepEqual(await query({ 'filter_not_level1.level2.level3': 'value3' }), ['b', 'c']);
        assert.deepEqual(await query({ has_key: 'foo' }), ['a', 'b', 'c']);
        assert.deepEqual(await query({ key_missing: 'foo' }), []);
        assert.deepEqual(await query({ has_key: 'level1.level2.level3' }), ['a']);
        assert.deepEqual(await query({ key_missing: 'level1.level2.level3' }), ['b', 'c']);
        const created = (docs.a as StoredDoc).pvt_created;
        const modified = (docs.a as StoredDoc).pvt_modified;
        const only = async (param: string, value: number): Promise<boolean> =>
          (await query({ [param]: String(value), filter_foo: 'bar' })).length === 1;
        assert.deepEqual([await only('created_from', created - 1), await only('created_from', created), await only('created_from', created + 1)], [true, true, false]);
        assert.deepEqual([await only('created_to', created - 1), await only('created_to', created), await only('created_to', created + 1)], [false, true, true]);
        assert.deepEqual([await only('modified_from', modified - 1), await only('modified_from', modified), await only('modified_from', modified + 1)], [true, true, false]);
        assert.deepEqual([await only('modified_to', modified - 1), await only('modified_to', modified), await only('modified_to', modified + 1)], [false, true, true]);
      });
    });

    describe('findBy', () => {
      test('finds live docs by a string, number or boolean at a path, optionally in one account', async () => {
        const type = freshType();
        const a = await store.create({ pvt_type: type, pvt_account_id: 'acc-a', realm: 'a.example.com', sip: { username: 'u1' }, n: 5, on: true });
        const b = await store.create({ pvt_type: type, pvt_account_id: 'acc-b', realm: 'b.example.com', sip: { username: 'u1' }, n: '5' });
        const gone = await store.create({ pvt_type: type, realm: 'a.example.com' });
        await store.softDelete(gone._id);
        assert.deepEqual(ids(await store.findBy(type, ['realm'], 'a.example.com')), [a._id]);
        assert.deepEqual(ids(await store.findBy(type, ['sip', 'username'], 'u1')).sort(), [a._id, b._id].sort());
        assert.deepEqual(ids(await store.findBy(type, ['sip', 'username'], 'u1', 'acc-b')), [b._id]);
        assert.deepEqual(ids(await store.findBy(type, ['n'], 5)), [a._id]);
        assert.deepEqual(ids(await store.findBy(type, ['n'], '5')), [b._id]);
        assert.deepEqual(ids(await store.findBy(type, ['on'], true)), [a._id]);
        assert.deepEqual(await store.findBy(freshType(), ['realm'], 'a.example.com'), []);
      });
    });

    describe('attachments', () => {
      test('an attachment is stored, replaced whole and read back', async () => {
        const doc = await store.create({ pvt_type: freshType() });
        const audio = Buffer.from([0, 1, 2, 255, 254]);
        await store.putAttachment(doc._id, 'greeting.wav', 'audio/wav', audio);
        assert.deepEqual(await store.getAttachment(doc._id, 'greeting.wav'), { contentType: 'audio/wav', data: audio });
        await store.putAttachment(doc._id, 'greeting.wav', 'audio/mpeg', Buffer.from('mp3'));
        assert.deepEqual(await store.getAttachment(doc._id, 'greeting.wav'), { contentType: 'audio/mpeg', data: Buffer.from('mp3') });
        assert.equal(await store.getAttachment(doc._id, 'other'), undefined);
        await store.softDelete(doc._id);
        assert.equal(await store.getAttachment(doc._id, 'greeting.wav'), undefined);
        assert.equal((await store.getAttachment(doc._id, 'greeting.wav', { includeDeleted: true }))?.contentType, 'audio/mpeg');
        await assert.rejects(store.putAttachment(doc._id, 'x', 'text/plain', Buffer.from('x')), NotFoundError);
        await assert.rejects(store.putAttachment('unknown', 'x', 'text/plain', Buffer.from('x')), NotFoundError);
      });
    });

    describe('change events', () => {
      test('listeners hear created, edited and deleted after commit, and never on a failed write', async () => {
        const seen: DocChange[] = [];
        const visible: boolean[] = [];
        const off = store.onChange((change) => {
          seen.push(change);
          void store.get(change.doc._id, { includeDeleted: true }).then((d) => visible.push(d?._rev === change.doc._rev));
        });
        const doc = await store.create({ pvt_type: freshType() });
        const saved = await store.save(doc);
        await assert.rejects(store.save(doc), ConflictError);
        const deleted = await store.softDelete(doc._id);
        off();
        await store.create({ pvt_type: freshType() });
        assert.deepEqual(seen, [
          { kind: 'created', doc },
          { kind: 'edited', doc: saved },
          { kind: 'deleted', doc: deleted },
        ]);
        await store.get(doc._id);
        assert.deepEqual(visible, [true, true, true]);
      });

      test('a throwing listener does not break the write or other listeners', async () => {
        let heard = 0;
        const offBad = store.onChange(() => {
          throw new Error('listener bug');
        });
        const offGood = store.onChange(() => heard++);
        const doc = await store.create({ pvt_type: freshType() });
        assert.ok(await store.get(doc._id));
        assert.equal(heard, 1);
        offBad();
        offGood();
      });
    });

    describe('close', () => {
      test('close is idempotent and every method afterwards throws ClosedError', async () => {
        const other = await backend.openAnother();
        const doc = await other.create({ pvt_type: freshType() });
        await Promise.all([other.close(), other.close()]);
        await other.close();
        assert.equal(other.closed, true);
        await assert.rejects(other.get(doc._id), ClosedError);
        await assert.rejects(other.create({ pvt_type: 'x' }), ClosedError);
        await assert.rejects(other.list({ type: 'x' }), ClosedError);
        assert.throws(() => other.onChange(() => {}), ClosedError);
      });
    });
  });
}

// PGlite in memory: one instance for the whole suite (startup takes seconds).
{
  let store: SqlDocumentStore | undefined;
  let dir: string | undefined;
  const opened: SqlDocumentStore[] = [];
  behaviourSuite(
    'document store on PGlite',
    async () => {
      const clock = new FakeClock();
      store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
      dir = await mkdtemp(join(tmpdir(), 'switchboard-store-'));
      const dataDir = dir;
      return {
        store,
        clock,
        // A PGlite in a data directory: close it, reopen it, the data is still there.
        openAnother: async () => {
          const first = await openStore({ dataDir, clock, logger: silentLogger });
          const doc = await first.create({ pvt_type: 'persisted', _id: 'p1', v: 1 }, { unique: [{ scope: 's', key: 'k' }] });
          await first.putAttachment('p1', 'a', 'text/plain', Buffer.from('kept'));
          await first.close();
          const second = await openStore({ dataDir, clock, logger: silentLogger });
          opened.push(second);
          assert.deepEqual(await second.get('p1'), doc);
          assert.deepEqual((await second.getAttachment('p1', 'a'))?.data, Buffer.from('kept'));
          await assert.rejects(second.create({ pvt_type: 'persisted' }, { unique: [{ scope: 's', key: 'k' }] }), UniqueError);
          return second;
        },
      };
    },
    async () => {
      await Promise.all(opened.map((s) => s.close()));
      await store?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  );
}

// PostgreSQL in a throwaway schema; unreachable PostgreSQL fails the suite unless skipped on purpose.
{
  const schema = `sb_test_${randomHex(6)}`;
  const stores: SqlDocumentStore[] = [];
  behaviourSuite(
    'document store on PostgreSQL',
    async () => {
      const clock = new FakeClock();
      const client = await openPostgresClient(DATABASE_URL, { schema, connectTimeout: 5 });
      const store = await SqlDocumentStore.open(client, { clock, logger: silentLogger });
      stores.push(store);
      return {
        store,
        clock,
        openAnother: () => openStore({ databaseUrl: DATABASE_URL, pgSchema: schema, clock, logger: silentLogger }),
      };
    },
    async () => {
      await Promise.all(stores.map((s) => s.close()));
      const sql = postgres(DATABASE_URL, { onnotice: () => {}, max: 1 });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    SKIP_POSTGRES,
  );
}
