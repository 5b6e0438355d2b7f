/**
 * `analytics stream replay`: recomputes a job from the events already in the lake, batch by
 * batch in commit order (ingested_at, then batch id), with the same operators as the live run,
 * so it gives the same rows (revisions and batch ids included) when the job ran live since the
 * lake's first batch. Events and results are read from one snapshot.
 */
import type { EventTypeRegistry } from '../contract/registry.js';
import { Engine } from '../duckdb/engine.js';
import { literal } from '../duckdb/sql.js';
import { LakeLayout } from '../lake/layout.js';
import { tableRelationSql } from '../lake/reader.js';
import { readLatestSnapshot } from '../lake/snapshot.js';
import { eventTableColumns } from '../lake/tables.js';
import { UserError } from '../errors.js';
import type { CompiledJob, CompiledStreams } from './config.js';
import { advanceJob, initialJobState } from './job.js';
import { queryEvents, readColumnsSql, tableReads, typeFilterSql } from './lake-events.js';
import type { ResultRow } from './operator.js';
import { resultColumns } from './runner.js';
import type { StreamEvent } from './stream-event.js';
import { appendAll } from './append-all.js';

export interface ReplayOptions {
  /** Keep results whose time (window start, event time) is at or after this. */
  from?: Date;
  /** …and before this. */
  to?: Date;
}

export interface ReplayResult {
  job: string;
  columns: { name: string; sqlType: string }[];
  rows: ResultRow[];
  events: number;
  batches: number;
  late: number;
  future: number;
  lakeVersion: number;
}

/** How far before `from` events can still change a result at or after `from` (undefined: unbounded). */
function horizon(job: CompiledJob): number | undefined {
  const config = job.config;
  if (config.kind === 'window') {
    if (config.window.type === 'session') return undefined;
    return (job.operator as unknown as { spec: { window: { size: number } } }).spec.window.size + job.lateness;
  }
  if (config.kind === 'join') return (job.operator as unknown as { spec: { within: number } }).spec.within + job.lateness;
  return undefined;
}

/** The time a result row is placed at, for --from/--to. */
export function rowTime(job: CompiledJob, row: ResultRow): number {
  const value = job.kind === 'window' ? row.window_start : job.kind === 'join' ? (row.left_occurred_at ?? row.right_occurred_at) : row.occurred_at;
  return Date.parse(String(value));
}

export async function replayJob(lakeRoot: string, registry: EventTypeRegistry, streams: CompiledStreams, name: string, options: ReplayOptions = {}, engineOptions: { memoryLimit?: string; threads?: number } = {}): Promise<ReplayResult> {
  const job = streams.jobs.find((candidate) => candidate.name === name);
  if (!job) {
    throw new UserError('BAD_ARGUMENT', `No stream job named "${name}" in streams.yaml.`, { hint: `Known jobs: ${streams.jobs.map((candidate) => candidate.name).join(', ') || 'none'}; see analytics stream list.` });
  }
  const layout = new LakeLayout(lakeRoot);
  const snapshot = await readLatestSnapshot(layout);
  const engine = await Engine.open(engineOptions);
  try {
    const reach = horizon(job);
    const lower = options.from && reach !== undefined ? new Date(options.from.getTime() - reach) : undefined;
    const events: StreamEvent[] = [];
    const batchOf: string[] = [];
    const ingestedOf: number[] = [];
    for (const read of tableReads([job], registry)) {
      const table = registry.table(read.table)!;
      const files = snapshot.files.filter((file) => file.table === read.table).map((file) => file.path);
      const relation = tableRelationSql(layout, files, eventTableColumns(table));
      const sql = `SELECT ${readColumnsSql(read)}, batch_id AS _batch, CAST(epoch_ms(ingested_at) AS DOUBLE) AS _ingested FROM (${relation}) WHERE ${typeFilterSql(read)}${lower ? ` AND occurred_at >= ${literal(lower.toISOString())}::TIMESTAMPTZ` : ''}`;
      const result = await queryEvents(engine, read, sql, ['_batch', '_ingested']);
      appendAll(events, result.events);
      appendAll(batchOf, result.extra._batch as string[]);
      appendAll(ingestedOf, (result.extra._ingested as number[]).map(Number));
    }
    // Batches in commit order: ingested_at is taken under the lake lock, so it grows with each commit.
    const batches = new Map<string, { ingestedAt: number; events: StreamEvent[] }>();
    events.forEach((event, index) => {
      const id = batchOf[index]!;
      const batch = batches.get(id) ?? { ingestedAt: ingestedOf[index]!, events: [] };
      batch.events.push(event);
      batches.set(id, batch);
    });
    const ordered = [...batches.entries()].sort(([a, x], [b, y]) => x.ingestedAt - y.ingestedAt || (a < b ? -1 : a > b ? 1 : 0));
    let state = initialJobState(job);
    const rows: ResultRow[] = [];
    let late = 0;
    let future = 0;
    const from = options.from?.getTime() ?? -Infinity;
    const to = options.to?.getTime() ?? Infinity;
    for (const [batchId, batch] of ordered) {
      const result = advanceJob(job, state, batch.events, batch.ingestedAt, streams.maxFutureSkew, streams.idleTimeout);
      state = result.state;
      for (const refused of result.refused) if (refused.stage === 'late') late++; else future++;
      for (const emission of result.emissions) {
        const time = rowTime(job, emission.row);
        if (time >= from && time < to) rows.push({ ...emission.row, batch_id: batchId });
      }
    }
    return { job: job.name, columns: resultColumns(job), rows, events: events.length, batches: ordered.length, late, future, lakeVersion: snapshot.version };
  } finally {
    engine.close();
  }
}
