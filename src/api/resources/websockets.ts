import { toGregorian } from '../../lib/index.ts';
import { errors } from '../api-error.ts';
import { accountOf } from './crud.ts';
import type { RouteSpec } from '../request-context.ts';

/** One live WebSocket as the events server describes it (internal, camelCase). */
export interface WebsocketSessionInfo {
  /** `<ip>:<port>`. */
  readonly id: string;
  /** The account the socket authenticated as; undefined before its first good message. */
  readonly accountId: string | undefined;
  readonly bindings: readonly string[];
  /** Unix ms. */
  readonly connectedAt: number;
  readonly name: unknown;
  readonly metadata: unknown;
  readonly source: string;
  readonly destination: string;
}

/**
 * What these routes read from the WebSocket server (implemented by `BlackholeServer`; the api
 * layer may not import it).
 */
export interface WebsocketDirectory {
  /** The bindings subscribe accepts, by module: `{call: [...], object: [...]}`. */
  availableBindings(): Readonly<Record<string, readonly string[]>>;
  /** Sockets authenticated to the account. */
  sessions(accountId: string): WebsocketSessionInfo[];
  session(id: string): WebsocketSessionInfo | undefined;
}

/** The KAZOO wire form of a session (kazoo-reference §5.6). */
function wire(s: WebsocketSessionInfo): Record<string, unknown> {
  return {
    websocket_session_id: s.id,
    bindings: s.bindings,
    timestamp: toGregorian(s.connectedAt),
    source: s.source,
    destination: s.destination,
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.metadata !== undefined ? { metadata: s.metadata } : {}),
  };
}

/**
 * `cb_websockets` (kazoo-reference §5.6): the advertised bindings (public), the sockets of an
 * account and one socket. Unlike KAZOO, a socket of another account is 404 `bad_identifier`.
 */
export function websocketRoutes(directory: WebsocketDirectory): RouteSpec[] {
  return [
    {
      path: '/v2/websockets',
      tag: 'websockets',
      auth: 'public',
      methods: { GET: { summary: 'Bindings a WebSocket client may subscribe to', handler: async () => ({ data: directory.availableBindings() }) } },
    },
    {
      path: '/v2/accounts/:account_id/websockets',
      tag: 'websockets',
      auth: 'required',
      methods: {
        GET: {
          summary: "The account's live WebSocket sessions",
          handler: async (req) => ({ data: directory.sessions(accountOf(req)._id).map(wire) }),
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/websockets/:socket_id',
      tag: 'websockets',
      auth: 'required',
      methods: {
        GET: {
          summary: 'One live WebSocket session and its bindings',
          handler: async (req) => {
            const id = req.params['socket_id'] ?? '';
            const session = directory.session(id);
            if (session === undefined || session.accountId !== accountOf(req)._id) throw errors.badIdentifier(id);
            return { data: wire(session) };
          },
        },
      },
    },
  ];
}
