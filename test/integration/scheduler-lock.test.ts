/**
 * A job lock whose holder crashed is not held forever. A real process takes the lock and is
 * killed with SIGKILL: on this host its lock is taken over at once (its owner pid is gone); a
 * holder on another host (a shared disk) can only be judged by the lock going stale.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isLocked, tryLock } from '../../src/scheduler/job-lock.js';
import { REPO_ROOT } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Starts a process that takes the lock and holds it; resolves once it holds it. */
async function holder(target: string) {
  const moduleUrl = new URL('dist/scheduler/job-lock.js', `file://${REPO_ROOT}`).href;
  const child = execa('node', ['--input-type=module', '-e', `
    const { tryLock } = await import(${JSON.stringify(moduleUrl)});
    const lock = await tryLock(${JSON.stringify(target)}, { staleMs: 5000 });
    console.log(lock ? 'locked' : 'busy');
    setInterval(() => {}, 1000);
  `], { reject: false, buffer: false });
  const said = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk) => resolve(String(chunk).trim())));
  expect(said).toBe('locked');
  // Wrapped: a subprocess is a promise, and returning it from an async function would wait for its end.
  return { child };
}

async function lockTarget(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-job-lock-'));
  dirs.push(dir);
  return path.join(dir, 'locks', 'nightly');
}

describe('job lock after a crash', () => {
  it('is refused while its holder lives, and taken over at once when the holder on this host was killed', async () => {
    const target = await lockTarget();
    const { child } = await holder(target);
    expect(await isLocked(target, 5_000)).toBe(true);
    expect(await tryLock(target, { staleMs: 5_000 })).toBeUndefined();

    child.kill('SIGKILL');
    await child;
    const lock = await tryLock(target, { staleMs: 5_000 });
    expect(lock).toBeDefined();
    await lock!.release();
    expect(await isLocked(target, 5_000)).toBe(false);
  });

  it('from a holder on another host: refused while fresh, taken over once stale', async () => {
    const target = await lockTarget();
    const { child } = await holder(target);
    child.kill('SIGKILL');
    await child;
    const killedAt = Date.now();
    // As if the holder had run on another machine sharing the disk: its pid says nothing here.
    await writeFile(`${target}.owner`, JSON.stringify({ pid: 1, host: 'another-host' }));
    expect(await tryLock(target, { staleMs: 5_000 })).toBeUndefined();

    let lock: Awaited<ReturnType<typeof tryLock>>;
    while ((lock = await tryLock(target, { staleMs: 5_000 })) === undefined) {
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Stale 5 s after the holder's last refresh (up to ~1.7 s before the kill).
    expect(Date.now() - killedAt).toBeGreaterThan(3_000);
    await lock.release();
  });
});
