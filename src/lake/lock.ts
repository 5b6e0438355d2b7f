/**
 * One committer at a time per lake. Writers validate and stage outside the lock and hold it only
 * for de-duplication, writing and the snapshot commit; readers never take it. The lock is a
 * proper-lockfile directory lock whose mtime the holder refreshes, so a crashed holder's lock
 * goes stale and is taken over after `staleMs`.
 */
import { promises as fs } from 'node:fs';
import lockfile from 'proper-lockfile';
import { readEnv } from '../env.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../streams/duration.js';
import type { LakeLayout } from './layout.js';

export interface LakeLockOptions {
  /** How long to wait for another writer, in ms (default 10 minutes). */
  waitMs?: number;
  staleMs?: number;
}

export async function withLakeLock<T>(layout: LakeLayout, work: () => Promise<T>, options: LakeLockOptions = {}): Promise<T> {
  await fs.mkdir(layout.snapshotsDir, { recursive: true });
  const waitMs = options.waitMs ?? lockWaitMs();
  const staleMs = options.staleMs ?? 15_000;
  let release: () => Promise<void>;
  let done = false;
  let compromised = false;
  try {
    release = await lockfile.lock(layout.snapshotsDir, {
      stale: staleMs,
      update: Math.floor(staleMs / 3),
      retries: { retries: Math.ceil(waitMs / 250), factor: 1.2, minTimeout: 25, maxTimeout: 250 },
      realpath: false,
      // proper-lockfile refreshes the lock's mtime on a timer and, when the folder is gone or not
      // its own (the lock went stale and another writer took it), calls this; by default it
      // throws from the timer, which ended the process. It also does so when the lock was
      // released while a refresh was in flight (its stat then finds the folder just removed): a
      // commit that held the lock for about a refresh interval killed the ingest. Neither needs
      // the process to die: a writer that lost the lock cannot commit over another, because a
      // snapshot version is created only once (snapshot.ts; the loser gets LAKE_BUSY).
      onCompromised: () => {
        if (!done) compromised = true;
      },
    });
  } catch (error) {
    throw new UserError('LAKE_BUSY', `Another process held the lake lock for more than ${Math.round(waitMs / 1000)} s.`, {
      hint: 'Wait for the other ingest or maintenance run to finish and retry.',
      cause: error,
    });
  }
  try {
    return await work();
  } finally {
    done = true;
    // A compromised lock is no longer ours to release (proper-lockfile dropped it).
    if (!compromised) await release();
  }
}

const DEFAULT_WAIT_MS = 600_000;

/** The wait for the lock: ANALYTICS_LAKE_LOCK_WAIT, else 10 minutes. */
function lockWaitMs(): number {
  const text = readEnv('ANALYTICS_LAKE_LOCK_WAIT');
  if (text === undefined) return DEFAULT_WAIT_MS;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UserError('CONFIG_INVALID', `ANALYTICS_LAKE_LOCK_WAIT is "${text}", not a duration.`, { hint: 'Write a number and a unit, such as 30s or 2m; unset it for the default 10m.' });
  }
  return ms;
}
