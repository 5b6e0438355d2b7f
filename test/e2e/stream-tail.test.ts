/**
 * `analytics stream tail` without a running feed (the feed client shared with the dashboard):
 * with --wait-seconds it gives up with FEED_NOT_RUNNING, whether no daemon ever advertised a
 * feed or the advertised one does not answer (a feed.json left by a killed daemon). Tailing a
 * real daemon's feed is tested in test/integration/streams-kafka-feed.test.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeTempDirs, runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';

describe('analytics stream tail without a feed', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await makeWorkspace({ streams: true });
  });
  afterAll(removeTempDirs);

  it('gives up after --wait-seconds when no daemon serves a feed', async () => {
    const started = Date.now();
    const result = await runCli(['stream', 'tail', 'tx_per_minute', '--wait-seconds', '1'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`No live feed is running for the workspace ${workspace} (.analytics/feed.json is missing).`);
    expect(result.stderr).toContain('analytics ingest kafka');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('gives up when the advertised feed does not answer', async () => {
    const port = await freePort();
    await mkdir(path.join(workspace, '.analytics'), { recursive: true });
    await writeFile(path.join(workspace, '.analytics', 'feed.json'), JSON.stringify({ url: `ws://127.0.0.1:${port}/feed`, pid: 1, started_at: new Date().toISOString() }));
    const result = await runCli(['stream', 'tail', 'tx_per_minute', '--wait-seconds', '1'], { cwd: workspace });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`The live feed at ws://127.0.0.1:${port}/feed does not answer (connect ECONNREFUSED 127.0.0.1:${port}).`);
    expect(result.stderr).toContain('stale .analytics/feed.json');
  });
});
