// Provisions the benchmark account over the switch's REST API, as an operator would: log in with
// user_auth, create the caller devices, the callee device and the callflow that reaches it.
import { createHash } from 'node:crypto';

/** The account the benchmark creates with `switchboard create-account` before starting the switch. */
export const BENCH_ACCOUNT = { name: 'Bench', realm: 'bench.switchboard.test', username: 'admin', password: 'bench-admin-secret' } as const;
/** SIP password of every benchmark device. */
export const DEVICE_PASSWORD = 'bench-phone-secret';
/** The device every call rings (one SIPp UAS registered as it takes any number of calls). */
export const CALLEE = 'callee';
/** The number whose callflow rings {@link CALLEE}. */
export const CALLEE_NUMBER = '2000';

/** What the callers and the callee need to know. */
export interface Provisioned {
  readonly accountId: string;
  readonly realm: string;
  /** SIP usernames of the callers. */
  readonly callers: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function request(base: string, method: string, path: string, data: unknown, token?: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { 'x-auth-token': token } : {}) },
    body: JSON.stringify({ data }),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, body };
}

function idOf(answer: Answer): string {
  const data = answer.body['data'];
  const id = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['id'] : undefined;
  if (typeof id !== 'string') throw new Error(`no id in ${JSON.stringify(answer.body).slice(0, 300)}`);
  return id;
}

/** Logs in as the account admin and creates `callers` caller devices, the callee and its callflow. */
export async function provision(httpPort: number, callers: number): Promise<Provisioned> {
  const base = `http://127.0.0.1:${httpPort}`;
  const credentials = createHash('md5').update(`${BENCH_ACCOUNT.username}:${BENCH_ACCOUNT.password}`).digest('hex');
  const auth = await request(base, 'PUT', '/v2/user_auth', { credentials, account_name: BENCH_ACCOUNT.name });
  const token = String(auth.body['auth_token']);
  const accountId = String((auth.body['data'] as Record<string, unknown>)['account_id']);
  const devices = `/v2/accounts/${accountId}/devices`;
  const callee = idOf(await request(base, 'PUT', devices, { name: 'bench callee', sip: { username: CALLEE, password: DEVICE_PASSWORD } }, token));
  await request(base, 'PUT', `/v2/accounts/${accountId}/callflows`, { numbers: [CALLEE_NUMBER], flow: { module: 'device', data: { id: callee } } }, token);
  const names: string[] = [];
  for (let i = 1; i <= callers; i++) {
    const username = `caller${i}`;
    await request(base, 'PUT', devices, { name: `bench ${username}`, sip: { username, password: DEVICE_PASSWORD } }, token);
    names.push(username);
  }
  return { accountId, realm: BENCH_ACCOUNT.realm, callers: names };
}
