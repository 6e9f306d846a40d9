import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startHarness, type Harness, type TestAccount } from '../support/api-harness.ts';
import { encodePcm16Wav } from '../../src/media/index.ts';

for (const makeBackend of backends()) {
  const backend = makeBackend();
  describe(`crossbar conventions on ${backend.name}`, () => {
    let h: Harness;
    let a: TestAccount;
    before(async () => {
      h = await startHarness(backend);
      a = await h.account('ConvCo');
    });
    after(async () => {
      await h.close();
      await backend.cleanup();
    });

    test('malformed JSON is a 400 parse_error and stores nothing', async () => {
      const res = await a.client.request('PUT', `/v2/accounts/${a.accountId}/users`, '{"data": {"first_name": ');
      assert.equal(res.status, 400);
      assert.equal(res.body['message'], 'parse_error');
      assert.equal((res.body['data'] as Record<string, unknown>)['message'], 'failed to parse request body');
      assert.equal(res.headers.get('content-type'), 'application/json');
      const list = await a.client.get(`/v2/accounts/${a.accountId}/users`);
      assert.equal((list.body['data'] as unknown[]).length, 1, 'only the admin user');
    });

    test('a huge body is a 413', async () => {
      const res = await a.client.put(`/v2/accounts/${a.accountId}/users`, { first_name: 'x'.repeat(2 * 1024 * 1024), last_name: 'y' });
      assert.equal(res.status, 413);
      assert.equal(res.body['status'], 'error');
    });

    test('schema violations are 400 validation errors keyed by dotted path', async () => {
      const res = await a.client.put(`/v2/accounts/${a.accountId}/devices`, { name: 'd', sip: { username: 42 } });
      assert.equal(res.status, 400);
      assert.equal(res.body['message'], 'validation error');
      assert.equal(res.body['error'], '400');
      const data = res.body['data'] as Record<string, Record<string, Record<string, unknown>>>;
      assert.equal(data['sip.username']?.['type']?.['message'], 'Value did not match type(s): string');
      assert.equal(data['sip.username']?.['type']?.['value'], 42);
      const missing = await a.client.put(`/v2/accounts/${a.accountId}/users`, { last_name: 'only' });
      assert.equal(missing.status, 400);
      assert.ok((missing.body['data'] as Record<string, Record<string, unknown>>)['first_name']?.['required']);
    });

    test('a verb the resource does not have is a 405 with Allow', async () => {
      const res = await a.client.request('DELETE', `/v2/accounts/${a.accountId}/users`);
      assert.equal(res.status, 405);
      assert.equal(res.body['message'], 'invalid_method');
      assert.equal(res.headers.get('allow'), 'GET, PUT');
    });

    test('an unknown route is a 404 not_found envelope', async () => {
      const res = await a.client.get(`/v2/accounts/${a.accountId}/no_such_thing`);
      assert.equal(res.status, 404);
      assert.equal(res.body['message'], 'not_found');
      assert.equal(res.headers.get('content-type'), 'application/json');
    });

    test('an id of the wrong form in the account position is a 404', async () => {
      const res = await a.client.get('/v2/accounts/not-an-account/users');
      assert.equal(res.status, 404);
      assert.equal(res.body['message'], 'bad_identifier');
    });

    test('a POST can tunnel another verb with ?verb= or the envelope', async () => {
      const created = await a.client.request('POST', `/v2/accounts/${a.accountId}/media?verb=PUT`, { data: { name: 'tunnelled' } });
      assert.equal(created.status, 201, created.text);
      const id = String((created.body['data'] as Record<string, unknown>)['id']);
      const patched = await a.client.request('POST', `/v2/accounts/${a.accountId}/media/${id}`, { verb: 'PATCH', data: { description: 'via envelope' } });
      assert.equal(patched.status, 200);
      assert.equal((patched.body['data'] as Record<string, unknown>)['name'], 'tunnelled');
    });

    test('the request id is echoed, pretty print indents, and the envelope carries KAZOO keys', async () => {
      const res = await a.client.get(`/v2/accounts/${a.accountId}?_=1700000000000`, { 'x-request-id': 'req-123', 'x-pretty-print': 'true' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-request-id'), 'req-123');
      assert.equal(res.body['request_id'], 'req-123');
      assert.ok(res.text.includes('\n  "'), 'indented');
      for (const key of ['auth_token', 'data', 'node', 'timestamp', 'version', 'revision', 'status']) assert.ok(key in res.body, key);
      assert.match(String(res.body['timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    test('CORS preflight from another origin is answered', async () => {
      const res = await fetch(`${h.client.base}/v2/accounts/${a.accountId}/users`, {
        method: 'OPTIONS',
        headers: { origin: 'http://ui.example.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-auth-token,content-type' },
      });
      assert.ok(res.status === 204 || res.status === 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-auth-token/i);
    });

    test('ui_metadata is accepted on every write', async () => {
      const ui = { version: '4.3', ui: 'monster-ui', origin: 'voip' };
      const res = await a.client.put(`/v2/accounts/${a.accountId}/callflows`, { numbers: ['7777'], flow: { module: 'user', data: {} }, ui_metadata: ui });
      assert.equal(res.status, 201, res.text);
      const acct = await a.client.patch(`/v2/accounts/${a.accountId}`, { ui_metadata: ui });
      assert.equal(acct.status, 200, acct.text);
    });

    test('listings paginate with start_key/next_start_key and honour paginate=false', async () => {
      const base = `/v2/accounts/${a.accountId}/resources`;
      for (let i = 0; i < 7; i++) {
        const r = await a.client.put(base, { name: `gw${i}`, gateways: [{ server: `10.0.0.${i}` }], weight_cost: i });
        assert.equal(r.status, 201, r.text);
      }
      const seen: string[] = [];
      let next: string | undefined;
      let pages = 0;
      do {
        const res = await a.client.get(`${base}?page_size=3${next !== undefined ? `&start_key=${encodeURIComponent(next)}` : ''}`);
        assert.equal(res.status, 200, res.text);
        seen.push(...(res.body['data'] as { name: string }[]).map((d) => d.name));
        next = res.body['next_start_key'] as string | undefined;
        assert.equal(res.body['page_size'], (res.body['data'] as unknown[]).length);
        pages++;
      } while (next !== undefined && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), ['gw0', 'gw1', 'gw2', 'gw3', 'gw4', 'gw5', 'gw6']);
      assert.equal(seen[0], 'gw6', 'descending by default');
      const all = await a.client.get(`${base}?paginate=false`);
      assert.equal((all.body['data'] as unknown[]).length, 7);
      assert.ok(!('page_size' in all.body) && !('next_start_key' in all.body));
    });

    test('filters narrow listings (filter_, filter_not_, nested paths, has_key, key_missing)', async () => {
      const base = `/v2/accounts/${a.accountId}/devices`;
      await a.client.put(base, { name: 'f1', device_type: 'sip_device', sip: { username: 'f1u', password: 'xsecret' }, caller_id: { internal: { number: '101' } } });
      await a.client.put(base, { name: 'f2', device_type: 'softphone', sip: { username: 'f2u', password: 'xsecret' } });
      const names = async (q: string) => ((await a.client.get(`${base}?${q}`)).body['data'] as { name: string }[]).map((d) => d.name).sort();
      assert.deepEqual(await names('filter_device_type=softphone'), ['f2']);
      assert.deepEqual(await names('filter_not_device_type=softphone&filter_sip.username=f1u'), ['f1']);
      assert.deepEqual(await names('filter_caller_id.internal.number=101'), ['f1']);
      assert.deepEqual(await names('has_key=caller_id.internal&filter_name=f1'), ['f1']);
      assert.deepEqual(await names('key_missing=caller_id&filter_name=f2'), ['f2']);
      assert.deepEqual(await names('created_from=1&filter_name=["f1","f2"]'), ['f1', 'f2']);
      assert.deepEqual(await names('created_to=1&filter_name=f1'), []);
    });

    test('media audio: WAV uploads are stored and downloaded, other formats get 415', async () => {
      const media = await a.client.put(`/v2/accounts/${a.accountId}/media`, { name: 'beep' });
      const id = String((media.body['data'] as Record<string, unknown>)['id']);
      const wav = makeWav(8000, 800);
      const up = await a.client.request('POST', `/v2/accounts/${a.accountId}/media/${id}/raw`, wav, { 'content-type': 'audio/wav' });
      assert.equal(up.status, 200, up.text);
      const down = await fetch(`${h.client.base}/v2/accounts/${a.accountId}/media/${id}/raw`, { headers: { 'x-auth-token': a.token } });
      assert.equal(down.status, 200);
      assert.equal(down.headers.get('content-type'), 'audio/wav');
      assert.deepEqual(Buffer.from(await down.arrayBuffer()), wav);
      const mp3 = await a.client.request('POST', `/v2/accounts/${a.accountId}/media/${id}/raw`, Buffer.from('ID3\x03\x00fake mp3'), { 'content-type': 'audio/mpeg' });
      assert.equal(mp3.status, 415);
      const stereo = await a.client.request('POST', `/v2/accounts/${a.accountId}/media/${id}/raw`, makeWav(44100, 100, 2), { 'content-type': 'audio/wav' });
      assert.equal(stereo.status, 415);
    });

    test('the OpenAPI document lists every route with its schemas', async () => {
      const res = await fetch(`${h.client.base}/v2/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
      assert.equal(doc.openapi, '3.0.3');
      assert.ok(doc.paths['/v2/accounts/{account_id}/devices/{device_id}']?.['patch']);
      assert.ok(doc.paths['/v2/user_auth']?.['put']);
      assert.ok(doc.components.schemas['devices']);
    });
  });
}

/** A PCM 16-bit WAV of `ms` milliseconds of a 440 Hz tone. */
function makeWav(rate: number, ms: number, channels = 1): Buffer {
  const samples = Math.floor((rate * ms) / 1000);
  const data = Buffer.alloc(samples * 2 * channels);
  for (let i = 0; i < samples; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000);
    for (let c = 0; c < channels; c++) data.writeInt16LE(v, (i * channels + c) * 2);
  }
  return encodePcm16Wav(data, rate, channels);
}
