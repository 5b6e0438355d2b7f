import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/scheduler/clock.js';

describe('systemClock.sleep', () => {
  it('lasts at least the time asked for by Date.now(), which run records use', async () => {
    // Node's timers count from the event loop's cached time: synchronous work before the sleep
    // (a run record written, a log line) makes that time stale, and a bare timer ended early.
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      const busyUntil = Date.now() + 8;
      while (Date.now() < busyUntil) { /* the loop's cached time falls behind */ }
      const started = Date.now();
      await systemClock.sleep(15);
      expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    }
  });

  it('ends at once when its signal is aborted, before or during the sleep', async () => {
    const aborted = new AbortController();
    aborted.abort();
    const started = Date.now();
    await systemClock.sleep(60_000, aborted.signal);
    const during = new AbortController();
    setTimeout(() => during.abort(), 20);
    await systemClock.sleep(60_000, during.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
