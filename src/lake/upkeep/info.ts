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
    // Derived (warehouse) tables may have no event time: their date partition column, or no span.
    const derived = snapshot.tables?.[table];
    const timeColumn = table === 'dead_letters' ? 'rejected_at' : !derived || derived.columns.some((column) => column.name === 'occurred_at') ? 'occurred_at' : derived.partitionColumn;
    const [span] = files.length === 0 || !timeColumn ? [{ oldest: null, newest: null }] : await engine.rows<{ oldest: string | null; newest: string | null }>(
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
