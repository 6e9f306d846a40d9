import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredDoc } from '../../store/index.ts';
import { callerIdAllowed, carrierRoutes, gatewayUri, matchRules } from './carrier-routes.ts';

function resource(id: string, fields: Record<string, unknown>): StoredDoc {
  return { _id: id, _rev: '1-a', pvt_type: 'resource', pvt_account_id: 'acct', pvt_created: 1, pvt_modified: 1, ...fields };
}

const US = '^\\+?1?(\\d{10})$';

describe('matchRules', () => {
  test('the first capture group is the number sent', () => {
    assert.equal(matchRules([US], '+15551234567'), '5551234567');
  });

  test('a rule without a group sends the whole number', () => {
    assert.equal(matchRules(['^011\\d+$'], '01144201234'), '01144201234');
  });

  test('the first matching rule wins and invalid expressions are skipped', () => {
    assert.equal(matchRules(['(unclosed', '^(\\d{3})$', '^(\\d+)$'], '911'), '911');
    assert.equal(matchRules(['^9(\\d+)$', '^(\\d+)$'], '95551234'), '5551234');
  });

  test('no rule, or no match, carries nothing', () => {
    assert.equal(matchRules([], '5551234567'), undefined);
    assert.equal(matchRules([US], '1001'), undefined);
  });
});

describe('gatewayUri', () => {
  test('prefix, number and suffix at the server and port', () => {
    assert.equal(gatewayUri({ server: 'sip.carrier.test', port: 5080, prefix: '+1', suffix: '#1' }, '5551234567'), 'sip:+15551234567%231@sip.carrier.test:5080');
  });

  test('the port defaults to 5060 and IPv6 servers are bracketed', () => {
    assert.equal(gatewayUri({ server: '2001:db8::1' }, '100'), 'sip:100@[2001:db8::1]:5060');
    assert.equal(gatewayUri({ server: ' 192.0.2.10 ' }, '100'), 'sip:100@192.0.2.10:5060');
  });
});

describe('carrierRoutes', () => {
  const cheap = resource('b-cheap', {
    name: 'cheap',
    weight_cost: 10,
    rules: [US],
    gateways: [
      { server: '192.0.2.1', port: 5060, enabled: false },
      { server: '192.0.2.2', port: 5070, username: 'acct1', password: 'pw', realm: 'cheap.test', progress_timeout: 3, custom_sip_headers: { 'X-Account': 'a1', 'bad header': 'x' } },
      { server: '192.0.2.3', endpoint_type: 'freetdm' },
    ],
  });
  const dear = resource('a-dear', { name: 'dear', weight_cost: 80, rules: ['^\\+?\\d+$'], gateways: [{ server: 'gw.dear.test', prefix: '+' }] });
  const sameWeight = resource('a-same', { name: 'same', weight_cost: 10, rules: [US], gateways: [{ server: '192.0.2.9' }] });
  const off = resource('c-off', { name: 'off', enabled: false, rules: [US], gateways: [{ server: '192.0.2.4' }] });
  const noRules = resource('d-none', { name: 'none', gateways: [{ server: '192.0.2.5' }] });

  test('matching resources in weight order, ties by id, each enabled SIP gateway in order', () => {
    const routes = carrierRoutes([dear, cheap, off, noRules, sameWeight], { number: '+15551234567' });
    assert.deepEqual(
      routes.map((r) => [r.resource._id, r.gatewayIndex, r.uri]),
      [
        ['a-same', 0, 'sip:5551234567@192.0.2.9:5060'],
        ['b-cheap', 1, 'sip:5551234567@192.0.2.2:5070'],
        ['a-dear', 0, 'sip:++15551234567@gw.dear.test:5060'],
      ],
    );
  });

  test('a gateway carries its credentials with its realm, its progress timeout and its headers', () => {
    const [route] = carrierRoutes([cheap], { number: '5551234567' });
    assert.deepEqual(route?.credentials, { username: 'acct1', password: 'pw', realm: 'cheap.test' });
    assert.equal(route?.progressTimeoutMs, 3000);
    assert.deepEqual(route?.headers, [['X-Account', 'a1']]);
    assert.equal(route?.number, '5551234567');
  });

  test('a gateway without both username and password gets no credentials', () => {
    const [route] = carrierRoutes([resource('x', { rules: ['^(\\d+)$'], gateways: [{ server: 'h', username: 'u' }] })], { number: '1' });
    assert.equal(route?.credentials, undefined);
  });

  test('outbound flags keep only carriers offering all of them', () => {
    const flagged = resource('f', { rules: [US], flags: ['fax', 'hd'], gateways: [{ server: 'h' }] });
    assert.deepEqual(carrierRoutes([flagged, sameWeight], { number: '5551234567', flags: ['fax'] }).map((r) => r.resource._id), ['f']);
    assert.deepEqual(carrierRoutes([flagged], { number: '5551234567', flags: ['fax', 'sms'] }), []);
  });

  test('a number no rule matches has no route', () => {
    assert.deepEqual(carrierRoutes([cheap, sameWeight], { number: '1001' }), []);
  });

  test('caller id rules restrict which caller ids a carrier takes', () => {
    const strict = resource('s', { cid_rules: ['^\\+1\\d{10}$'] });
    assert.equal(callerIdAllowed(strict, '+15551230000'), true);
    assert.equal(callerIdAllowed(strict, '1001'), false);
    assert.equal(callerIdAllowed(cheap, '1001'), true);
  });
});
