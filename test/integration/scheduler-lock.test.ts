/**
 * A job lock whose holder crashed is not held forever: a real process takes the lock and is
 * killed with SIGKILL; the lock refuses others while fresh and is taken over once stale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isLocked, tryLock } from '../../src/scheduler/job-lock.js';
import { REPO_ROOT } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('job lock after a crash', () => {
  it('is refused while its killed holder\'s lock is fresh, and taken over once it is stale', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-job-lock-'));
    dirs.push(dir);
    const target = path.join(dir, 'locks', 'nightly');
    const moduleUrl = new URL('dist/scheduler/job-lock.js', `file://${REPO_ROOT}`).href;
    const holder = execa('node', ['--input-type=module', '-e', `
      const { tryLock } = await import(${JSON.stringify(moduleUrl)});
      const lock = await tryLock(${JSON.stringify(target)}, { staleMs: 5000 });
      console.log(lock ? 'locked' : 'busy');
      setInterval(() => {}, 1000);
    `], { reject: false, buffer: false });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    expect(await isLocked(target, 5_000)).toBe(true);

    holder.kill('SIGKILL');
    await holder;
    const killedAt = Date.now();
    // The holder is dead but its lock is fresh: refused.
    expect(await tryLock(target, { staleMs: 5_000 })).toBeUndefined();

    let lock: Awaited<ReturnType<typeof tryLock>>;
    while ((lock = await tryLock(target, { staleMs: 5_000 })) === undefined) {
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Taken over after the stale time (counted from the holder's last refresh, up to ~1.7 s before the kill).
    expect(Date.now() - killedAt).toBeGreaterThan(3_000);
    await lock.release();
    expect(await isLocked(target, 5_000)).toBe(false);
  });
});
