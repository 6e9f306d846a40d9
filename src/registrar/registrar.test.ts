// Scenario tests: a "phone" SIP stack registers with the "switch" stack over a memory network,
// against accounts and devices in a real PGlite store, with a fake clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, newId, silentLogger } from '../lib/index.ts';
import { openStore } from '../store/index.ts';
import type { SqlDocumentStore, StoredDoc } from '../store/index.ts';
import { AccountService, DocumentService, EndpointDirectory, deviceKind } from '../documents/index.ts';
import { DigestClient, Headers, MemoryNetwork, SipRequest, SipStack, parseDigest } from '../sip/index.ts';
import type { DigestAlgorithm, Endpoint, SipResponse } from '../sip/index.ts';
import { MemoryRegistrationStore, Registrar, SipAuthenticator } from './index.ts';
import type { AuthenticatedDevice } from './index.ts';

const SWITCH: Endpoint = { transport: 'udp', address: '192.0.2.1', port: 5060 };
let store: SqlDocumentStore;
let directory: EndpointDirectory;
let acme: StoredDoc;
let alice: StoredDoc;

before(async () => {
  const clock = new FakeClock();
  store = await openStore({ dataDir: 'memory://', clock, logger: silentLogger });
  const docs = new DocumentService(store);
  const accounts = new AccountService(docs);
  directory = new EndpointDirectory(store);
  const device = (account: StoredDoc, username: string, password: string, extra = {}): Promise<StoredDoc> =>
    docs.create(deviceKind, account, { name: `${username} phone`, sip: { username, password }, ...extra });
  acme = await accounts.create({ name: 'Acme', realm: 'acme.test' }, undefined);
  alice = await device(acme, 'alice', 'alice-secret');
  await device(acme, 'bob', 'bob-secret');
  await device(acme, 'carol', 'carol-secret', { enabled: false });
  const other = await accounts.create({ name: 'Other', realm: 'other.test' }, undefined);
  await device(other, 'dave', 'dave-secret');
  await device(other, 'alice', 'other-alice-secret');
  const gone = await accounts.create({ name: 'Gone', realm: 'gone.test', enabled: false }, undefined);
  await device(gone, 'erin', 'erin-secret');
});

after(async () => {
  await store.close();
});

interface WorldOptions {
  algorithms?: DigestAlgorithm[];
  maxContactsPerDevice?: number;
}

/** A switch (registrar + authenticator) and phone stacks on one memory network. */
function world(options: WorldOptions = {}) {
  const clock = new FakeClock();
  const network = new MemoryNetwork({ clock });
  const sw = new SipStack({ clock });
  sw.addTransport(network.createTransport({ address: SWITCH.address, port: SWITCH.port }));
  const registrations = new MemoryRegistrationStore({ clock });
  const authenticator = new SipAuthenticator({ responder: sw, directory, clock, ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }) });
  const registrar = new Registrar({ responder: sw, authenticator, store: registrations, clock, ...(options.maxContactsPerDevice === undefined ? {} : { maxContactsPerDevice: options.maxContactsPerDevice }) });
  const work: Promise<unknown>[] = [];
  const invited: AuthenticatedDevice[] = [];
  sw.user = {
    onRequest: (request, tx) => {
      if (request.method === 'REGISTER') {
        work.push(registrar.handleRegister(request, tx));
        return;
      }
      work.push(authenticator.authenticate(request, tx, { proxy: true }).then((device) => {
        if (device === undefined) return;
        invited.push(device);
        sw.respond(tx, 480);
      }));
    },
  };
  const stacks = [sw];
  /** Sends `request` from `stack` and runs the network and the switch's lookups until it is answered. */
  const exchange = async (stack: SipStack, request: SipRequest): Promise<SipResponse> => {
    let final: SipResponse | undefined;
    const onFinal = (r: SipResponse): void => {
      final = r;
    };
    if (request.method === 'INVITE') stack.transactions.sendInvite(request, { destination: SWITCH }).on('final', onFinal);
    else stack.sendRequest(request, { destination: SWITCH }).on('final', onFinal);
    for (let i = 0; i < 20 && final === undefined; i++) {
      clock.advance(0);
      await Promise.all(work.splice(0));
    }
    assert.ok(final !== undefined, 'the switch answered');
    return final;
  };
  const phone = (o: PhoneOptions): Phone => {
    const stack = new SipStack({ clock });
    stack.addTransport(network.createTransport({ address: o.address ?? '10.0.0.5', port: 5060 }));
    stacks.push(stack);
    return new Phone(stack, exchange, o);
  };
  const close = (): void => {
    registrations.close();
    for (const s of stacks) s.close();
    network.close();
    assert.equal(clock.pending, 0, 'no timer left behind');
  };
  return { clock, registrations, registrar, invited, phone, close };
}

interface PhoneOptions {
  username: string;
  password: string;
  address?: string;
  domain?: string;
}

interface RegisterOptions {
  contacts?: string[];
  expires?: number;
  to?: string;
  cseq?: number;
  callId?: string;
  headers?: [string, string][];
}

/** A phone: REGISTERs (answering one challenge, reusing the last nonce like real phones) and INVITEs. */
class Phone {
  readonly stack: SipStack;
  readonly #exchange: (stack: SipStack, request: SipRequest) => Promise<SipResponse>;
  readonly o: PhoneOptions;
  readonly digest = new DigestClient();
  callId = newId();
  cseq = 0;
  challenge: string[] | undefined;
  sent: SipRequest[] = [];

  constructor(stack: SipStack, exchange: (stack: SipStack, request: SipRequest) => Promise<SipResponse>, o: PhoneOptions) {
    this.stack = stack;
    this.#exchange = exchange;
    this.o = o;
  }

  get domain(): string {
    return this.o.domain ?? 'acme.test';
  }

  /** Returns every response of the exchange: [401, 200] or [200] with a remembered nonce. */
  async register(r: RegisterOptions = {}): Promise<SipResponse[]> {
    const contacts = r.contacts ?? ['<sip:phone@192.168.1.10:5060>'];
    const build = (): SipRequest => {
      const headers = new Headers([
        ['From', `<sip:${this.o.username}@${this.domain}>;tag=${newId().slice(0, 8)}`],
        ['To', `<sip:${r.to ?? this.o.username}@${this.domain}>`],
        ['Call-ID', r.callId ?? this.callId],
        ['CSeq', `${r.cseq ?? ++this.cseq} REGISTER`],
        ...contacts.map((c): [string, string] => ['Contact', c]),
        ...(r.expires === undefined ? [] : [['Expires', String(r.expires)] as [string, string]]),
        ...(r.headers ?? []),
      ]);
      return new SipRequest('REGISTER', `sip:${this.domain}`, headers);
    };
    return this.#authenticated(build, 'Authorization', 401);
  }

  async invite(): Promise<SipResponse[]> {
    const callId = newId();
    let cseq = 0;
    const build = (): SipRequest =>
      new SipRequest('INVITE', `sip:bob@${this.domain}`, new Headers([
        ['From', `<sip:${this.o.username}@${this.domain}>;tag=${newId().slice(0, 8)}`],
        ['To', `<sip:bob@${this.domain}>`],
        ['Call-ID', callId],
        ['CSeq', `${++cseq} INVITE`],
        ['Contact', '<sip:phone@192.168.1.10:5060>'],
      ]));
    this.challenge = undefined;
    return this.#authenticated(build, 'Proxy-Authorization', 407);
  }

  async #authenticated(build: () => SipRequest, header: string, challengeStatus: number): Promise<SipResponse[]> {
    const responses: SipResponse[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const request = build();
      if (this.challenge !== undefined) {
        request.headers.append(header, this.digest.respond({ method: request.method, uri: request.uri, challengeHeader: this.challenge, username: this.o.username, password: this.o.password }));
      }
      this.sent.push(request);
      const response = await this.#exchange(this.stack, request);
      responses.push(response);
      if (response.status !== challengeStatus) break;
      this.challenge = response.headers.getAll(challengeStatus === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate');
    }
    return responses;
  }
}

const statuses = (responses: SipResponse[]): number[] => responses.map((r) => r.status);
const last = (responses: SipResponse[]): SipResponse => responses.at(-1) as SipResponse;
const contactsOf = (response: SipResponse): string[] => response.headers.getAll('Contact');

test('a REGISTER is challenged, then good credentials bind the contact with its expiry and source', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const responses = await phone.register({ expires: 600, headers: [['User-Agent', 'TestPhone/1.0']] });
  assert.deepEqual(statuses(responses), [401, 200]);
  const challenges = responses[0]?.headers.getAll('WWW-Authenticate') ?? [];
  assert.deepEqual(challenges.map((c) => [parseDigest(c)['realm'], parseDigest(c)['algorithm'], parseDigest(c)['qop']]), [['acme.test', 'SHA-256', 'auth'], ['acme.test', 'MD5', 'auth']]);
  const ok = last(responses);
  assert.deepEqual(contactsOf(ok), ['<sip:phone@192.168.1.10:5060>;expires=600']);
  assert.equal(ok.headers.get('Date'), new Date(w.clock.now()).toUTCString());
  const [binding, ...others] = w.registrations.contactsFor(acme._id, alice._id);
  assert.equal(others.length, 0);
  assert.deepEqual(
    binding,
    {
      aor: 'sip:alice@acme.test', contact: 'sip:phone@192.168.1.10:5060', params: {}, expiresAt: w.clock.now() + 600_000,
      callId: phone.callId, cseq: 2, source: { transport: 'udp', address: '10.0.0.5', port: 5060 }, path: [], userAgent: 'TestPhone/1.0',
      accountId: acme._id, deviceId: alice._id, username: 'alice', realm: 'acme.test', registeredAt: w.clock.now(),
    },
  );
  assert.equal(parseDigest(phone.sent[1]?.headers.get('Authorization') ?? '')['algorithm'], 'SHA-256', 'the phone chose the stronger challenge');
  w.close();
});

test('MD5-only and SHA-256-only challengers both accept the digest they offered', async () => {
  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    const w = world({ algorithms: [algorithm] });
    const phone = w.phone({ username: 'alice', password: 'alice-secret' });
    assert.deepEqual(statuses(await phone.register()), [401, 200]);
    assert.equal(parseDigest(phone.sent[1]?.headers.get('Authorization') ?? '')['algorithm'], algorithm);
    w.close();
  }
});

test('a wrong password is challenged again, and after five failures the source gets 403 until the window passes', async () => {
  const w = world();
  const wrong = w.phone({ username: 'alice', password: 'guess' });
  for (let i = 0; i < 5; i++) {
    wrong.challenge = undefined;
    assert.deepEqual(statuses(await wrong.register()), [401, 401], `attempt ${i + 1}: challenged, then refused`);
  }
  const blocked = last(await wrong.register());
  assert.equal(blocked.status, 403);
  assert.equal(blocked.headers.has('WWW-Authenticate'), false);
  const right = w.phone({ username: 'alice', password: 'alice-secret', address: '10.0.0.6' });
  assert.equal(last(await right.register()).status, 200, 'another address is not blocked');
  w.clock.advance(60_000);
  wrong.o.password = 'alice-secret';
  assert.equal(last(await wrong.register()).status, 200);
  assert.equal(w.registrations.contactsFor(acme._id, alice._id).length, 1, 'same contact from both phones: one binding');
  w.close();
});

test('unknown users, disabled devices and disabled accounts get the same 401 as a wrong password', async () => {
  const w = world();
  const shape = (r: SipResponse): unknown => ({
    status: r.status,
    reason: r.reason,
    names: r.headers.entries().map((e) => e.name),
    challenges: r.headers.getAll('WWW-Authenticate').map((c) => c.replace(/nonce="[^"]*"/, 'nonce="…"')),
  });
  const attempt = async (o: PhoneOptions): Promise<unknown[]> => (await w.phone(o).register()).map(shape);
  const wrong = await attempt({ username: 'alice', password: 'guess', address: '10.0.1.1' });
  assert.equal(wrong.length, 2);
  assert.deepEqual(await attempt({ username: 'mallory', password: 'x', address: '10.0.1.2' }), wrong);
  assert.deepEqual(await attempt({ username: 'carol', password: 'carol-secret', address: '10.0.1.3' }), wrong, 'a disabled device fails like an unknown one');
  const gone = await attempt({ username: 'erin', password: 'erin-secret', address: '10.0.1.4', domain: 'gone.test' });
  assert.deepEqual(gone.map((s) => JSON.stringify(s).replaceAll('gone.test', 'acme.test')), wrong.map((s) => JSON.stringify(s)));
  const nowhere = await attempt({ username: 'alice', password: 'alice-secret', address: '10.0.1.5', domain: 'nowhere.test' });
  assert.match(JSON.stringify(nowhere), /realm=\\"nowhere.test\\"/, 'an unknown domain is still challenged, with itself as realm');
  assert.deepEqual(nowhere.map((s) => JSON.stringify(s).replaceAll('nowhere.test', 'acme.test')), wrong.map((s) => JSON.stringify(s)));
  w.close();
});

test('a nonce older than its lifetime is answered 401 stale=true, and the fresh one is accepted', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  assert.deepEqual(statuses(await phone.register()), [401, 200]);
  w.clock.advance(301_000);
  const responses = await phone.register();
  assert.deepEqual(statuses(responses), [401, 200]);
  assert.match(responses[0]?.headers.get('WWW-Authenticate') ?? '', /stale=true/);
  w.close();
});

test('a REGISTER to the switch address falls back to a system-wide unique username and its account realm', async () => {
  const w = world();
  const dave = w.phone({ username: 'dave', password: 'dave-secret', domain: SWITCH.address });
  const responses = await dave.register();
  assert.deepEqual(statuses(responses), [401, 200]);
  assert.equal(parseDigest(responses[0]?.headers.get('WWW-Authenticate') ?? '')['realm'], 'other.test');
  const entry = await directory.deviceByUniqueUsername('dave');
  const [binding] = w.registrations.contactsFor(entry?.account._id ?? '', entry?.device._id ?? '');
  assert.equal(binding?.aor, 'sip:dave@other.test');
  const ambiguous = w.phone({ username: 'alice', password: 'alice-secret', domain: SWITCH.address, address: '10.0.0.7' });
  const refused = await ambiguous.register();
  assert.deepEqual(statuses(refused), [401, 401], 'alice exists in two accounts: no fallback');
  assert.equal(parseDigest(refused[0]?.headers.get('WWW-Authenticate') ?? '')['realm'], SWITCH.address);
  w.close();
});

test('bindings expire with the clock, and a re-REGISTER refreshes them', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const changes: string[] = [];
  w.registrations.on('change', (c) => changes.push(`${c.reason}:${c.bindings.length}`));
  await phone.register({ expires: 120 });
  w.clock.advance(100_000);
  const refreshed = await phone.register({ expires: 120 });
  assert.deepEqual(statuses(refreshed), [200], 'the remembered nonce is reused with a higher nonce-count');
  assert.deepEqual(contactsOf(last(refreshed)), ['<sip:phone@192.168.1.10:5060>;expires=120']);
  w.clock.advance(100_000);
  assert.equal(w.registrations.contactsFor(acme._id, alice._id).length, 1);
  w.clock.advance(20_001);
  assert.deepEqual(w.registrations.contactsFor(acme._id, alice._id), []);
  assert.deepEqual(changes, ['update:1', 'update:1', 'expire:0']);
  w.close();
});

test('several contacts are kept per device, q first, at most the configured number', async () => {
  const w = world({ maxContactsPerDevice: 3 });
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const ok = last(await phone.register({ contacts: ['<sip:a@192.168.1.10>;q=0.5', '<sip:b@192.168.1.11>;q=1.0'], expires: 300 }));
  assert.deepEqual(contactsOf(ok), ['<sip:b@192.168.1.11>;q=1.0;expires=300', '<sip:a@192.168.1.10>;q=0.5;expires=300']);
  w.clock.advance(1_000);
  await phone.register({ contacts: ['<sip:c@192.168.1.12>'], expires: 300 });
  w.clock.advance(1_000);
  const capped = last(await phone.register({ contacts: ['<sip:d@192.168.1.13>'], expires: 300 }));
  assert.deepEqual(w.registrations.contactsFor(acme._id, alice._id).map((b) => b.contact), ['sip:d@192.168.1.13', 'sip:c@192.168.1.12', 'sip:b@192.168.1.11']);
  assert.equal(contactsOf(capped).length, 3, 'the oldest binding was dropped');
  const query = last(await phone.register({ contacts: [] }));
  assert.equal(query.status, 200);
  assert.deepEqual(contactsOf(query), ['<sip:d@192.168.1.13>;expires=300', '<sip:c@192.168.1.12>;expires=299', '<sip:b@192.168.1.11>;q=1.0;expires=298']);
  w.close();
});

test('Expires: 0 on one contact removes only it; Contact * with Expires: 0 removes them all', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  await phone.register({ contacts: ['<sip:a@192.168.1.10>', '<sip:b@192.168.1.11>'] });
  const one = last(await phone.register({ contacts: ['<sip:a@192.168.1.10>;expires=0'] }));
  assert.deepEqual(contactsOf(one), ['<sip:b@192.168.1.11>;expires=3600']);
  assert.equal(last(await phone.register({ contacts: ['*'], expires: 3600 })).status, 400);
  assert.equal(last(await phone.register({ contacts: ['*', '<sip:c@192.168.1.12>'], expires: 0 })).status, 400);
  assert.equal(w.registrations.contactsFor(acme._id, alice._id).length, 1);
  const all = last(await phone.register({ contacts: ['*'], expires: 0 }));
  assert.equal(all.status, 200);
  assert.deepEqual(contactsOf(all), []);
  assert.deepEqual(w.registrations.contactsFor(acme._id, alice._id), []);
  w.close();
});

test('too brief an expiry gets 423 with Min-Expires, too long a one is shortened', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const brief = last(await phone.register({ expires: 30 }));
  assert.equal(brief.status, 423);
  assert.equal(brief.headers.get('Min-Expires'), '60');
  assert.equal(w.registrations.count, 0);
  assert.deepEqual(contactsOf(last(await phone.register({ contacts: ['<sip:a@192.168.1.10>;expires=7200'] }))), ['<sip:a@192.168.1.10>;expires=3600']);
  w.close();
});

test('a REGISTER with the same Call-ID and a CSeq not higher gets 500 and changes nothing', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  await phone.register({ expires: 300 });
  const before = w.registrations.contactsFor(acme._id, alice._id);
  w.clock.advance(10_000);
  assert.equal(last(await phone.register({ cseq: phone.cseq, expires: 600 })).status, 500);
  assert.equal(last(await phone.register({ cseq: 1, contacts: ['<sip:phone@192.168.1.10:5060>;expires=0'] })).status, 500);
  assert.deepEqual(w.registrations.contactsFor(acme._id, alice._id), before);
  assert.equal(last(await phone.register({ cseq: 1, callId: 'another-call-id', expires: 600 })).status, 200, 'another Call-ID may restart its CSeq');
  w.close();
});

test('a device may not register another user: To user ≠ authenticated user is 403', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  assert.deepEqual(statuses(await phone.register({ to: 'bob' })), [401, 403]);
  assert.equal(w.registrations.count, 0);
  w.close();
});

test('Path is stored, and echoed when the phone supports it', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const ok = last(await phone.register({ headers: [['Path', '<sip:edge.acme.test;lr>'], ['Supported', 'path']] }));
  assert.deepEqual(ok.headers.getAll('Path'), ['<sip:edge.acme.test;lr>']);
  assert.deepEqual(w.registrations.contactsFor(acme._id, alice._id)[0]?.path, ['<sip:edge.acme.test;lr>']);
  assert.equal(last(await phone.register({ headers: [['Require', 'gruu']] })).status, 420);
  w.close();
});

test('an INVITE authenticated as a proxy gets 407, then passes with Proxy-Authorization', async () => {
  const w = world();
  const phone = w.phone({ username: 'alice', password: 'alice-secret' });
  const responses = await phone.invite();
  assert.deepEqual(statuses(responses), [407, 480]);
  assert.equal(responses[0]?.headers.has('WWW-Authenticate'), false);
  assert.equal(parseDigest(responses[0]?.headers.get('Proxy-Authenticate') ?? '')['realm'], 'acme.test');
  assert.deepEqual(w.invited.map((d) => [d.account._id, d.device._id, d.username, d.realm]), [[acme._id, alice._id, 'alice', 'acme.test']]);
  const wrong = w.phone({ username: 'alice', password: 'nope', address: '10.0.0.8' });
  assert.deepEqual(statuses(await wrong.invite()), [407, 407]);
  w.close();
});
