/** Seconds between 0000-01-01 and 1970-01-01: KAZOO timestamps are Gregorian seconds (reference §0). */
export const GREGORIAN_OFFSET = 62167219200;

/** Gregorian seconds for a Unix time in milliseconds. */
export function toGregorian(unixMs: number): number {
  return Math.floor(unixMs / 1000) + GREGORIAN_OFFSET;
}

/** Unix milliseconds for Gregorian seconds. */
export function fromGregorian(gregorianSeconds: number): number {
  return (gregorianSeconds - GREGORIAN_OFFSET) * 1000;
}
