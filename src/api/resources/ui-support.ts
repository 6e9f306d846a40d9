import { errors } from '../api-error.ts';
import type { RouteSpec } from '../request-context.ts';

/**
 * What monster-ui's boot sequence calls before it shows anything (CLIENTS.md). Switchboard has no
 * white-labelling, app store or alerts: it answers with their empty forms so the UI stays logged in.
 */
export function uiSupportRoutes(): RouteSpec[] {
  return [
    {
      path: '/v2/whitelabel/:domain',
      tag: 'ui',
      auth: 'public',
      methods: { GET: { summary: 'White-label settings of a domain (none here: 404)', handler: async (req) => { throw errors.badIdentifier(req.params['domain'] ?? ''); } } },
    },
    {
      path: '/v2/accounts/:account_id/apps_store',
      tag: 'ui',
      auth: 'required',
      methods: { GET: { summary: 'Apps enabled for the account (none)', handler: async () => ({ data: [] }) } },
    },
    {
      path: '/v2/accounts/:account_id/alerts',
      tag: 'ui',
      auth: 'required',
      methods: { GET: { summary: 'Alerts for the account (none)', handler: async () => ({ data: [] }) } },
    },
  ];
}
