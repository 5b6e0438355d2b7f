/**
 * The metrics layer for a workspace: load definitions, answer queries from the lake, and cache
 * answers by metric, arguments and lake version, so a repeated question costs a file read and
 * new data (a new lake version) invalidates the cache by itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { openLakeReader, sqlError } from '../analytics/query.js';
import { loadConfigFile } from '../config/load.js';
import type { ColumnInfo, Engine, Row } from '../duckdb/engine.js';
import { ident } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import { replaceAtomically } from '../lake/durable-fs.js';
import { LakeLayout } from '../lake/layout.js';
import { readLatestSnapshot } from '../lake/snapshot.js';
import type { Workspace } from '../workspace/workspace.js';
import { closestMatch } from '../config/did-you-mean.js';
import { RUN_HISTORY_VIEW, runHistoryVersion } from '../etl/run-history-view.js';
import { checkQuery, compileMetricQuery, shiftGrain, truncateToGrain, type MetricQuery } from './compile.js';
import { metricsFileSchema, type Grain, type MetricDefinition } from './schema.js';

export const METRICS_FILE = 'metrics.yaml';
const CACHE_ENTRIES_KEPT = 500;

export async function loadMetrics(workspace: Workspace): Promise<Map<string, MetricDefinition>> {
  const file = workspace.resolve(METRICS_FILE);
  if (!existsSync(file)) return new Map();
  const parsed = await loadConfigFile(file, metricsFileSchema);
  return new Map(parsed.metrics.map((metric) => [metric.name, metric]));
}

export function requireMetric(metrics: ReadonlyMap<string, MetricDefinition>, name: string): MetricDefinition {
  const metric = metrics.get(name);
  if (metric) return metric;
  const guess = closestMatch(name, [...metrics.keys()]);
  throw new UserError('BAD_ARGUMENT', `No metric named "${name}".`, {
    hint: guess ? `Did you mean ${guess}? See analytics metrics list.` : 'See analytics metrics list, or define it in metrics.yaml.',
  });
}

export interface MetricQueryOptions {
  metric: string;
  by?: string[];
  grain?: Grain;
  from?: Date;
  to?: Date;
  compare?: 'previous_period';
  /** Also return `_rows` per row: the rows behind the value (see MetricQuery.withRows). */
  withRows?: boolean;
  /** One value per group over the whole range instead of a series per grain (the dashboard's KPI tiles). */
  total?: boolean;
  /** Skip the cache (still refreshes it). */
  fresh?: boolean;
}

export interface MetricResult {
  metric: MetricDefinition;
  query: MetricQuery;
  sql: string;
  columns: ColumnInfo[];
  rows: Row[];
  snapshotVersion: number;
  cached: boolean;
  seconds: number;
}

/** The lake's newest event time for a metric's table(s), to default the time range to the data. */
async function newestEvent(workspace: Workspace, metrics: ReadonlyMap<string, MetricDefinition>, metric: MetricDefinition, reader?: Engine): Promise<Date | undefined> {
  const base = metric.aggregation === 'ratio' ? metrics.get(metric.denominator!)! : metric;
  const engine = reader ?? (await openLakeReader(workspace)).engine;
  try {
    const from = base.table ? ident(base.table) : `(${base.source})`;
    const [row] = await engine.rows<{ newest: string | null }>(`SELECT max(${ident(base.time_column)}) AS newest FROM ${from} AS rows`);
    return row?.newest ? new Date(row.newest) : undefined;
  } finally {
    if (!reader) engine.close();
  }
}

/** Fills defaults: grain day (or the metric's first), range: the last 30 periods up to the newest event (read with `reader` when given). */
export async function resolveQuery(workspace: Workspace, metrics: ReadonlyMap<string, MetricDefinition>, options: MetricQueryOptions, reader?: Engine): Promise<MetricQuery> {
  const metric = requireMetric(metrics, options.metric);
  const grain = options.grain ?? (metric.grains.includes('day') ? 'day' : metric.grains[0]!);
  const to = options.to ?? shiftGrain(truncateToGrain((await newestEvent(workspace, metrics, metric, reader)) ?? new Date(), grain), grain, 1);
  const from = options.from ?? shiftGrain(to, grain, -30);
  const query: MetricQuery = { metric: metric.name, by: options.by ?? [], grain, from, to, ...(options.compare ? { compare: options.compare } : {}), ...(options.withRows ? { withRows: true } : {}), ...(options.total ? { total: true } : {}) };
  checkQuery(metric, query);
  return query;
}

function dependencies(metrics: ReadonlyMap<string, MetricDefinition>, metric: MetricDefinition): MetricDefinition[] {
  if (metric.aggregation !== 'ratio') return [metric];
  return [metric, ...dependencies(metrics, metrics.get(metric.numerator!)!), ...dependencies(metrics, metrics.get(metric.denominator!)!)];
}

export async function queryMetric(workspace: Workspace, options: MetricQueryOptions): Promise<MetricResult> {
  const started = performance.now();
  const metrics = await loadMetrics(workspace);
  const query = await resolveQuery(workspace, metrics, options);
  const metric = metrics.get(query.metric)!;
  const sql = compileMetricQuery(metrics, query);
  const snapshot = await readLatestSnapshot(new LakeLayout(workspace.lakeRoot));
  const definitions = dependencies(metrics, metric);
  // Run records change without a new lake version (a failed run commits nothing).
  const runs = definitions.some((definition) => definition.table === RUN_HISTORY_VIEW || definition.source?.includes(RUN_HISTORY_VIEW)) ? await runHistoryVersion(workspace) : null;
  const key = createHash('sha256').update(JSON.stringify({ definitions, query, snapshot: snapshot.version, runs })).digest('hex').slice(0, 32);
  const cacheDir = path.join(workspace.root, '.analytics', 'cache', 'metrics');
  const cacheFile = path.join(cacheDir, `${key}.json`);
  // An answer that depends on the clock (now(), current_date…) is never cached: it changes without new data.
  const volatile = /\b(now|current_timestamp|current_date|get_current_timestamp|today)\s*\(?/i.test(sql);
  if (!options.fresh && !volatile && existsSync(cacheFile)) {
    const cached = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as { columns: ColumnInfo[]; rows: Row[] };
    return { metric, query, sql, ...cached, snapshotVersion: snapshot.version, cached: true, seconds: (performance.now() - started) / 1000 };
  }
  const { engine, snapshotVersion } = await openLakeReader(workspace);
  let table: { columns: ColumnInfo[]; rows: Row[] };
  try {
    table = await engine.table(sql);
  } catch (error) {
    throw sqlError(error, sql);
  } finally {
    engine.close();
  }
  // Only a result computed on the snapshot the key names may be cached under it.
  if (snapshotVersion === snapshot.version && !volatile) {
    await fs.mkdir(cacheDir, { recursive: true });
    await replaceAtomically(cacheFile, JSON.stringify(table));
    await pruneCache(cacheDir);
  }
  return { metric, query, sql, ...table, snapshotVersion, cached: false, seconds: (performance.now() - started) / 1000 };
}

async function pruneCache(dir: string): Promise<void> {
  const names = await fs.readdir(dir);
  if (names.length <= CACHE_ENTRIES_KEPT) return;
  const stats = await Promise.all(names.map(async (name) => ({ name, mtime: (await fs.stat(path.join(dir, name))).mtimeMs })));
  stats.sort((a, b) => a.mtime - b.mtime);
  await Promise.all(stats.slice(0, stats.length - CACHE_ENTRIES_KEPT).map((entry) => fs.rm(path.join(dir, entry.name), { force: true })));
}
