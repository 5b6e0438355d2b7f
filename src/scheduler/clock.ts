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

/** setTimeout takes at most 2^31-1 ms; a longer sleep is several timers. */
const LONGEST_TIMER_MS = 2_147_000_000;

/**
 * Node's timers count from the event loop's cached time, which can be a millisecond or more behind
 * the clock when the timer is set: a timer may fire before `ms` have passed by `Date.now()`, and a
 * backoff recorded in run records as 199 ms for a 200 ms setting. The sleep waits out the rest.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const until = Date.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const wait = () => {
        const left = until - Date.now();
        if (left <= 0) return done();
        timer = setTimeout(wait, Math.min(left, LONGEST_TIMER_MS));
      };
      signal?.addEventListener('abort', done, { once: true });
      wait();
    }),
};
