// Carrier resources for SIPp end-to-end tests: a SIPp scenario plays the gateway, a resource doc
// points the account at it, and the switch is waited for until it trusts the gateway's address.
import assert from 'node:assert/strict';
import type { BusMessage } from '../../src/bus/index.ts';
import { SipRequest } from '../../src/sip/index.ts';
import type { Harness } from './api-harness.ts';
import { startSipp, type RunningSipp } from './sipp.ts';
import type { Phones } from './switch-fixture.ts';
import { eventually } from './wait.ts';

/** A resource rule for North American numbers: `+1` and `1` optional, ten digits sent. */
export const US = '^\\+?1?(\\d{10})$';
/** The digest account the SIPp carrier (`carrier-uas-auth.xml`) challenges for. */
export const TRUNK = { username: 'acme-trunk', password: 'trunk-secret', realm: 'carrier.test' };

/** An event's custom channel vars (where KAZOO puts authorizing_id/type). */
export const ccv = (e: BusMessage): Record<string, unknown> => (e.payload['custom_channel_vars'] ?? {}) as Record<string, unknown>;

/** A resource doc with its gateways (`port` required: each is a local SIPp). */
export type ResourceSpec = Record<string, unknown> & { gateways: (Record<string, unknown> & { port: number })[] };

/** True once the switch trusts 127.0.0.1:port as a carrier gateway (the resource index caught up). */
export async function trusted(h: Harness, port: number): Promise<boolean> {
  const probe = new SipRequest('INVITE', 'sip:probe@127.0.0.1');
  probe.source = { transport: 'udp', address: '127.0.0.1', port };
  return (await h.app.switch.b2bua.features.trunk?.(probe)) !== undefined;
}

/** Creates a resource in the phones' account and waits until the switch knows its gateways. */
export async function addResource(p: Phones, doc: ResourceSpec): Promise<string> {
  const res = await p.account.client.put(`/v2/accounts/${p.account.accountId}/resources`, doc);
  assert.equal(res.status, 201, res.text);
  for (const gw of doc.gateways) await eventually(() => trusted(p.harness, gw.port));
  return String((res.body['data'] as Record<string, unknown>)['id']);
}

/** Deletes a resource and waits until the switch no longer trusts its gateways. */
export async function removeResource(p: Phones, id: string, ports: readonly number[]): Promise<void> {
  const res = await p.account.client.delete(`/v2/accounts/${p.account.accountId}/resources/${id}`);
  assert.equal(res.status, 200, res.text);
  for (const port of ports) await eventually(async () => !(await trusted(p.harness, port)));
}

/** Starts a SIPp carrier gateway (a `carrier-uas-*.xml` scenario) counting RTP. */
export function startCarrier(scenario: string, vars: Record<string, string | number>): Promise<RunningSipp> {
  return startSipp({ scenario, timeoutSec: 20, countRtp: true, vars });
}
