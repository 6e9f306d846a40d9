/**
 * An AMQP topic-exchange binding pattern: words separated by `.`, `*` matches exactly one word,
 * `#` matches zero or more words (AMQP 0-9-1 §3.1.3.3).
 */
export class TopicPattern {
  readonly source: string;
  readonly #words: readonly string[];
  readonly #literal: boolean;

  constructor(pattern: string) {
    this.source = pattern;
    this.#words = pattern.split('.');
    this.#literal = !this.#words.some((w) => w === '*' || w === '#');
  }

  matches(routingKey: string): boolean {
    if (this.#literal) return routingKey === this.source;
    return match(this.#words, 0, routingKey.split('.'), 0);
  }
}

function match(pattern: readonly string[], p: number, key: readonly string[], k: number): boolean {
  for (;;) {
    if (p === pattern.length) return k === key.length;
    const word = pattern[p];
    if (word === '#') {
      // `#` absorbs zero or more words: try every split, shortest first.
      for (let skip = k; skip <= key.length; skip++) if (match(pattern, p + 1, key, skip)) return true;
      return false;
    }
    if (k === key.length) return false;
    if (word !== '*' && word !== key[k]) return false;
    p++;
    k++;
  }
}
