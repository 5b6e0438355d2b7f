/**
 * The read side: views over one snapshot. A reader picks the newest snapshot once and reads
 * exactly its files, so concurrent writers, compaction and crashes never change what it sees.
 */
import type { EventTypeRegistry } from '../contract/registry.js';
import type { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import { LakeLayout } from './layout.js';
import { readLatestSnapshot, type Snapshot } from './snapshot.js';
import { DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE, eventTableColumns, type ColumnSpec } from './tables.js';

/** Marks errors raised by views over unreadable lake files (see createLakeViews). */
export const LAKE_FILE_ERROR = 'a lake data file cannot be read for table';

/** An empty relation with the table's typed columns. */
export function emptyRelationSql(columns: readonly ColumnSpec[]): string {
  return `SELECT ${columns.map((column) => `NULL::${column.sqlType} AS ${ident(column.name)}`).join(', ')} WHERE false`;
}

/** A relation over the given files with exactly the table's columns (older files get NULLs). */
export function tableRelationSql(layout: LakeLayout, files: readonly string[], columns: readonly ColumnSpec[]): string {
  const empty = emptyRelationSql(columns);
  if (files.length === 0) return empty;
  const list = `[${files.map((file) => literal(layout.resolve(file))).join(', ')}]`;
  const names = columns.map((column) => ident(column.name)).join(', ');
  return `SELECT ${names} FROM (${empty} UNION ALL BY NAME SELECT * FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false))`;
}

export interface TableInfo {
  name: string;
  columns: ColumnSpec[];
  files: string[];
}

/**
 * Tables of a snapshot: every event table of the registry, dead letters, then the derived
 * (warehouse and stream) tables the snapshot defines.
 */
export function snapshotTables(snapshot: Snapshot, registry: EventTypeRegistry): TableInfo[] {
  const filesByTable = new Map<string, string[]>();
  for (const file of snapshot.files) {
    const list = filesByTable.get(file.table);
    if (list) list.push(file.path);
    else filesByTable.set(file.table, [file.path]);
  }
  const filesOf = (table: string) => filesByTable.get(table) ?? [];
  const builtIn = [
    ...registry.tables().map((table) => ({ name: table.name, columns: eventTableColumns(table), files: filesOf(table.name) })),
    { name: DEAD_LETTER_TABLE, columns: [...DEAD_LETTER_COLUMNS], files: filesOf(DEAD_LETTER_TABLE) },
  ];
  const taken = new Set(builtIn.map((table) => table.name));
  const derived = Object.values(snapshot.tables ?? {})
    .filter((table) => !taken.has(table.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((table) => ({ name: table.name, columns: table.columns, files: filesOf(table.name) }));
  return [...builtIn, ...derived];
}

/** Creates one view per table over the newest snapshot and returns that snapshot. */
export async function createLakeViews(engine: Engine, lakeRoot: string, registry: EventTypeRegistry): Promise<Snapshot> {
  const layout = new LakeLayout(lakeRoot);
  const snapshot = await readLatestSnapshot(layout);
  for (const table of snapshotTables(snapshot, registry)) {
    try {
      await engine.run(`CREATE OR REPLACE VIEW ${ident(table.name)} AS ${tableRelationSql(layout, table.files, table.columns)}`);
    } catch (error) {
      // A missing or damaged file breaks its own table only: the view raises when it is used.
      const reason = `${LAKE_FILE_ERROR} ${table.name}: ${(error as Error).message.split('\n')[0]}`;
      await engine.run(`CREATE OR REPLACE VIEW ${ident(table.name)} AS SELECT ${table.columns.map((column) => `NULL::${column.sqlType} AS ${ident(column.name)}`).join(', ')} FROM range(1) WHERE error(${literal(reason)}) IS NULL`);
    }
  }
  // A pattern job's table holds derived events; readers also find them under their type's name.
  for (const table of Object.values(snapshot.tables ?? {})) {
    if (!table.eventType || Object.hasOwn(snapshot.tables ?? {}, table.eventType) || registry.table(table.eventType)) continue;
    await engine.run(`CREATE OR REPLACE VIEW ${ident(table.eventType)} AS SELECT * FROM ${ident(table.name)}`);
  }
  return snapshot;
}
