import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LakeLayout } from '../../../src/lake/layout.js';
import { withLakeLock } from '../../../src/lake/lock.js';
import { commitSnapshot, EMPTY_SNAPSHOT, readLatestSnapshot } from '../../../src/lake/snapshot.js';

describe('lake snapshots', () => {
  let root: string;
  let layout: LakeLayout;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'lake-'));
    layout = new LakeLayout(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('starts empty and commits versions in order', async () => {
    expect(await readLatestSnapshot(layout)).toEqual(EMPTY_SNAPSHOT);
    const first = await commitSnapshot(layout, EMPTY_SNAPSHOT, { operation: 'ingest', details: {}, files: [], sources: {} });
    const second = await commitSnapshot(layout, first, { operation: 'ingest', details: { n: 2 }, files: [], sources: { kafka: { g: 1 } } });
    expect(first.version).toBe(1);
    expect(second.version).toBe(2);
    expect(second.parent).toBe(1);
    expect(await readLatestSnapshot(layout)).toEqual(second);
  });

  it('refuses a second commit of the same version (the hard link is exclusive)', async () => {
    await commitSnapshot(layout, EMPTY_SNAPSHOT, { operation: 'a', details: {}, files: [], sources: {} });
    await expect(commitSnapshot(layout, EMPTY_SNAPSHOT, { operation: 'b', details: {}, files: [], sources: {} })).rejects.toMatchObject({ code: 'LAKE_BUSY' });
    expect((await readLatestSnapshot(layout)).operation).toBe('a');
  });

  it('ignores temp files a crashed writer left in the snapshot folder', async () => {
    const committed = await commitSnapshot(layout, EMPTY_SNAPSHOT, { operation: 'ingest', details: {}, files: [], sources: {} });
    await writeFile(`${layout.snapshotFile(2)}.1234.99.tmp`, '{"version": 2, "trunc');
    expect(await readLatestSnapshot(layout)).toEqual(committed);
  });

  it('keeps the newest 50 snapshots', async () => {
    let parent = EMPTY_SNAPSHOT;
    for (let index = 0; index < 55; index++) parent = await commitSnapshot(layout, parent, { operation: 'x', details: {}, files: [], sources: {} });
    const names = (await readdir(layout.snapshotsDir)).filter((name) => name.endsWith('.json'));
    expect(names).toHaveLength(50);
    expect((await readLatestSnapshot(layout)).version).toBe(55);
  });

  it('serialises writers with the lake lock', async () => {
    const order: string[] = [];
    const work = (name: string) => withLakeLock(layout, async () => {
      order.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(`${name}:end`);
    });
    await Promise.all([work('a'), work('b')]);
    expect(order[1]).toBe(`${order[0]!.split(':')[0]}:end`);
  });

  it('a lock whose folder disappears while held (taken over, or removed) does not end the process; the work goes on', async () => {
    // proper-lockfile's refresh then reports the lock compromised; by default it threw from a timer.
    const result = await withLakeLock(layout, async () => {
      await rm(path.join(root, '_snapshots.lock'), { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      return 'committed';
    }, { staleMs: 2_000 });
    expect(result).toBe('committed');
    // And the lake can be locked again
    expect(await withLakeLock(layout, async () => 'again')).toBe('again');
  });

  describe('ANALYTICS_LAKE_LOCK_WAIT', () => {
    afterEach(() => { delete process.env.ANALYTICS_LAKE_LOCK_WAIT; });

    it('bounds the wait for another writer: LAKE_BUSY after it', async () => {
      process.env.ANALYTICS_LAKE_LOCK_WAIT = '300ms';
      let release!: () => void;
      const holding = withLakeLock(layout, () => new Promise<void>((resolve) => { release = resolve; }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      await expect(withLakeLock(layout, async () => 'never')).rejects.toMatchObject({ code: 'LAKE_BUSY' });
      expect(performance.now() - started).toBeLessThan(5_000);
      release();
      await holding;
      expect(await withLakeLock(layout, async () => 'after')).toBe('after');
    });

    it('is a duration, or a configuration error that says how to write one', async () => {
      process.env.ANALYTICS_LAKE_LOCK_WAIT = 'soon';
      await expect(withLakeLock(layout, async () => 'never')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/"soon", not a duration/) });
    });
  });
});
