import { CallCommandError, UnknownChannel, type CallControl, type Channel, type ChannelDirectory } from '../../calls/index.ts';
import type { EndpointDirectory } from '../../documents/index.ts';
import type { Clock } from '../../lib/index.ts';
import { validate, type StoredDoc } from '../../store/index.ts';
import { errors, fieldError } from '../api-error.ts';
import { validationData } from '../error-mapping.ts';
import { reqValue, type ApiRequest, type ApiResult, type RouteSpec } from '../request-context.ts';
import { ChannelListing } from './channel-listing.ts';
import { channelDetail } from './channel-views.ts';
import { accountOf } from './crud.ts';

/** One POST action on a channel: runs it and returns KAZOO's `data` text (`"hangup initiated"`). */
export type ChannelAction = (channel: Channel, req: ApiRequest) => Promise<string>;

/** Runs a validated metaflow node on a live channel (the Konami executor). */
export type MetaflowRunner = (channel: Channel, node: { module: string; data?: Record<string, unknown>; children?: Record<string, unknown> }) => Promise<void>;

export interface ChannelsDeps {
  readonly channels: ChannelDirectory;
  readonly control: CallControl;
  readonly endpoints: EndpointDirectory;
  readonly clock: Clock;
  /** Actions by name (hangup, transfer, hold...): features add theirs. */
  readonly actions: ReadonlyMap<string, ChannelAction>;
  readonly metaflow: MetaflowRunner;
  /** KAZOO `crossbar.channels.system_wide_channels_list` (default false → `/v2/channels` answers 403). */
  readonly systemWideList?: boolean;
}

/** The core actions every switch has; features register more (transfer, intercept, record...). */
export function coreChannelActions(control: CallControl): Map<string, ChannelAction> {
  return new Map<string, ChannelAction>([
    ['hangup', async (channel) => {
      control.hangup(channel, 'NORMAL_CLEARING');
      return 'hangup initiated';
    }],
    ['break', async (channel) => {
      control.play(channel, undefined);
      return 'break initiated';
    }],
    ['hold', async (channel) => {
      await control.hold(channel);
      return 'hold initiated';
    }],
    ['unhold', async (channel) => {
      await control.unhold(channel);
      return 'unhold initiated';
    }],
  ]);
}

/**
 * The Channels API (reference §2): live legs of the system, an account, a user or a device; one
 * leg in detail; actions on it. Unlike KAZOO: an unknown or foreign channel is 404 at once (not a
 * 503 after two seconds), actions work on any live channel, and an action that cannot run is a 400.
 */
export function channelRoutes(deps: ChannelsDeps): RouteSpec[] {
  const now = (): number => deps.clock.now();
  const listing = new ChannelListing();
  const list = (channels: Channel[]): ApiResult => ({ data: listing.json(channels, now()) });
  const find = (req: ApiRequest): Channel => {
    try {
      return deps.control.channel(req.params['call_id'] ?? '', accountOf(req)._id);
    } catch (error) {
      if (error instanceof UnknownChannel) throw errors.badIdentifierList(error.uuid);
      throw error;
    }
  };
  const act = async (req: ApiRequest, status: number): Promise<ApiResult> => {
    const channel = find(req);
    const action = reqValue(req, 'action');
    if (action === 'metaflow') return metaflow(req, channel, status);
    const run = typeof action === 'string' ? deps.actions.get(action) : undefined;
    if (run === undefined) throw errors.invalidData({});
    return { status, data: await run(channel, req) };
  };
  const metaflow = async (req: ApiRequest, channel: Channel, status: number): Promise<ApiResult> => {
    // The node is `data` (KAZOO's correct form); the docs' `data.data` form is accepted too.
    const raw = typeof req.data['module'] === 'string' ? req.data : (req.data['data'] as Record<string, unknown> | undefined) ?? {};
    const checked = validate('metaflow', raw);
    if (!checked.ok) throw errors.validation(validationData(checked.errors));
    const node = checked.value as { module: string; data?: Record<string, unknown>; children?: Record<string, unknown> };
    await deps.metaflow(channel, node);
    return { status, data: 'metaflow sent' };
  };
  const byUsernames = async (req: ApiRequest, devices: readonly StoredDoc[]): Promise<ApiResult> => {
    const realm = String(accountOf(req)['realm'] ?? '');
    const usernames = devices.map(sipUsername).filter((u): u is string => u !== undefined);
    return list(usernames.length === 0 ? [] : deps.channels.byUsernames(realm, usernames));
  };
  return [
    {
      path: '/v2/channels',
      tag: 'channels',
      auth: 'required',
      methods: {
        GET: {
          summary: 'Every live channel of the system (superduper admin; crossbar.channels.system_wide_channels_list)',
          handler: async () => {
            if (deps.systemWideList === false) throw errors.forbidden();
            return list(deps.channels.all());
          },
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/channels',
      tag: 'channels',
      auth: 'required',
      methods: { GET: { summary: "The account's live channels", handler: async (req) => list(deps.channels.byAccount(accountOf(req)._id)) } },
    },
    {
      path: '/v2/accounts/:account_id/users/:user_id/channels',
      tag: 'channels',
      auth: 'required',
      methods: {
        GET: {
          summary: "Live channels of the user's devices (by SIP username in the account realm)",
          handler: async (req) => {
            const account = accountOf(req);
            const userId = req.params['user_id'] ?? '';
            const user = await deps.endpoints.user(account._id, userId);
            if (user === undefined) throw errors.badIdentifier(userId);
            return byUsernames(req, await deps.endpoints.devicesOfOwner(account._id, userId));
          },
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/devices/:device_id/channels',
      tag: 'channels',
      auth: 'required',
      methods: {
        GET: {
          summary: "Live channels of the device's SIP username",
          handler: async (req) => {
            const deviceId = req.params['device_id'] ?? '';
            const device = await deps.endpoints.device(accountOf(req)._id, deviceId);
            if (device === undefined) throw errors.badIdentifier(deviceId);
            return byUsernames(req, [device]);
          },
        },
      },
    },
    {
      path: '/v2/accounts/:account_id/channels/:call_id',
      tag: 'channels',
      auth: 'required',
      methods: {
        GET: { summary: 'One live channel in detail', handler: async (req) => ({ data: channelDetail(find(req), now()) }) },
        POST: { summary: 'Run an action on the channel (hangup, transfer, break, callflow, intercept, hold, unhold, ...)', dataSchema: ACTION_SCHEMA, handler: (req) => act(req, 200) },
        PUT: { summary: 'Push a metaflow to the channel ({"action":"metaflow","data":{"module":...}}), or run an action', dataSchema: ACTION_SCHEMA, successStatus: 201, handler: (req) => act(req, 201) },
      },
    },
  ];
}

/** The body of a channel action, for the OpenAPI document. */
const ACTION_SCHEMA = {
  type: 'object',
  properties: {
    action: {
      type: 'string',
      enum: ['hangup', 'transfer', 'break', 'callflow', 'intercept', 'hold', 'unhold', 'record_start', 'record_stop', 'park', 'complete', 'cancel', 'metaflow'],
    },
    target: { type: 'string', description: 'transfer: the number to transfer to' },
    'transfer-type': { type: 'string', enum: ['blind', 'attended'] },
    transfer_type: { type: 'string', enum: ['blind', 'attended'] },
    leg: { type: 'string', enum: ['self', 'bleg'] },
    takeback_dtmf: { type: 'string' },
    moh: { type: 'string' },
    id: { type: 'string', description: 'callflow: the callflow to run' },
    target_type: { type: 'string', enum: ['device', 'user'] },
    target_id: { type: 'string' },
    unbridged_only: { type: 'boolean' },
  },
} as const;

/** Turns a call command failure into KAZOO's 400 validation shape. */
export function commandError(error: CallCommandError): ReturnType<typeof fieldError> {
  return fieldError(error.field, error.rule, error.message);
}

function sipUsername(device: StoredDoc): string | undefined {
  const sip = device['sip'];
  const username = typeof sip === 'object' && sip !== null ? (sip as Record<string, unknown>)['username'] : undefined;
  return typeof username === 'string' ? username : undefined;
}
