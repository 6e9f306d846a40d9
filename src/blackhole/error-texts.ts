/**
 * The error strings a Blackhole reply carries in `data.errors` (kazoo-reference §5.2/§5.4 and §7).
 * KAZOO clients match some of them (monster-ui logs in again on `failed to authenticate token`),
 * so the KAZOO ones are kept character for character. The last group is ours (beyond KAZOO).
 */
export const BLACKHOLE_ERRORS = {
  tokenRequired: 'authentication token required',
  tokenFailed: (token: string): string => `failed to authenticate token ${token}`,
  tokenFormat: 'invalid authentication token format',
  emptyData: 'missing required keys in data object',
  /** KAZOO joins the missing keys with `, ` (`kz_binary:join/1`). */
  missingKeys: (keys: readonly string[]): string => `missing required keys : ${keys.join(', ')}`,
  wildcardAccount: 'unauthorized wildcard account id',
  unauthorizedAccount: 'unauthorized account id',
  eventNotSupported: (event: string): string => `event ${event} not supported`,
  invalidFormat: (module: string, keys: readonly string[]): string => `invalid format for ${module} subscription : ${keys.join(', ')}`,
  noSubscriptions: 'no available subscriptions to requested binding',
  rateLimited: (session: string): string => `rate limiting threshold hit for ${session}!`,

  invalidJson: 'invalid JSON: a message is one JSON object',
  invalidBindings: 'bindings must be a list of binding strings',
  invalidSince: 'since must be a sequence number (a non-negative integer)',
  sinceNeedsAccount: 'since needs a single account_id, not *',
  tooManyBindings: (max: number): string => `too many bindings: at most ${max} per connection`,
} as const;
