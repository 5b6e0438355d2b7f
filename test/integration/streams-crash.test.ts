/**
 * Exactly-once stream results across SIGKILL: a real `analytics ingest file` process, killed
 * again and again at different moments (validation, the stream hook, the commit), then run to
 * the end, leaves every job's table (and the refused events) exactly as an uninterrupted run
 * of the same files does.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../src/analytics/query.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { listSnapshotVersions } from '../../src/lake/snapshot.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { canonicalRows, writeStreamTraffic } from '../support/stream-traffic.js';
import { tempWorkspace } from '../support/workspace.js';

const BIN = path.resolve('bin/run.js');
const env = { ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1' };
const JOBS = ['tx_per_minute', 'merchant_decline_rate', 'fraud_joined', 'failed_logins_then_large_tx', 'notification_latency'];

async function jobRows(workspace: Workspace, job: string): Promise<string[]> {
  return canonicalRows((await runQuery(workspace, `SELECT * FROM ${job}`)).rows, ['batch_id']);
}

async function refusedRows(workspace: Workspace): Promise<string[]> {
  return canonicalRows((await runQuery(workspace, `SELECT raw, origin, reasons, stage, event_id, event_type FROM dead_letters WHERE origin LIKE 'stream:%'`)).rows);
}

describe('stream jobs across SIGKILL and restart', () => {
  let uninterrupted: { dir: string; workspace: Workspace; cleanup: () => Promise<void> };
  let killed: { dir: string; workspace: Workspace; cleanup: () => Promise<void> };
  let files: string[];

  beforeAll(async () => {
    uninterrupted = await tempWorkspace('analytics-test-', { streams: true });
    killed = await tempWorkspace('analytics-test-', { streams: true });
    ({ files } = await writeStreamTraffic(uninterrupted.dir, { seed: 9, count: 16_000, start: '2026-11-24T08:00:00Z', end: '2026-11-24T12:00:00Z', parts: 8, lateShare: 0.02 }));
    for (const file of files) await fs.copyFile(file, path.join(killed.dir, path.basename(file)));
    await ingestFiles(uninterrupted.workspace, { paths: files, maxErrors: -1 });
  });
  afterAll(async () => {
    await uninterrupted.cleanup();
    await killed.cleanup();
  });

  it('gives exactly the results of the uninterrupted run', { timeout: 300_000 }, async () => {
    const layout = new LakeLayout(killed.workspace.lakeRoot);
    const names = files.map((file) => path.basename(file));
    // Kill once the lake has reached a version, after a delay that varies the moment of death.
    const plan = [{ version: 1, delay: 0 }, { version: 2, delay: 120 }, { version: 4, delay: 40 }, { version: 5, delay: 250 }, { version: 7, delay: 80 }];
    let kills = 0;
    for (const step of plan) {
      const child = execa('node', [BIN, 'ingest', 'file', ...names, '--max-errors', '-1', '-w', killed.dir], { env, cwd: killed.dir, reject: false });
      for (;;) {
        const versions = await listSnapshotVersions(layout);
        if ((versions.at(-1) ?? 0) >= step.version || child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, step.delay));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      await child;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const final = await execa('node', [BIN, 'ingest', 'file', ...names, '--max-errors', '-1', '-w', killed.dir], { env, cwd: killed.dir, reject: false });
    expect(final.exitCode, final.stderr).toBe(0);
    for (const job of JOBS) {
      const expected = await jobRows(uninterrupted.workspace, job);
      expect(expected.length, job).toBeGreaterThan(0);
      expect(await jobRows(killed.workspace, job), job).toEqual(expected);
    }
    expect(await refusedRows(killed.workspace)).toEqual(await refusedRows(uninterrupted.workspace));
  });
});
