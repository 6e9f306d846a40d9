import type { Channel } from './channel.ts';

/**
 * Where live channels are found (KAZOO's channel queries). In-process here; a cluster
 * implementation keeps the same interface over a shared store.
 */
export interface ChannelDirectory {
  add(channel: Channel): void;
  remove(uuid: string): void;
  get(uuid: string): Channel | undefined;
  /** Live channels of an account. */
  byAccount(accountId: string): Channel[];
  /** Live channels of SIP usernames in a realm (case-insensitive), as KAZOO filters users and devices. */
  byUsernames(realm: string, usernames: readonly string[]): Channel[];
  all(): Channel[];
  readonly size: number;
}

/** The single-node channel directory. */
export class MemoryChannelDirectory implements ChannelDirectory {
  readonly #channels = new Map<string, Channel>();

  add(channel: Channel): void {
    if (this.#channels.has(channel.uuid)) throw new Error(`channel ${channel.uuid} is already in the directory`);
    this.#channels.set(channel.uuid, channel);
  }

  remove(uuid: string): void {
    this.#channels.delete(uuid);
  }

  get(uuid: string): Channel | undefined {
    return this.#channels.get(uuid);
  }

  byAccount(accountId: string): Channel[] {
    return [...this.#channels.values()].filter((c) => c.profile.accountId === accountId);
  }

  byUsernames(realm: string, usernames: readonly string[]): Channel[] {
    const wanted = new Set(usernames.map((u) => u.toLowerCase()));
    const r = realm.toLowerCase();
    return [...this.#channels.values()].filter(
      (c) => c.profile.realm.toLowerCase() === r && c.profile.username !== undefined && wanted.has(c.profile.username.toLowerCase()),
    );
  }

  all(): Channel[] {
    return [...this.#channels.values()];
  }

  get size(): number {
    return this.#channels.size;
  }
}
