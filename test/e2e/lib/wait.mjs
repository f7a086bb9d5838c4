// Waiting on conditions, never on the clock: poll a probe until it passes or the time is up,
// and report the last value seen so a failure says what the editor or kernel showed instead.
const POLL_MS = 200;

/**
 * Resolve with the first value of `probe()` that `accept` accepts.
 * @template T
 * @param {() => Promise<T>} probe
 * @param {(value: T) => boolean} accept
 * @param {{ timeout?: number, what: string }} options
 * @returns {Promise<T>}
 */
export async function waitUntil(probe, accept, { timeout = 60_000, what }) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `last error: ${lastError}` : `last seen: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Assert that `probe()` stays accepted for `duration` ms: for claims that something does NOT
 * happen, observed over a window longer than the thing takes when it does happen.
 * @template T
 * @param {() => Promise<T>} probe
 * @param {(value: T) => boolean} accept
 * @param {{ duration: number, what: string }} options
 */
export async function holdsFor(probe, accept, { duration, what }) {
  const end = Date.now() + duration;
  while (Date.now() < end) {
    const value = await probe();
    if (!accept(value)) throw new Error(`expected ${what}, but saw ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
