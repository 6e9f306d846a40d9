// A Blackhole WebSocket client for end-to-end tests, as monster-ui uses the server: request and
// reply by request_id, subscriptions, and every event kept in arrival order.
import { WebSocket, type ClientOptions } from 'ws';

export type Json = Record<string, unknown>;

/** A Blackhole client that keeps every message it received. */
export class WsClient {
  readonly ws: WebSocket;
  readonly messages: Json[] = [];
  closeCode: number | undefined;
  readonly #waiters = new Set<() => void>();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Json);
      for (const w of this.#waiters) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.#waiters) w();
    });
  }

  /** Opens a socket to 127.0.0.1:`port`; rejects if the upgrade is refused. */
  static connect(port: number, options: ClientOptions = {}, path = '/'): Promise<WsClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends `message` with its request_id (a fresh one if it has none) and returns that id. */
  send(message: Json): string {
    const requestId = String(message['request_id'] ?? `req-${this.#next++}`);
    this.ws.send(JSON.stringify({ ...message, request_id: requestId }));
    return requestId;
  }

  /** Sends and waits for the reply with the same request_id. */
  async request(message: Json): Promise<Json> {
    const id = this.send(message);
    return this.waitFor((m) => m['action'] === 'reply' && m['request_id'] === id);
  }

  /** Subscribes to `binding` of `accountId` with `token` (plus `extra` data such as since) and returns the reply. */
  subscribe(token: string, accountId: string, binding: string, extra: Json = {}): Promise<Json> {
    return this.request({ action: 'subscribe', auth_token: token, data: { account_id: accountId, binding, ...extra } });
  }

  /** The first message (received or to come) that `match` accepts. */
  waitFor(match: (m: Json) => boolean, timeoutMs = 3000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(match);
        if (found === undefined) return false;
        finish();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 2000)}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.#waiters.add(waiter);
      check();
    });
  }

  /** The close code, once the socket is closed (rejects after `timeoutMs`). */
  waitClose(timeoutMs = 3000): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closeCode !== undefined) return resolve(this.closeCode);
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** The events received so far (action "event"), in order. */
  events(): Json[] {
    return this.messages.filter((m) => m['action'] === 'event');
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = this.waitClose();
    this.ws.close();
    await closed;
  }
}

/** The HTTP status of a refused upgrade; rejects if the upgrade is accepted. */
export async function refusedStatus(port: number, options: ClientOptions = {}, protocols?: string): Promise<number> {
  const ws = protocols === undefined ? new WebSocket(`ws://127.0.0.1:${port}/`, options) : new WebSocket(`ws://127.0.0.1:${port}/`, protocols, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}
