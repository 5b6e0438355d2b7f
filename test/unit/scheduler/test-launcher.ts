/**
 * An in-process launcher for the scheduler core's tests: instead of a child process, each
 * attempt ends when the test says so (or at once, with a queued outcome). The real launcher
 * (child processes) is tested in test/integration/scheduler-process.test.ts.
 */
import type { JobLauncher, LaunchOutcome, LaunchRequest } from '../../../src/scheduler/run-job.js';

export class TestLauncher {
  readonly launches: LaunchRequest[] = [];
  private readonly queued: LaunchOutcome[] = [];
  private readonly pending: Array<{ request: LaunchRequest; resolve: (outcome: LaunchOutcome) => void }> = [];

  /** Attempts started from now on end at once with these outcomes, in order. */
  queue(...exitCodes: number[]): void {
    for (const exitCode of exitCodes) this.queued.push({ exitCode, signal: null, timedOut: false, cancelled: false });
  }

  readonly launcher: JobLauncher = (request) => {
    this.launches.push(request);
    const queued = this.queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.pending.push({ request, resolve });
      request.kill.addEventListener('abort', () => resolve({ exitCode: null, signal: 'SIGTERM', timedOut: false, cancelled: true }), { once: true });
    });
  };

  /** Attempts started and not ended. */
  get running(): number {
    return this.pending.length;
  }

  /** Ends the oldest running attempt with this exit code. */
  finish(exitCode = 0): void {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('TestLauncher: nothing is running');
    next.resolve({ exitCode, signal: null, timedOut: false, cancelled: false });
  }
}
