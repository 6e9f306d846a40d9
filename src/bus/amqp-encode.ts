/**
 * KAZOO's routing-key form of an id (`kz_amqp_util:encode/1`, reference §0): keeps `a-z A-Z 0-9 - ~ _`
 * (and a whole-word wildcard `*` or `#` as it is), turns space into `+`, and every other byte into `%XX` (upper-case hex).
 */
export function encodeRoutingWord(id: string): string {
  if (id === '*' || id === '#') return id;
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-~_]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link encodeRoutingWord}. */
export function decodeRoutingWord(word: string): string {
  return decodeURIComponent(word.replace(/\+/g, ' '));
}
