// Waiting in end-to-end tests: for a condition to hold, or for a promise within a deadline.

/** Waits until `check` holds (sync or async; polled every 25 ms), up to `ms`; throws after that. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves with `promise`, or rejects with `message` if it has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
