/** Room a {@link JsonArrayWriter} leaves around its bytes so the envelope's keys fit without a copy. */
export const FRAME_ROOM = { head: 1024, tail: 256 } as const;

/**
 * JSON text already serialised as UTF-8, given as an envelope's `data`: the server writes these
 * bytes as the value without walking them (a listing of thousands of live objects builds it from
 * cached fragments). Whoever builds one guarantees that the bytes are one valid JSON value.
 */
export class RawJson {
  readonly #buffer: Buffer;
  readonly #start: number;
  readonly #end: number;
  /** The room around the bytes was written into once; later framings copy. */
  #roomUsed = false;

  /** `bytes`, or the JSON at `[start, end)` of `buffer` with free room on both sides. */
  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > buffer.length) {
      throw new RangeError(`RawJson: [${start}, ${end}) is not inside a buffer of ${buffer.length} bytes`);
    }
    this.#buffer = buffer;
    this.#start = start;
    this.#end = end;
  }

  /** The value of a JSON text. */
  static of(text: string): RawJson {
    return new RawJson(Buffer.from(text, 'utf8'));
  }

  /** The JSON bytes. */
  get bytes(): Buffer {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /**
   * `prefix + bytes + suffix` as one buffer: written into the room around the bytes the first time
   * it fits (no copy of a large value), copied otherwise.
   */
  framed(prefix: Uint8Array, suffix: Uint8Array): Buffer {
    const from = this.#start - prefix.length;
    const to = this.#end + suffix.length;
    if (this.#roomUsed || from < 0 || to > this.#buffer.length) return Buffer.concat([prefix, this.bytes, suffix]);
    this.#roomUsed = true;
    this.#buffer.set(prefix, from);
    this.#buffer.set(suffix, this.#end);
    return this.#buffer.subarray(from, to);
  }

  /** The parsed value, so that `JSON.stringify` of anything holding this one still gives the same JSON. */
  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}
