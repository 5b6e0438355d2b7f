import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExclusive, replaceAtomically } from '../../../src/lake/durable-fs.js';

describe('durable file writes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-durable-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('replaces one target from many concurrent writers of one process: each write lands whole, no temp file is left', async () => {
    // (Two dashboard widgets caching one metric in the same millisecond shared a temp file: ENOENT.)
    const target = path.join(dir, 'cache.json');
    const contents = Array.from({ length: 20 }, (_, n) => JSON.stringify({ writer: n, padding: 'x'.repeat(10_000) }));
    await Promise.all(contents.map((content) => replaceAtomically(target, content)));
    expect(contents).toContain(await readFile(target, 'utf8'));
    expect(await readdir(dir)).toEqual(['cache.json']);
  });

  it('creates a target exclusively: of concurrent creators exactly one wins', async () => {
    const target = path.join(dir, 'snapshot-1.json');
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => createExclusive(target, `creator ${n}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(target, 'utf8')).toBe(`creator ${results.indexOf(true)}`);
  });
});
