/**
 * Time as the scheduler sees it. The daemon uses the system clock; tests pass a clock they
 * move by hand, so cron firing, catch-up and backoff run in milliseconds of real time.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` is aborted (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout takes at most 2^31-1 ms; longer sleeps are cut, and callers check the time again. */
const LONGEST_TIMER_MS = 2_147_000_000;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(Math.max(0, ms), LONGEST_TIMER_MS));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
