/**
 * Event-time ranges of a table's Parquet files, from their row-group statistics (the footers
 * only). The snapshot records each event file's first and last `occurred_at` (DataFile.minTime,
 * maxTime), so that a batch's de-duplication reads only the files whose range overlaps its own
 * instead of every file of the day (batch-writer.ts).
 */
import type { Engine } from '../duckdb/engine.js';
import { literal } from '../duckdb/sql.js';
import type { DataFile } from './snapshot.js';

export interface TimeRange {
  /**
   * UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: texts in this one form order as the times do (the
   * contract's RFC 3339 times have four-digit years, and strftime pads years below 1000).
   */
  minTime: string;
  maxTime: string;
}

/** A TIMESTAMPTZ expression as the text TimeRange holds (the engine's session time zone is UTC). */
export function timeRangeText(timestamp: string): string {
  return `strftime(${timestamp}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
}

/** The `occurred_at` range of each file (absolute paths); a file without statistics has none. */
export async function eventTimeRanges(engine: Engine, files: readonly string[]): Promise<Map<string, TimeRange>> {
  const ranges = new Map<string, TimeRange>();
  if (files.length === 0) return ranges;
  const rows = await engine.rows<{ file: string; minTime: string | null; maxTime: string | null }>(`
    SELECT file_name AS file, ${timeRangeText('min(stats_min_value::TIMESTAMPTZ)')} AS "minTime", ${timeRangeText('max(stats_max_value::TIMESTAMPTZ)')} AS "maxTime"
    FROM parquet_metadata([${files.map((file) => literal(file)).join(', ')}])
    WHERE path_in_schema = 'occurred_at'
    GROUP BY file_name`);
  for (const row of rows) {
    if (row.minTime !== null && row.maxTime !== null) ranges.set(row.file, { minTime: row.minTime, maxTime: row.maxTime });
  }
  return ranges;
}

/** Whether a file may hold times in `range`: true when the snapshot recorded no range for it. */
export function mayOverlap(file: Pick<DataFile, 'minTime' | 'maxTime'>, range: TimeRange): boolean {
  if (!file.minTime || !file.maxTime) return true;
  return file.minTime <= range.maxTime && file.maxTime >= range.minTime;
}
