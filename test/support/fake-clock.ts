/**
 * A clock that moves only when a test moves it: sleeps resolve when the test advances past
 * their end. Lets scheduler tests cover days of cron time in milliseconds.
 */
import type { Clock } from '../../src/scheduler/clock.js';

interface Sleeper {
  until: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private waiters: Array<() => void> = [];

  constructor(start: string | number) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { until: this.current + Math.max(0, ms), resolve };
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      }, { once: true });
      this.sleepers.push(sleeper);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** How many sleeps are waiting. */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Resolves once at least `count` sleeps are waiting (polls real time, gives up after 5 s). */
  async untilSleeping(count = 1): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.sleepers.length < count) {
      if (Date.now() > deadline) throw new Error(`FakeClock: expected ${count} pending sleep(s), have ${this.sleepers.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  /** Moves time to `target` and wakes every sleep that ends by then, earliest first. */
  set(target: string | number): void {
    const time = typeof target === 'string' ? Date.parse(target) : target;
    if (time < this.current) throw new Error('FakeClock: time does not go back');
    this.current = time;
    const due = this.sleepers.filter((sleeper) => sleeper.until <= time).sort((a, b) => a.until - b.until);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.until > time);
    for (const sleeper of due) sleeper.resolve();
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}
