/**
 * One workspace, many processes: ingests and queries run at the same time as real processes;
 * queries never fail and only ever see whole batches. A writer killed with SIGKILL mid-write
 * leaves nothing visible, and a rerun stores each event exactly once.
 */
import { execa, type ResultPromise } from 'execa';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeLayout } from '../../src/lake/layout.js';
import { readLatestSnapshot } from '../../src/lake/snapshot.js';
import { writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const BIN = path.resolve('bin/run.js');
const env = { ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1' };

async function countTransactions(dir: string): Promise<number> {
  const result = await execa('node', [BIN, 'query', 'SELECT count(*) AS n FROM transactions', '--format', 'json', '-w', dir], { env });
  return (JSON.parse(result.stdout) as { n: number }[])[0]!.n;
}

describe('concurrent ingest and query on one workspace', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sizes = [40_000, 60_000];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempWorkspace());
    await writeTransactions(path.join(dir, 'a.ndjson'), sizes[0]!, { idPrefix: 'a', day: '2026-11-23' });
    await writeTransactions(path.join(dir, 'b.ndjson'), sizes[1]!, { idPrefix: 'b', day: '2026-11-24' });
  });
  afterAll(() => cleanup());

  it('queries succeed during two concurrent ingests and only see whole batches', async () => {
    // Given two ingest processes writing to the same lake
    const ingests = ['a.ndjson', 'b.ndjson'].map((file) =>
      execa('node', [BIN, 'ingest', 'file', file, '--format', 'json', '-w', dir], { env, cwd: dir }),
    );
    // When queries run over and over while they write
    const seen: number[] = [];
    let done = false;
    const settled = Promise.all(ingests).finally(() => (done = true));
    while (!done) seen.push(await countTransactions(dir));
    const results = await settled;
    seen.push(await countTransactions(dir));
    // Then every query succeeded and saw 0, one whole file, or both
    const allowed = new Set([0, sizes[0], sizes[1], sizes[0]! + sizes[1]!]);
    expect(seen.length).toBeGreaterThan(1);
    for (const count of seen) expect(allowed.has(count)).toBe(true);
    expect(seen.at(-1)).toBe(sizes[0]! + sizes[1]!);
    for (const result of results) expect(result.exitCode).toBe(0);
  });
});

describe('a writer killed with SIGKILL', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const size = 200_000;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempWorkspace());
    await writeTransactions(path.join(dir, 'big.ndjson'), size, { idPrefix: 'k' });
  });
  afterAll(() => cleanup());

  it('leaves no visible partial data, at any moment, and a rerun stores every event exactly once', async () => {
    const layout = new LakeLayout(path.join(dir, 'lake'));
    // Kill at increasing delays: during start-up, validation, the Parquet write and the commit.
    const delays = [150, 400, 700, 1000, 1300, 1700, 2200];
    let committedBeforeRerun = 0;
    for (const delay of delays) {
      const child: ResultPromise = execa('node', [BIN, 'ingest', 'file', 'big.ndjson', '-w', dir], { env, cwd: dir, reject: false });
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await child;
      // Whatever happened, a reader sees either nothing or the whole file, never part of it.
      const count = await countTransactions(dir);
      expect([0, size]).toContain(count);
      const snapshot = await readLatestSnapshot(layout);
      for (const file of snapshot.files) await expect(fs.stat(layout.resolve(file.path))).resolves.toBeTruthy();
      committedBeforeRerun = count;
    }
    // A rerun completes; duplicates of a committed run are dropped, nothing is stored twice.
    const rerun = await execa('node', [BIN, 'ingest', 'file', 'big.ndjson', '--format', 'json', '-w', dir], { env, cwd: dir });
    const summary = JSON.parse(rerun.stdout) as { read: number; stored: number; duplicates: number };
    expect(summary.read).toBe(size);
    expect(summary.stored + summary.duplicates).toBe(size);
    expect(summary.duplicates).toBe(committedBeforeRerun);
    const result = await execa('node', [BIN, 'query', 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM transactions', '--format', 'json', '-w', dir], { env });
    expect(JSON.parse(result.stdout)).toEqual([{ n: size, ids: size }]);
  });
});
