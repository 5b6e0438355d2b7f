/** `analytics lake info`: tables, partitions, files, rows, bytes and the event-time span. */
import type { Engine } from '../../duckdb/engine.js';
import { ident } from '../../duckdb/sql.js';
import type { Snapshot } from '../snapshot.js';

export interface TableInfoRow {
  table: string;
  partitions: number;
  files: number;
  rows: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
}

export interface LakeInfo {
  version: number;
  committedAt: string;
  tables: TableInfoRow[];
}

/** Uses the engine's lake views (createLakeViews) for the time span; counts come from the snapshot. */
export async function lakeInfo(engine: Engine, snapshot: Snapshot, tables: readonly string[]): Promise<LakeInfo> {
  const rows: TableInfoRow[] = [];
  for (const table of tables) {
    const files = snapshot.files.filter((file) => file.table === table);
    const timeColumn = timeColumnOf(snapshot, table);
    const [span] = files.length === 0 || timeColumn === undefined ? [{ oldest: null, newest: null }] : await engine.rows<{ oldest: string | null; newest: string | null }>(
      `SELECT min(${ident(timeColumn)}) AS oldest, max(${ident(timeColumn)}) AS newest FROM ${ident(table)}`,
    );
    rows.push({
      table,
      partitions: new Set(files.map((file) => JSON.stringify(file.partition))).size,
      files: files.length,
      rows: files.reduce((sum, file) => sum + file.rows, 0),
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
      oldest: span?.oldest ?? null,
      newest: span?.newest ?? null,
    });
  }
  return { version: snapshot.version, committedAt: snapshot.committedAt, tables: rows };
}

/** The column that places a table's rows in time: event time, rejection time, or a derived table's own. */
function timeColumnOf(snapshot: Snapshot, table: string): string | undefined {
  if (table === 'dead_letters') return 'rejected_at';
  const derived = snapshot.tables?.[table];
  if (!derived) return 'occurred_at';
  const names = new Set(derived.columns.map((column) => column.name));
  // Warehouse tables without an event time: their date partition column, or no span.
  return ['occurred_at', 'window_start', 'left_occurred_at'].find((name) => names.has(name)) ?? derived.partitionColumn;
}
