import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/index.ts';
import { DigestChallenger, DigestClient, digestResponse, formatDigest, ha1, parseAuthHeader, parseDigest, type DigestAlgorithm } from './index.ts';

const REALM = 'sip.example.com';
const USERS: Record<string, string> = { alice: 'wonderland', 'bob@x': 'p"w\\d' };

function lookup(username: string, realm: string, algorithm: DigestAlgorithm): string | undefined {
  const password = USERS[username];
  return password === undefined ? undefined : ha1(username, realm, password, algorithm);
}

function setup(options: { algorithms?: DigestAlgorithm[]; maxTrackedNonces?: number } = {}) {
  const clock = new FakeClock();
  const challenger = new DigestChallenger({ realm: REALM, clock, secret: Buffer.from('k'.repeat(32)), ...options });
  return { clock, challenger, client: new DigestClient() };
}

/** Builds credentials with chosen nc/cnonce against a challenge (for replay tests). */
function credentials(challenge: string, o: { username?: string; password?: string; nc?: string; algorithm?: DigestAlgorithm; realm?: string; method?: string }): string {
  const p = parseDigest(challenge);
  const algorithm = o.algorithm ?? 'MD5';
  const realm = o.realm ?? p['realm'] ?? '';
  const username = o.username ?? 'alice';
  const nonce = p['nonce'] ?? '';
  const nc = o.nc ?? '00000001';
  const cnonce = 'abcdef';
  const response = digestResponse({ algorithm, sess: false, ha1: ha1(username, realm, o.password ?? 'wonderland', algorithm), nonce, method: o.method ?? 'REGISTER', uri: 'sip:sip.example.com', qop: 'auth', nc, cnonce });
  return formatDigest({ username, realm, nonce, uri: 'sip:sip.example.com', response, algorithm, cnonce, qop: 'auth', nc });
}

test('RFC 7616 §3.9.1 example responses are reproduced for SHA-256 and MD5', () => {
  const common = { sess: false, nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', method: 'GET', uri: '/dir/index.html', qop: 'auth' as const, nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  const sha = digestResponse({ ...common, algorithm: 'SHA-256', ha1: ha1('Mufasa', 'http-auth@example.org', 'Circle of Life', 'SHA-256') });
  assert.equal(sha, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  const md5 = digestResponse({ ...common, algorithm: 'MD5', ha1: ha1('Mufasa', 'http-auth@example.org', 'Circle of Life', 'MD5') });
  assert.equal(md5, '8ca523f5e9506fed4657c9700eebdbec');
});

test('the RFC 2617 §3.5 example response is reproduced', () => {
  const r = digestResponse({ algorithm: 'MD5', sess: false, ha1: ha1('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'MD5'), nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('challenge offers one header per algorithm with realm, nonce, qop and algorithm', () => {
  const { challenger } = setup();
  const values = challenger.challenge();
  assert.equal(values.length, 2);
  const [sha, md5] = values.map(parseDigest);
  assert.equal(sha?.['algorithm'], 'SHA-256');
  assert.equal(md5?.['algorithm'], 'MD5');
  assert.equal(sha?.['realm'], REALM);
  assert.equal(sha?.['qop'], 'auth');
  assert.equal(sha?.['nonce'], md5?.['nonce']);
  assert.match(values[0] ?? '', /^Digest realm="sip\.example\.com", nonce="[A-Za-z0-9_-]+", qop="auth", algorithm=SHA-256$/);
  assert.match(challenger.challenge({ stale: true })[0] ?? '', /, stale=true$/);
  assert.notEqual(parseDigest(challenger.challenge()[0] ?? '')['nonce'], sha?.['nonce']);
});

for (const algorithm of ['SHA-256', 'MD5'] as const) {
  test(`challenge → client → verify succeeds with ${algorithm}`, async () => {
    const { challenger, client } = setup({ algorithms: [algorithm] });
    const auth = client.respond({ method: 'INVITE', uri: 'sip:100@sip.example.com', challengeHeader: challenger.challenge()[0] ?? '', username: 'alice', password: 'wonderland' });
    assert.equal(parseDigest(auth)['algorithm'], algorithm);
    assert.deepEqual(await challenger.verify('INVITE', auth, lookup), { ok: true, username: 'alice' });
  });
}

test('the client prefers SHA-256 when both are offered, in one header or several', async () => {
  const { challenger, client } = setup();
  const [sha, md5] = challenger.challenge();
  const opts = { method: 'REGISTER', uri: 'sip:sip.example.com', username: 'alice', password: 'wonderland' };
  assert.equal(parseDigest(client.respond({ ...opts, challengeHeader: [md5 ?? '', sha ?? ''] }))['algorithm'], 'SHA-256');
  assert.equal(parseDigest(client.respond({ ...opts, challengeHeader: `${md5}, ${sha}` }))['algorithm'], 'SHA-256');
  assert.deepEqual(await challenger.verify('REGISTER', client.respond({ ...opts, challengeHeader: [md5 ?? '', sha ?? ''] }), lookup), { ok: true, username: 'alice' });
});

test('the client counts nc per nonce and uses a fresh cnonce', () => {
  const { challenger, client } = setup();
  const challengeHeader = challenger.challenge()[0] ?? '';
  const opts = { method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader, username: 'alice', password: 'wonderland' };
  const a = parseDigest(client.respond(opts));
  const b = parseDigest(client.respond(opts));
  assert.equal(a['nc'], '00000001');
  assert.equal(b['nc'], '00000002');
  assert.notEqual(a['cnonce'], b['cnonce']);
  const other = parseDigest(client.respond({ ...opts, challengeHeader: challenger.challenge()[0] ?? '' }));
  assert.equal(other['nc'], '00000001');
});

test('quotes and backslashes in usernames survive formatting and parsing', async () => {
  const { challenger, client } = setup();
  const auth = client.respond({ method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader: challenger.challenge()[0] ?? '', username: 'bob@x', password: 'p"w\\d' });
  assert.deepEqual(await challenger.verify('REGISTER', auth, lookup), { ok: true, username: 'bob@x' });
});

test('a wrong password, method or unknown user is refused', async () => {
  const { challenger, client } = setup();
  const challengeHeader = challenger.challenge()[0] ?? '';
  const opts = { method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader, username: 'alice', password: 'wrong' };
  assert.deepEqual(await challenger.verify('REGISTER', client.respond(opts), lookup), { ok: false, reason: 'bad_response' });
  assert.deepEqual(await challenger.verify('INVITE', client.respond({ ...opts, password: 'wonderland' }), lookup), { ok: false, reason: 'bad_response' });
  assert.deepEqual(await challenger.verify('REGISTER', client.respond({ ...opts, username: 'mallory' }), lookup), { ok: false, reason: 'unknown_user' });
});

test('an async HA1 lookup is awaited', async () => {
  const { challenger, client } = setup();
  const auth = client.respond({ method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader: challenger.challenge()[0] ?? '', username: 'alice', password: 'wonderland' });
  assert.deepEqual(await challenger.verify('REGISTER', auth, async (u, r, a) => lookup(u, r, a)), { ok: true, username: 'alice' });
});

test('an expired nonce with correct credentials is stale', async () => {
  const { challenger, client, clock } = setup();
  const challengeHeader = challenger.challenge()[0] ?? '';
  clock.advance(300_001);
  const auth = client.respond({ method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader, username: 'alice', password: 'wonderland' });
  assert.deepEqual(await challenger.verify('REGISTER', auth, lookup), { ok: false, reason: 'stale' });
});

test('a replayed or decreasing nonce-count is refused as stale', async () => {
  const { challenger } = setup();
  const challenge = challenger.challenge()[1] ?? '';
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { nc: '00000002' }), lookup), { ok: true, username: 'alice' });
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { nc: '00000002' }), lookup), { ok: false, reason: 'stale' });
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { nc: '00000001' }), lookup), { ok: false, reason: 'stale' });
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { nc: '00000003' }), lookup), { ok: true, username: 'alice' });
});

test('nonce tracking is bounded and evicted nonces are answered stale', async () => {
  const { challenger, clock } = setup({ maxTrackedNonces: 2 });
  const first = challenger.challenge()[1] ?? '';
  clock.advance(1);
  const second = challenger.challenge()[1] ?? '';
  clock.advance(1);
  const third = challenger.challenge()[1] ?? '';
  for (const c of [first, second, third]) assert.equal((await challenger.verify('REGISTER', credentials(c, {}), lookup)).ok, true);
  assert.deepEqual(await challenger.verify('REGISTER', credentials(first, { nc: '00000009' }), lookup), { ok: false, reason: 'stale' });
  assert.equal((await challenger.verify('REGISTER', credentials(third, { nc: '00000009' }), lookup)).ok, true);
});

test('a realm mismatch, forged nonce and malformed headers are refused', async () => {
  const { challenger } = setup();
  const challenge = challenger.challenge()[1] ?? '';
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { realm: 'other.example.com' }), lookup), { ok: false, reason: 'realm_mismatch' });
  const forged = challenge.replace(/nonce="([^"]+)"/, (_m, n: string) => `nonce="${n.slice(0, -2)}${n.endsWith('AA') ? 'AB' : 'AA'}"`);
  assert.deepEqual(await challenger.verify('REGISTER', credentials(forged, {}), lookup), { ok: false, reason: 'bad_nonce' });
  const otherSecret = new DigestChallenger({ realm: REALM, clock: new FakeClock(), secret: Buffer.from('z'.repeat(32)) });
  assert.deepEqual(await challenger.verify('REGISTER', credentials(otherSecret.challenge()[1] ?? '', {}), lookup), { ok: false, reason: 'bad_nonce' });
  assert.deepEqual(await challenger.verify('REGISTER', undefined, lookup), { ok: false, reason: 'missing' });
  assert.deepEqual(await challenger.verify('REGISTER', '  ', lookup), { ok: false, reason: 'missing' });
  const good = credentials(challenge, {});
  for (const bad of ['Basic dXNlcjpwYXNz', 'Digest username="alice', 'Digest', good.replace(/uri="[^"]*", /, ''), good.replace('qop=auth', 'qop=auth-int'), good.replace('nc=00000001', 'nc=1'), good.replace('algorithm=MD5', 'algorithm=SHA-1'), good.replace(/cnonce="[^"]*", /, '')]) {
    assert.deepEqual(await challenger.verify('REGISTER', bad, lookup), { ok: false, reason: 'malformed' }, bad);
  }
});

test('an algorithm the challenger does not offer is refused', async () => {
  const { challenger } = setup({ algorithms: ['SHA-256'] });
  const challenge = challenger.challenge()[0] ?? '';
  assert.deepEqual(await challenger.verify('REGISTER', credentials(challenge, { algorithm: 'MD5' }), lookup), { ok: false, reason: 'malformed' });
  assert.equal((await challenger.verify('REGISTER', credentials(challenge, { algorithm: 'SHA-256' }), lookup)).ok, true);
});

test('RFC 2069 credentials without qop are accepted', async () => {
  const { challenger, client } = setup();
  const challenge = (challenger.challenge()[1] ?? '').replace(', qop="auth"', '');
  const auth = client.respond({ method: 'REGISTER', uri: 'sip:sip.example.com', challengeHeader: challenge, username: 'alice', password: 'wonderland' });
  assert.equal(parseDigest(auth)['qop'], undefined);
  assert.equal(parseDigest(auth)['nc'], undefined);
  assert.deepEqual(await challenger.verify('REGISTER', auth, lookup), { ok: true, username: 'alice' });
});

test('an independent no-qop MD5 vector is reproduced', () => {
  const r = digestResponse({ algorithm: 'MD5', sess: false, ha1: ha1('Mufasa', 'testrealm@host.com', 'Circle Of Life', 'MD5'), nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html' });
  assert.equal(r, '670fd8c2df070c60b045671b8b24ff02');
});

test('the client answers a carrier challenge with opaque, auth-int and -sess variants', () => {
  const client = new DigestClient();
  const base = { method: 'INVITE', uri: 'sip:+15551234@carrier.example', username: 'trunk', password: 'pw' };
  const a = parseDigest(client.respond({ ...base, challengeHeader: 'Digest realm="carrier", nonce="abc", opaque="xyz", qop="auth,auth-int", algorithm=MD5' }));
  assert.equal(a['opaque'], 'xyz');
  assert.equal(a['qop'], 'auth');
  const b = parseDigest(client.respond({ ...base, challengeHeader: 'Digest realm="carrier", nonce="abc", qop="auth-int"', body: Buffer.from('v=0\r\n') }));
  assert.equal(b['qop'], 'auth-int');
  const c = parseDigest(client.respond({ ...base, challengeHeader: 'Digest realm="carrier", nonce="n2", qop="auth", algorithm=MD5-sess' }));
  const expected = digestResponse({ algorithm: 'MD5', sess: true, ha1: ha1('trunk', 'carrier', 'pw', 'MD5'), nonce: 'n2', method: 'INVITE', uri: base.uri, qop: 'auth', nc: c['nc'] ?? '', cnonce: c['cnonce'] ?? '' });
  assert.equal(c['response'], expected);
  assert.throws(() => client.respond({ ...base, challengeHeader: 'Basic realm="x"' }), { code: 'digest_syntax' });
  assert.throws(() => client.respond({ ...base, challengeHeader: 'Digest realm="x", nonce="n", algorithm=SHA-1' }), { code: 'digest_syntax' });
});

test('parseDigest is quoted-string aware and parseAuthHeader splits several challenges', () => {
  assert.deepEqual(parseDigest('Digest realm="a, b=c", nonce="x\\"y", qop="auth,auth-int",algorithm=MD5'), { realm: 'a, b=c', nonce: 'x"y', qop: 'auth,auth-int', algorithm: 'MD5' });
  const all = parseAuthHeader('Digest realm="r1", nonce="n1", algorithm=SHA-256, Digest realm="r2", nonce="n2"');
  assert.deepEqual(all.map((c) => [c.scheme, c.params['realm']]), [['Digest', 'r1'], ['Digest', 'r2']]);
  for (const bad of ['realm="x"', 'Digest realm="x', 'Digest realm=', 'Digest realm="x" nonce="y"']) {
    assert.throws(() => parseDigest(bad), { code: 'digest_syntax' }, bad);
  }
  assert.equal(formatDigest({ username: 'a"b', qop: 'auth', nc: '00000001' }), 'Digest username="a\\"b", qop=auth, nc=00000001');
  assert.equal(formatDigest({ realm: 'r', qop: 'auth' }, 'challenge'), 'Digest realm="r", qop="auth"');
});
