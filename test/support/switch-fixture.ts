// A running Switchboard with one account of SIP phones and callflows, for SIPp end-to-end tests.
import assert from 'node:assert/strict';
import type { Harness, TestAccount } from './api-harness.ts';
import { runSipp, startSipp, explainSipp, type RunningSipp, type SippResult, type SippTransport } from './sipp.ts';

// Still imported from here by test/e2e/channels.test.ts; new code imports it from wait.ts.
export { eventually } from './wait.ts';

export const PASSWORD = 'phone-secret';

/** How a SIPp phone runs: transport (udp), scenario keys, SIPp's own timeout (20 s). */
export interface SippPhoneOptions {
  readonly transport?: SippTransport;
  readonly vars?: Record<string, string | number>;
  readonly timeoutSec?: number;
}

export interface Phones {
  readonly harness: Harness;
  readonly account: TestAccount;
  readonly realm: string;
  /** username → device id */
  readonly devices: Map<string, string>;
  readonly remote: string;
}

/** Creates devices (usernames), a user owning some, and callflows `number → device | user`. */
export async function provision(
  h: Harness,
  name: string,
  spec: { devices: { username: string; owner?: string }[]; users?: string[]; callflows: { number: string; device?: string; user?: string; timeout?: number }[] },
): Promise<Phones> {
  const account = await h.account(name);
  const users = new Map<string, string>();
  for (const u of spec.users ?? []) {
    const res = await account.client.put(`/v2/accounts/${account.accountId}/users`, { first_name: u, last_name: 'Phone', username: u, password: PASSWORD });
    assert.equal(res.status, 201, res.text);
    users.set(u, String((res.body['data'] as Record<string, unknown>)['id']));
  }
  const devices = new Map<string, string>();
  for (const d of spec.devices) {
    const res = await account.client.put(`/v2/accounts/${account.accountId}/devices`, {
      name: `${d.username} phone`,
      sip: { username: d.username, password: PASSWORD },
      ...(d.owner !== undefined ? { owner_id: users.get(d.owner) } : {}),
    });
    assert.equal(res.status, 201, res.text);
    devices.set(d.username, String((res.body['data'] as Record<string, unknown>)['id']));
  }
  for (const cf of spec.callflows) {
    const flow = cf.device !== undefined
      ? { module: 'device', data: { id: devices.get(cf.device), ...(cf.timeout !== undefined ? { timeout: cf.timeout } : {}) } }
      : { module: 'user', data: { id: users.get(cf.user ?? ''), ...(cf.timeout !== undefined ? { timeout: cf.timeout } : {}) } };
    const res = await account.client.put(`/v2/accounts/${account.accountId}/callflows`, { numbers: [cf.number], flow });
    assert.equal(res.status, 201, res.text);
  }
  return { harness: h, account, realm: account.realm, devices, remote: `127.0.0.1:${h.app.sipPort}` };
}

/** Registers `user` from a fresh local port and returns the port (a UAS scenario then binds it). */
export async function register(phones: Phones, user: string, transport: SippTransport = 'udp', password = PASSWORD): Promise<SippResult> {
  return runSipp({
    scenario: password === PASSWORD ? 'register.xml' : 'register-bad-password.xml',
    remote: phones.remote,
    transport,
    timeoutSec: 10,
    vars: { user, domain: phones.realm, expires: 300 },
    auth: { username: user, password, uri: phones.realm },
  });
}

/** Registers `user` and leaves a UAS scenario listening on the registered port. */
export async function phone(phones: Phones, user: string, scenario: string, options: SippPhoneOptions = {}): Promise<RunningSipp> {
  const transport = options.transport ?? 'udp';
  // Each test's SIPp is a new phone on a new port: forget the bindings of the previous one, or
  // the switch (rightly) forks to them too.
  phones.harness.app.switch.registrations.removeDevice(phones.account.accountId, phones.devices.get(user) ?? '');
  const reg = await register(phones, user, transport);
  assert.equal(reg.exitCode, 0, explainSipp(reg));
  return startSipp({
    scenario,
    localPort: reg.localPort,
    transport,
    timeoutSec: options.timeoutSec ?? 20,
    countRtp: true,
    ...(transport === 'tcp' ? { remote: phones.remote } : {}),
    ...(options.vars !== undefined ? { vars: options.vars } : {}),
  });
}

/** Starts a call from `user` to `ext` with a UAC scenario, without waiting for it to end. */
export async function startCall(phones: Phones, user: string, ext: string, scenario: string, options: SippPhoneOptions = {}): Promise<RunningSipp> {
  return startSipp({
    scenario,
    remote: phones.remote,
    transport: options.transport ?? 'udp',
    timeoutSec: options.timeoutSec ?? 20,
    countRtp: true,
    vars: { user, domain: phones.realm, ext, ...options.vars },
    auth: { username: user, password: PASSWORD, uri: `${ext}@${phones.realm}` },
  });
}

/** Places a call from `user` to `ext` with a UAC scenario and returns SIPp's result. */
export async function call(phones: Phones, user: string, ext: string, scenario: string, options: SippPhoneOptions = {}): Promise<SippResult> {
  return (await startCall(phones, user, ext, scenario, options)).done;
}
