import type { Channel } from '../../calls/index.ts';
import { JsonArrayWriter } from '../json-array-writer.ts';
import type { RawJson } from '../raw-json.ts';
import { channelSummaryJson, elapsedSeconds } from './channel-views.ts';

/** One leg's summary as UTF-8 JSON around its `elapsed_s` value, valid while the revision holds. */
interface Fragment {
  readonly revision: number;
  readonly head: Buffer;
  readonly tail: Buffer;
}

/** Room per element for the comma and the `elapsed_s` digits. */
const PER_ELEMENT = 24;

/**
 * Channel listings (reference §2.2) from cached JSON: a leg's summary is serialised again only when
 * the channel changed (`Channel.revision`); a request writes the cached bytes and each leg's
 * `elapsed_s`. The output is byte for byte `JSON.stringify` of the {@link channelSummary} array.
 * Entries live as long as their channel and are dropped once it is seen closed.
 */
export class ChannelListing {
  readonly #fragments = new WeakMap<Channel, Fragment>();
  #built = 0;

  /** The open channels among `channels` as the summary array. */
  json(channels: readonly Channel[], now: number): RawJson {
    const open: Channel[] = [];
    const fragments: Fragment[] = [];
    let size = 2;
    for (const channel of channels) {
      if (channel.closed) {
        this.#fragments.delete(channel);
        continue;
      }
      const fragment = this.#fragment(channel);
      open.push(channel);
      fragments.push(fragment);
      size += fragment.head.length + fragment.tail.length + PER_ELEMENT;
    }
    const writer = new JsonArrayWriter(size);
    for (let i = 0; i < fragments.length; i++) {
      const fragment = fragments[i] as Fragment;
      writer.element().bytes(fragment.head).integer(elapsedSeconds(open[i] as Channel, now)).bytes(fragment.tail);
    }
    return writer.finish();
  }

  /** Summaries serialised since this listing was made (each open leg once, then once per change). */
  get built(): number {
    return this.#built;
  }

  #fragment(channel: Channel): Fragment {
    const cached = this.#fragments.get(channel);
    if (cached !== undefined && cached.revision === channel.revision) return cached;
    const { head, tail } = channelSummaryJson(channel);
    const fragment = { revision: channel.revision, head: Buffer.from(head, 'utf8'), tail: Buffer.from(tail, 'utf8') };
    this.#fragments.set(channel, fragment);
    this.#built++;
    return fragment;
  }
}
