/**
 * The status panel's data: the Kafka ingest daemon's metrics endpoint (state, events/s, lag,
 * last commit), the newest ETL run record (`.analytics/etl/runs/*.json`, written by the ETL when
 * it exists), the data checks of pipelines.yaml and the lake version. The live feed's state is
 * added by the store, which owns the feed client.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { loadChecks, runChecks } from '../../checks/run.js';
import { compileCheck } from '../../checks/compile.js';
import { LakeLayout } from '../../lake/layout.js';
import { readLatestSnapshot } from '../../lake/snapshot.js';
import { fetchMetrics } from '../../pipelines/kafka/metrics-server.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WidgetConfig } from '../schema.js';
import { durationMs } from '../schema.js';
import type { StatusData, WidgetResult } from './types.js';

export const ETL_RUNS_DIR = path.join('.analytics', 'etl', 'runs');

/** The newest run record, or null when there is none. */
export async function lastPipelineRun(workspace: Workspace): Promise<StatusData['lastRun']> {
  const dir = path.join(workspace.root, ETL_RUNS_DIR);
  if (!existsSync(dir)) return null;
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.json'));
  if (files.length === 0) return null;
  const stats = await Promise.all(files.map(async (file) => ({ file, mtime: (await fs.stat(path.join(dir, file))).mtime })));
  stats.sort((a, b) => b.mtime.getTime() - a.mtime.getTime());
  const newest = stats[0]!;
  try {
    const record = JSON.parse(await fs.readFile(path.join(dir, newest.file), 'utf8')) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return {
      name: text(record.pipeline) ?? text(record.name) ?? newest.file.replace(/\.json$/, ''),
      status: text(record.status) ?? 'unknown',
      at: text(record.finished_at) ?? text(record.started_at) ?? newest.mtime.toISOString(),
    };
  } catch {
    return { name: newest.file, status: 'unreadable', at: newest.mtime.toISOString() };
  }
}

const checkResults = new Map<string, { at: number; value: StatusData['checks'] }>();

/** Data checks, at most once per `everyMs` (they scan the lake). volume_change checks keep state, so they are left to `analytics check`. */
async function checks(workspace: Workspace, everyMs: number): Promise<StatusData['checks']> {
  const cached = checkResults.get(workspace.root);
  if (cached && Date.now() - cached.at < everyMs) return cached.value;
  const declared = (await loadChecks(workspace)).filter((check) => check.type !== 'volume_change');
  let value: StatusData['checks'] = null;
  if (declared.length > 0) {
    const run = await runChecks(workspace, { select: declared.map((check) => compileCheck(check).name), sampleRows: 0 });
    value = {
      passed: run.passed,
      failed: run.failed,
      warned: run.warned,
      errored: run.errored,
      failing: run.results.filter((result) => result.status !== 'pass').map((result) => result.name),
      at: new Date().toISOString(),
    };
  }
  checkResults.set(workspace.root, { at: Date.now(), value });
  return value;
}

export async function statusData(workspace: Workspace, widget: Extract<WidgetConfig, { type: 'status' }>): Promise<WidgetResult> {
  const port = widget.metrics_port ?? workspace.config.kafka.metrics_port;
  const report = port > 0 ? await fetchMetrics(port, 1_000) : undefined;
  const data: StatusData = {
    kind: 'status',
    daemonPort: port > 0 ? port : null,
    daemon: report ? { state: report.state, eventsPerSecond: report.rates.events_in_per_second, lag: report.lag_total, lastCommitAt: report.last_commit_at, port } : null,
    lastRun: await lastPipelineRun(workspace),
    checks: widget.checks ? await checks(workspace, durationMs(widget.checks_refresh)) : null,
    lakeVersion: (await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version,
  };
  const rows = [
    { item: 'ingest_state', value: data.daemon?.state ?? 'not running' },
    { item: 'events_per_second', value: data.daemon?.eventsPerSecond ?? null },
    { item: 'lag', value: data.daemon?.lag ?? null },
    { item: 'last_pipeline_run', value: data.lastRun ? `${data.lastRun.name} ${data.lastRun.status} ${data.lastRun.at}` : null },
    { item: 'checks_failing', value: data.checks ? data.checks.failing.join(' ') : null },
    { item: 'lake_version', value: data.lakeVersion },
  ];
  return { data, export: { columns: ['item', 'value'], rows }, ignoredFilters: [], cached: false };
}
