// The floor of the event benchmark: the least a WebSocket server can do to deliver the same events
// to the same clients on this machine. It answers every subscribe with success and broadcasts each
// event with one ws.send per subscription (the ws library's own broadcast recipe): no tokens, no
// bindings, no history, no queues. Its latency is what the machine, the kernel and the client
// process cost; whatever Switchboard measures above it is Switchboard's.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export class FloorServer {
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  /** Socket → its bindings (the same event goes once per matching binding). */
  readonly #sockets = new Map<WebSocket, readonly string[]>();

  private constructor(http: Server) {
    this.#http = http;
    this.#wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
    this.#wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { request_id?: unknown; data?: { bindings?: unknown } };
        const bindings = Array.isArray(message.data?.bindings) ? message.data.bindings.map(String) : ['call.*.*'];
        this.#sockets.set(ws, bindings);
        ws.send(JSON.stringify({ action: 'reply', request_id: message.request_id, status: 'success', data: { subscribed: bindings } }));
      });
      ws.on('close', () => this.#sockets.delete(ws));
    });
  }

  static async start(): Promise<FloorServer> {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return new FloorServer(http);
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** Sends the event to every subscription it matches, inside this call. */
  publish(routingKey: string, name: string, payload: Readonly<Record<string, unknown>>): void {
    const data = JSON.stringify(payload);
    const frames = new Map<string, Buffer>();
    for (const [ws, bindings] of this.#sockets) {
      for (const binding of bindings) {
        if (binding !== 'call.*.*' && binding !== `call.${name}.*`) continue;
        let frame = frames.get(binding);
        if (frame === undefined) {
          frame = Buffer.from(`{"action":"event","subscribed_key":"${binding}","subscription_key":"${routingKey}","name":"${name}","routing_key":"${routingKey}","data":${data}}`);
          frames.set(binding, frame);
        }
        ws.send(frame, { binary: false });
      }
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets.keys()) ws.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
