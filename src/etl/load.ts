/**
 * Load modes. Each computes the new state of one warehouse table as Parquet files in the run's
 * staging folder, plus the live files those replace; nothing in the lake changes until the run
 * commits its snapshot (run.ts). Set-based: every mode is a few SQL statements over Parquet.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import type { LakeLayout } from '../lake/layout.js';
import { tableRelationSql } from '../lake/reader.js';
import type { DataFile } from '../lake/snapshot.js';
import type { ColumnSpec } from '../lake/tables.js';
import type { LoadDefinition } from './schema.js';
import { LAKE_PARQUET } from '../lake/parquet-format.js';

export const SCD2_COLUMNS: readonly ColumnSpec[] = [
  { name: 'valid_from', sqlType: 'TIMESTAMPTZ', description: 'When this version of the row became true.' },
  { name: 'valid_to', sqlType: 'TIMESTAMPTZ', description: 'When it stopped being true (NULL: still true).' },
  { name: 'is_current', sqlType: 'BOOLEAN', description: 'True for the current version of the key.' },
];

export interface StagedFile {
  /** Absolute path in the staging folder. */
  file: string;
  rows: number;
  bytes: number;
  partition: Record<string, string>;
}

export interface StagedLoad {
  table: string;
  columns: ColumnSpec[];
  partitionColumn?: string;
  /** Live files (relative paths) the new files replace. */
  remove: string[];
  files: StagedFile[];
  /** Rows the step produced (after the watermark filter). */
  rowsOut: number;
  /** Rows of the table after the load. */
  tableRows: number;
  /** incremental: the watermark committed with the load (unchanged when no row was new). */
  watermark?: string | null;
}

export interface LoadContext {
  engine: Engine;
  layout: LakeLayout;
  /** Staging folder of this load (absolute, inside lake/_staging/<run>/). */
  dir: string;
  /** Prefix of file names, unique per run. */
  filePrefix: string;
  /** Live files of the table in the run's base snapshot. */
  existing: readonly DataFile[];
  /** Columns of the table in the base snapshot, when it exists. */
  existingColumns: readonly ColumnSpec[] | undefined;
  /** Dates [from, to) of the run window, for replacing partitions. */
  window: { from: string; to: string };
  /** scd2: when a version starts if `effective_at` is not given. */
  effectiveAt: string;
  /** Committed watermark of an incremental step. */
  watermark: string | null;
  /** Names the pipeline and step in messages. */
  who: string;
}

/** Column names and DuckDB types of a relation (binds it; reads no data). */
export async function describeColumns(engine: Engine, relation: string): Promise<ColumnSpec[]> {
  const rows = await engine.rows<{ column_name: string; column_type: string }>(`DESCRIBE ${relation}`);
  return rows.map((row) => ({ name: row.column_name, sqlType: row.column_type, description: '' }));
}

/** Writes a SELECT to Parquet (one folder per partition value when partitioned) and describes the files. */
export async function writeParquet(engine: Engine, select: string, dir: string, filePrefix: string, options: { partitionColumn?: string; sortBy?: readonly string[] }): Promise<StagedFile[]> {
  await fs.mkdir(dir, { recursive: true });
  const ordered = options.sortBy?.length ? `SELECT * FROM (${select}) ORDER BY ${options.sortBy.map(ident).join(', ')}` : select;
  if (options.partitionColumn) {
    const rows = await engine.rows<{ filename: string; count: number; file_size_bytes: number }>(
      `COPY (${ordered}) TO ${literal(dir)} (${LAKE_PARQUET}, PARTITION_BY (${ident(options.partitionColumn)}), WRITE_PARTITION_COLUMNS true,
        OVERWRITE_OR_IGNORE true, FILENAME_PATTERN ${literal(`${filePrefix}-{i}`)}, RETURN_STATS true)`,
    );
    return rows.filter((row) => Number(row.count) > 0).map((row) => {
      const [key, value] = path.basename(path.dirname(row.filename)).split('=');
      return { file: row.filename, rows: Number(row.count), bytes: Number(row.file_size_bytes), partition: key && value ? { [key]: decodeURIComponent(value) } : {} };
    });
  }
  const file = path.join(dir, `${filePrefix}-0.parquet`);
  const [row] = await engine.rows<{ Count: number }>(`COPY (${ordered}) TO ${literal(file)} (${LAKE_PARQUET})`);
  const rows = Number(row?.Count ?? 0);
  if (rows === 0) {
    await fs.rm(file, { force: true });
    return [];
  }
  return [{ file, rows, bytes: (await fs.stat(file)).size, partition: {} }];
}

/** A relation over staged files (absolute paths inside the lake) with exactly `columns`. */
export function stagedRelation(layout: LakeLayout, files: readonly string[], columns: readonly ColumnSpec[]): string {
  return tableRelationSql(layout, files.map((file) => layout.relative(file)), columns);
}

/** The table's rows in the base snapshot, read with the new columns (new ones NULL). */
function existingRelation(context: LoadContext, columns: readonly ColumnSpec[], files = context.existing): string {
  return tableRelationSql(context.layout, files.map((file) => file.path), columns);
}

async function refuseDuplicateKeys(context: LoadContext, source: string, key: readonly string[]): Promise<void> {
  const keys = key.map(ident).join(', ');
  const duplicates = await context.engine.rows(`SELECT ${keys}, count(*) AS occurrences FROM (${source}) GROUP BY ALL HAVING count(*) > 1 ORDER BY occurrences DESC LIMIT 3`);
  if (duplicates.length === 0) return;
  const [{ n }] = await context.engine.rows<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM (${source}) GROUP BY ${keys} HAVING count(*) > 1)`) as [{ n: number }];
  const shown = duplicates.map((row) => key.map((column) => `${column}=${JSON.stringify(row[column])}`).join(' ')).join('; ');
  throw new UserError('ETL_STEP_FAILED', `${context.who}: ${n} key value${n === 1 ? '' : 's'} of (${key.join(', ')}) occur more than once in the merge source, e.g. ${shown}.`, {
    hint: 'A merge needs one source row per key: de-duplicate in the step SQL (e.g. QUALIFY row_number() OVER (PARTITION BY key ORDER BY occurred_at DESC) = 1). Nothing was committed.',
  });
}

async function refuseMissingColumns(context: LoadContext, columns: readonly ColumnSpec[], wanted: readonly string[], what: string): Promise<void> {
  const names = new Set(columns.map((column) => column.name));
  const missing = wanted.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new UserError('ETL_STEP_FAILED', `${context.who}: ${what} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a column of the step's result.`, { hint: `Columns: ${columns.map((column) => column.name).join(', ')}` });
  }
}

const sumRows = (files: readonly { rows: number }[]) => files.reduce((sum, file) => sum + file.rows, 0);

/**
 * Runs one load. `source` is the step's relation (its SQL); merge and scd2 first materialise it,
 * since they read it more than once.
 */
export async function stageLoad(context: LoadContext, load: LoadDefinition, source: string): Promise<{ staged: StagedLoad; stepFiles: StagedFile[] }> {
  const { engine } = context;
  let columns = await describeColumns(engine, `(${source})`);
  await refuseMissingColumns(context, columns, [...(load.key ?? []), ...(load.watermark ? [load.watermark] : []), ...(load.partition_by ? [load.partition_by] : []), ...(load.sort_by ?? []), ...(load.track ?? []), ...(load.effective_at ? [load.effective_at] : [])], 'the load names');
  const write = (select: string, name: string) => writeParquet(engine, select, path.join(context.dir, name), context.filePrefix, { ...(load.partition_by ? { partitionColumn: load.partition_by } : {}), ...(load.sort_by ? { sortBy: load.sort_by } : {}) });
  const base = { table: load.table, ...(load.partition_by ? { partitionColumn: load.partition_by } : {}) };
  const allExisting = context.existing.map((file) => file.path);

  const materialise = async (select: string): Promise<{ relation: string; files: StagedFile[] }> => {
    const files = await writeParquet(engine, select, path.join(context.dir, 'source'), context.filePrefix, {});
    return { relation: stagedRelation(context.layout, files.map((file) => file.file), columns), files };
  };

  switch (load.mode) {
    case 'replace': {
      const files = await write(source, 'table');
      let remove = allExisting;
      if (load.partition_by) {
        // A dated run replaces its own dates (and any date it wrote), never the rest of the table.
        const written = new Set(files.map((file) => file.partition[load.partition_by!]));
        remove = context.existing
          .filter((file) => {
            const value = file.partition[load.partition_by!];
            return value === undefined || written.has(value) || (value >= context.window.from && value < context.window.to);
          })
          .map((file) => file.path);
      }
      const kept = context.existing.filter((file) => !remove.includes(file.path));
      return { staged: { ...base, columns, remove, files, rowsOut: sumRows(files), tableRows: sumRows(files) + sumRows(kept) }, stepFiles: files };
    }
    case 'append': {
      const files = await write(source, 'table');
      return { staged: { ...base, columns, remove: [], files, rowsOut: sumRows(files), tableRows: sumRows(files) + sumRows(context.existing) }, stepFiles: files };
    }
    case 'merge': {
      const materialised = await materialise(source);
      await refuseDuplicateKeys(context, materialised.relation, load.key!);
      const files = await write(mergedSql(existingRelation(context, columns), materialised.relation, load.key!), 'table');
      return { staged: { ...base, columns, remove: allExisting, files, rowsOut: sumRows(materialised.files), tableRows: sumRows(files) }, stepFiles: materialised.files };
    }
    case 'incremental': {
      const column = ident(load.watermark!);
      const type = columns.find((entry) => entry.name === load.watermark)!.sqlType;
      const newer = context.watermark === null ? source : `SELECT * FROM (${source}) WHERE ${column} > CAST(${literal(context.watermark)} AS ${type})`;
      if (load.key) {
        const materialised = await materialise(newer);
        await refuseDuplicateKeys(context, materialised.relation, load.key);
        const watermark = await maxOf(engine, materialised.relation, column, context.watermark);
        if (materialised.files.length === 0) return { staged: { ...base, columns, remove: [], files: [], rowsOut: 0, tableRows: sumRows(context.existing), watermark }, stepFiles: [] };
        const files = await write(mergedSql(existingRelation(context, columns), materialised.relation, load.key), 'table');
        return { staged: { ...base, columns, remove: allExisting, files, rowsOut: sumRows(materialised.files), tableRows: sumRows(files), watermark }, stepFiles: materialised.files };
      }
      const files = await write(newer, 'table');
      const watermark = await maxOf(engine, stagedRelation(context.layout, files.map((file) => file.file), columns), column, context.watermark);
      return { staged: { ...base, columns, remove: [], files, rowsOut: sumRows(files), tableRows: sumRows(files) + sumRows(context.existing), watermark }, stepFiles: files };
    }
    case 'scd2': {
      const clash = columns.filter((column) => SCD2_COLUMNS.some((scd) => scd.name === column.name));
      if (clash.length > 0) throw new UserError('ETL_STEP_FAILED', `${context.who}: the step's result has ${clash.map((column) => column.name).join(', ')}, which scd2 adds itself.`, { hint: 'Rename or drop those columns in the step SQL.' });
      const materialised = await materialise(source);
      await refuseDuplicateKeys(context, materialised.relation, load.key!);
      const sourceColumns = columns;
      columns = [...columns, ...SCD2_COLUMNS];
      const track = load.track ?? sourceColumns.map((column) => column.name).filter((name) => !load.key!.includes(name) && name !== load.effective_at);
      const files = await write(scd2Sql(existingRelation(context, columns), materialised.relation, load.key!, track, load.effective_at ? `CAST(s.${ident(load.effective_at)} AS TIMESTAMPTZ)` : `TIMESTAMPTZ ${literal(context.effectiveAt)}`), 'table');
      return { staged: { ...base, columns, remove: allExisting, files, rowsOut: sumRows(materialised.files), tableRows: sumRows(files) }, stepFiles: materialised.files };
    }
  }
}

async function maxOf(engine: Engine, relation: string, column: string, previous: string | null): Promise<string | null> {
  const [row] = await engine.rows<{ newest: string | null }>(`SELECT max(${column})::VARCHAR AS newest FROM (${relation})`);
  return row?.newest ?? previous;
}

/** Upsert: existing rows whose key is not in the source, then every source row. */
export function mergedSql(existing: string, source: string, key: readonly string[]): string {
  const on = key.map((column) => `e.${ident(column)} IS NOT DISTINCT FROM s.${ident(column)}`).join(' AND ');
  return `SELECT e.* FROM (${existing}) e WHERE NOT EXISTS (SELECT 1 FROM (${source}) s WHERE ${on})
    UNION ALL BY NAME SELECT * FROM (${source})`;
}

/**
 * Slowly changing dimension, type 2. A source row whose key is new, or whose tracked columns
 * differ from the current version, closes that version (valid_to, is_current = false) and starts
 * a new one at `effective` (an expression over the source row `s`). Keys absent from the source
 * keep their current version; an unchanged row changes nothing, so re-running is idempotent.
 */
export function scd2Sql(existing: string, source: string, key: readonly string[], track: readonly string[], effective: string): string {
  const on = (left: string, right: string) => key.map((column) => `${left}.${ident(column)} IS NOT DISTINCT FROM ${right}.${ident(column)}`).join(' AND ');
  const changed = track.length === 0 ? 'false' : track.map((column) => `s.${ident(column)} IS DISTINCT FROM c.${ident(column)}`).join(' OR ');
  const keys = key.map((column) => `s.${ident(column)}`).join(', ');
  return `WITH current_rows AS (SELECT * FROM (${existing}) WHERE is_current),
  changes AS (
    SELECT s.*, ${effective} AS _effective FROM (${source}) s
    WHERE NOT EXISTS (SELECT 1 FROM current_rows c WHERE ${on('c', 's')})
       OR EXISTS (SELECT 1 FROM current_rows c WHERE ${on('c', 's')} AND (${changed}))
  ),
  closing AS (SELECT ${keys}, s._effective FROM changes s)
  SELECT e.* REPLACE (
      CASE WHEN e.is_current AND x._effective IS NOT NULL THEN x._effective ELSE e.valid_to END AS valid_to,
      CASE WHEN e.is_current AND x._effective IS NOT NULL THEN false ELSE e.is_current END AS is_current)
    FROM (${existing}) e LEFT JOIN closing x ON ${on('e', 'x')}
  UNION ALL BY NAME
  SELECT * EXCLUDE (_effective), _effective AS valid_from, NULL::TIMESTAMPTZ AS valid_to, true AS is_current FROM changes`;
}
