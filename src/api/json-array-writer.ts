import { FRAME_ROOM, RawJson } from './raw-json.ts';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
/** `-9007199254740991`. */
const MAX_INTEGER_DIGITS = 17;

/**
 * Writes a JSON array of pre-serialised elements into one buffer: `element()` starts the next
 * element, `bytes`/`integer`/`text` append its pieces, `finish()` closes the array. The buffer
 * grows when the capacity hint was short, and keeps {@link FRAME_ROOM} free around the array for
 * the envelope.
 */
export class JsonArrayWriter {
  #buffer: Buffer;
  #length = FRAME_ROOM.head + 1;
  #elements = 0;
  #finished = false;

  /** `capacityHint`: the expected size of the array in bytes. */
  constructor(capacityHint = 4096) {
    this.#buffer = Buffer.allocUnsafe(FRAME_ROOM.head + Math.max(2, Math.ceil(capacityHint)) + FRAME_ROOM.tail);
    this.#buffer[FRAME_ROOM.head] = OPEN;
  }

  /** Starts the next element (writes the separating comma). */
  element(): this {
    this.#writable(1);
    if (this.#elements++ > 0) this.#buffer[this.#length++] = COMMA;
    return this;
  }

  /** Appends serialised JSON bytes to the current element. */
  bytes(chunk: Uint8Array): this {
    this.#writable(chunk.length);
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
    return this;
  }

  /** Appends a safe integer as JSON (ASCII digits written in place: a listing writes one per element). */
  integer(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`JsonArrayWriter: ${value} is not a safe integer`);
    this.#writable(MAX_INTEGER_DIGITS);
    const buffer = this.#buffer;
    let n = value;
    if (n < 0) {
      buffer[this.#length++] = MINUS;
      n = -n;
    }
    let end = this.#length;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) end++;
    this.#length = end + 1;
    do {
      buffer[end--] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    return this;
  }

  /** Appends serialised JSON text (a literal, a string) to the current element. */
  text(json: string): this {
    const max = json.length * 3;
    this.#writable(max);
    this.#length += this.#buffer.write(json, this.#length, max, 'utf8');
    return this;
  }

  /** Elements written so far. */
  get elements(): number {
    return this.#elements;
  }

  /** Closes the array; the writer takes no more. */
  finish(): RawJson {
    this.#writable(1);
    this.#buffer[this.#length++] = CLOSE;
    this.#finished = true;
    return new RawJson(this.#buffer, FRAME_ROOM.head, this.#length);
  }

  #writable(bytes: number): void {
    if (this.#finished) throw new Error('JsonArrayWriter: the array is already finished');
    const needed = this.#length + bytes + 1 + FRAME_ROOM.tail; // + 1: the closing bracket
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}
