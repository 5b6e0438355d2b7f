/**
 * One run of a job at a time, across processes: a proper-lockfile directory lock per job whose
 * holder refreshes its mtime. A holder that crashed stops refreshing, so its lock goes stale and
 * is taken over after `staleMs`; a crashed run never blocks its job for good.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** A lock not refreshed for this long belongs to a dead process. */
export const JOB_LOCK_STALE_MS = 30_000;

export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  staleMs?: number;
  /** Called when the lock was lost while held (its folder removed, or refreshes failed too long). */
  onCompromised?: (error: Error) => void;
}

/** Takes the lock at once, or returns undefined when another live holder has it. */
export async function tryLock(target: string, options: LockOptions = {}): Promise<HeldLock | undefined> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staleMs = Math.max(5_000, options.staleMs ?? JOB_LOCK_STALE_MS);
  try {
    const release = await lockfile.lock(target, {
      stale: staleMs,
      update: Math.max(1_000, Math.floor(staleMs / 3)),
      retries: 0,
      realpath: false,
      // The default throws from a timer, which would end the process; losing a job lock is not worth that.
      onCompromised: options.onCompromised ?? (() => {}),
    });
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await release().catch(() => undefined);
      },
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
}

/** True when a live holder has the lock (a stale lock counts as free). */
export async function isLocked(target: string, staleMs = JOB_LOCK_STALE_MS): Promise<boolean> {
  try {
    return await lockfile.check(target, { stale: Math.max(5_000, staleMs), realpath: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
