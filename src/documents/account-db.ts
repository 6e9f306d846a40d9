/** KAZOO's account database name for an account id: `account/xx/yy/rest` (used in object events). */
export function accountDbName(accountId: string): string {
  return `account/${accountId.slice(0, 2)}/${accountId.slice(2, 4)}/${accountId.slice(4)}`;
}

/** The same, URL-encoded as KAZOO puts it in routing keys and event payloads (`account%2Fxx%2Fyy%2Frest`). */
export function encodedAccountDb(accountId: string): string {
  return encodeURIComponent(accountDbName(accountId));
}
