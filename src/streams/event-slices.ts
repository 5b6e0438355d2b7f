/**
 * Stored events for the stream jobs, in slices of event time, so that a batch of any size (a
 * whole file is one batch) is held a slice at a time: one million transactions read at once took
 * 3.4 GB, and the join held all of them until the batch's end advanced the watermark.
 *
 * Advancing the jobs slice after slice gives the results of one advance over the whole batch.
 * Each slice is a range of event time (whole milliseconds, the events' `time`), so every event of
 * a later slice is at or after every event of an earlier one; the watermark after a slice is at
 * most its last event time, so no event of a later slice is late for it, falls in a window it
 * closed, or is within a join or pattern bound that it expired. Events of the same millisecond
 * share a slice, where they are sorted as before (compareEvents).
 */
import type { Engine } from '../duckdb/engine.js';
import { readEnv } from '../env.js';
import { UserError } from '../errors.js';
import { EVENT_TIME_MS, queryEvents, readColumnsSql, type TableRead } from './lake-events.js';
import type { StreamEvent } from './stream-event.js';
import { appendAll } from './append-all.js';

/** Events held at once when a batch is larger. */
export const DEFAULT_SLICE_EVENTS = 50_000;

/** One table's events to read: a relation (a table function or subquery) and the rows to take. */
export interface EventSource {
  read: TableRead;
  relation: string;
  where: string;
  /** At most this many rows, when known (the relation's rows): a batch within a slice is then read without counting. */
  maxRows?: number;
}

export function sliceEventsSetting(): number {
  const text = readEnv('ANALYTICS_STREAM_SLICE_EVENTS');
  if (text === undefined) return DEFAULT_SLICE_EVENTS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UserError('CONFIG_INVALID', `ANALYTICS_STREAM_SLICE_EVENTS is "${text}", not a whole number of events.`, { hint: `Set it to a number such as ${DEFAULT_SLICE_EVENTS}, or unset it.` });
  }
  return value;
}

/** The sources' events, in slices of at most about `perSlice` events (more when one millisecond holds more). */
export async function* eventSlices(engine: Engine, sources: readonly EventSource[], perSlice: number): AsyncGenerator<StreamEvent[]> {
  if (sources.length === 0) return;
  // A Kafka batch (50,000 events) is within a slice: no count query for it.
  if (sources.every((source) => source.maxRows !== undefined) && sources.reduce((sum, source) => sum + source.maxRows!, 0) <= perSlice) {
    const events = await readSlice(engine, sources, 'true');
    if (events.length > 0) yield events;
    return;
  }
  const times = sources.map((source) => `SELECT ${EVENT_TIME_MS} AS _t FROM ${source.relation} WHERE ${source.where}`).join(' UNION ALL ');
  const [{ n } = { n: 0 }] = await engine.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM (${times})`);
  if (n === 0) return;
  if (n <= perSlice) {
    yield await readSlice(engine, sources, 'true');
    return;
  }
  const parts = Math.ceil(n / perSlice);
  const fractions = Array.from({ length: parts - 1 }, (_, index) => (index + 1) / parts);
  const [row] = await engine.rows<{ bounds: number[] }>(`SELECT quantile_disc(_t, [${fractions.join(', ')}]) AS bounds FROM (${times})`);
  // Equal quantiles (a busy millisecond) make one slice; the first slice is open below, the last above.
  const bounds = [...new Set((row?.bounds ?? []).map(Number))].sort((a, b) => a - b);
  const edges: (number | undefined)[] = [undefined, ...bounds, undefined];
  for (let index = 0; index + 1 < edges.length; index++) {
    const events = await readSlice(engine, sources, timeRange(edges[index], edges[index + 1]));
    if (events.length > 0) yield events;
  }
}

/**
 * Events from `low` (inclusive) to `high` (exclusive) milliseconds. The exact test is on the
 * events' own millisecond; the bounds on `occurred_at` beside it (a millisecond wider) let the
 * Parquet reader skip row groups, as lake files are sorted by time.
 */
function timeRange(low: number | undefined, high: number | undefined): string {
  const at = (ms: number) => `(TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_milliseconds(${ms}::BIGINT))`;
  const conditions: string[] = [];
  if (low !== undefined) conditions.push(`occurred_at >= ${at(low - 1)}`, `${EVENT_TIME_MS} >= ${low}`);
  if (high !== undefined) conditions.push(`occurred_at < ${at(high + 1)}`, `${EVENT_TIME_MS} < ${high}`);
  return conditions.join(' AND ');
}

async function readSlice(engine: Engine, sources: readonly EventSource[], range: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for (const source of sources) {
    const sql = `SELECT ${readColumnsSql(source.read)} FROM ${source.relation} WHERE ${source.where} AND ${range}`;
    appendAll(events, (await queryEvents(engine, source.read, sql)).events);
  }
  return events;
}
