/** Base class of every error Switchboard throws: a stable machine `code` and an optional cause. */
export class SwitchboardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Thrown by any method of an object after its `close()`. */
export class ClosedError extends SwitchboardError {
  constructor(what: string) {
    super('closed', `${what} is closed`);
  }
}

/** Narrows an unknown thrown value to an Error. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
