/**
 * One run of a job at a time, across processes: a proper-lockfile directory lock per job whose
 * holder refreshes its mtime. A holder that crashed stops refreshing, so its lock goes stale and
 * is taken over after `staleMs`; a crashed run never blocks its job for good.
 *
 * Beside the lock, `<target>.owner` names the holder (pid and host). A lock whose holder is known
 * to be dead — same host, pid gone — is taken over at once instead of after `staleMs`, so a
 * scheduler restarted right after a crash does not wait for its own old lock.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { replaceAtomically } from '../lake/durable-fs.js';

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

interface LockOwner {
  pid: number;
  host: string;
}

function ownerFile(target: string): string {
  return `${target}.owner`;
}

async function readOwner(target: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fs.readFile(ownerFile(target), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isDeadHereAndNow(owner: LockOwner | undefined): boolean {
  if (owner === undefined || owner.host !== os.hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Takes the lock at once, or returns undefined when another live holder has it. */
export async function tryLock(target: string, options: LockOptions = {}): Promise<HeldLock | undefined> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staleMs = Math.max(5_000, options.staleMs ?? JOB_LOCK_STALE_MS);
  const attempt = () =>
    lockfile.lock(target, {
      stale: staleMs,
      update: Math.max(1_000, Math.floor(staleMs / 3)),
      retries: 0,
      realpath: false,
      // The default throws from a timer, which would end the process; losing a job lock is not worth that.
      onCompromised: options.onCompromised ?? (() => {}),
    });
  let release: () => Promise<void>;
  try {
    release = await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(target);
    if (!isDeadHereAndNow(owner)) return undefined;
    // Its holder died on this host: take it over now rather than when it goes stale.
    await fs.rm(ownerFile(target), { force: true });
    await fs.rmdir(`${target}.lock`).catch(() => undefined);
    try {
      release = await attempt();
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw retryError;
    }
  }
  await replaceAtomically(ownerFile(target), `${JSON.stringify({ pid: process.pid, host: os.hostname() } satisfies LockOwner)}\n`);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await fs.rm(ownerFile(target), { force: true });
      await release().catch(() => undefined);
    },
  };
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
