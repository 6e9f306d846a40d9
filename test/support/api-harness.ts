// Starts a whole Switchboard on port 0 and talks to its REST API like a client would.
import { App, type AppOptions } from '../../src/app.ts';
import { readConfig } from '../../src/config/index.ts';
import { createAccountWithAdmin, md5Credentials } from '../../src/documents/index.ts';
import { silentLogger, type Clock } from '../../src/lib/index.ts';
import type { Backend } from './backends.ts';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/** A test client for one running app. */
export class ApiClient {
  readonly base: string;
  token: string | undefined;

  constructor(base: string, token?: string) {
    this.base = base;
    this.token = token;
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const init: RequestInit = {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.token !== undefined ? { 'x-auth-token': this.token } : {}),
        ...headers,
      },
    };
    if (body !== undefined && method !== 'GET') init.body = typeof body === 'string' || body instanceof Buffer ? body : JSON.stringify(body);
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  put(path: string, data: unknown, headers?: Record<string, string>) {
    return this.request('PUT', path, { data }, headers);
  }
  post(path: string, data: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, { data }, headers);
  }
  patch(path: string, data: unknown, headers?: Record<string, string>) {
    return this.request('PATCH', path, { data }, headers);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.request('DELETE', path, undefined, headers);
  }

  /** A client with another token. */
  as(token: string | undefined): ApiClient {
    return new ApiClient(this.base, token);
  }
}

export interface TestAccount {
  readonly accountId: string;
  readonly userId: string;
  readonly realm: string;
  readonly name: string;
  readonly token: string;
  readonly client: ApiClient;
}

export interface Harness {
  readonly app: App;
  readonly client: ApiClient;
  /** Creates a top-level account with an admin user and logs in (the first one is superduper admin). */
  account(name: string): Promise<TestAccount>;
  /** Logs in through PUT /v2/user_auth. */
  login(name: string, username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(backend: Backend, options: { env?: Record<string, string>; clock?: Clock; dataDir?: string } = {}): Promise<Harness> {
  const env = {
    SWITCHBOARD_HTTP_PORT: '0',
    SWITCHBOARD_WS_PORT: '0',
    SWITCHBOARD_SIP_PORT: '0',
    SWITCHBOARD_RTP_PORTS: '0-0',
    SWITCHBOARD_BIND: '127.0.0.1',
    ...backend.env,
    ...(options.dataDir !== undefined ? { SWITCHBOARD_DATA_DIR: options.dataDir } : {}),
    ...options.env,
  };
  const appOptions: AppOptions = {
    config: readConfig(env),
    logger: silentLogger,
    buckets: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
    ...(backend.pgSchema !== undefined ? { pgSchema: backend.pgSchema } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  };
  const app = await App.start(appOptions);
  const client = new ApiClient(`http://127.0.0.1:${app.httpPort}`);
  const login = async (name: string, username: string, password: string): Promise<string> => {
    const res = await client.put('/v2/user_auth', { credentials: md5Credentials(username, password), account_name: name });
    if (res.status !== 201) throw new Error(`login failed: ${res.text}`);
    return String(res.body['auth_token']);
  };
  return {
    app,
    client,
    login,
    async account(name) {
      const realm = `${name.toLowerCase()}.example.test`;
      const { account, user } = await createAccountWithAdmin(app.accounts, app.docs, { name, realm, username: 'admin', password: 'secret' });
      const token = await login(name, 'admin', 'secret');
      return { accountId: account._id, userId: user._id, realm, name, token, client: client.as(token) };
    },
    async close() {
      await app.close();
    },
  };
}
