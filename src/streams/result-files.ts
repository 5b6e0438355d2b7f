/**
 * Writes stream results and refused events as Parquet files in a batch's staging folder, typed
 * by the job's columns (through JSON and DuckDB's JSON reader, which parses ISO timestamps and
 * lists), ready for the batch's snapshot. The JSON is by column, one array per column, up to
 * ROWS_PER_LINE rows a line: JSON.stringify of an array of numbers or strings is several times
 * faster than of as many row objects, and this runs on the ingest's thread for every result.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import type { StagedFile } from '../pipelines/ingest/batch-writer.js';
import type { ColumnSpec } from '../lake/tables.js';
import { DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE } from '../lake/tables.js';
import type { RefusedEvent } from './stream-event.js';
import { iso } from './operator.js';
import { LAKE_PARQUET } from '../lake/parquet-format.js';

/**
 * Writes rows with exactly `columns` to `<dir>/<name>.parquet`; returns the staged file. A column
 * in `constants` has that value in every row and is not read from the rows (a batch id: no copy
 * of every row just to add it).
 */
export async function writeRowsParquet(engine: Engine, dir: string, name: string, columns: readonly ColumnSpec[], rows: readonly Record<string, unknown>[], options: { partition?: Record<string, string>; constants?: Record<string, string> } = {}): Promise<StagedFile> {
  const { partition = {}, constants = {} } = options;
  await fs.mkdir(dir, { recursive: true });
  const json = path.join(dir, `${name}.ndjson`);
  const target = path.join(dir, `${name}.parquet`);
  const read = columns.filter((column) => !Object.hasOwn(constants, column.name));
  const lines = columnarLines(read, rows);
  await fs.writeFile(json, `${lines.join('\n')}\n`);
  // The reader's buffer is sized by this limit: as large as the longest line, not larger.
  const maxLineBytes = Math.max(DEFAULT_MAX_OBJECT_BYTES, ...lines.map((line) => Buffer.byteLength(line) + 1));
  const spec = `{${read.map((column) => `${literal(column.name)}: ${literal(`${column.sqlType === 'TIMESTAMPTZ' ? 'VARCHAR' : column.sqlType}[]`)}`).join(', ')}}`;
  const unnested = read.map((column) => `unnest(${ident(column.name)}) AS ${ident(column.name)}`).join(', ');
  const select = columns.map((column) => {
    if (Object.hasOwn(constants, column.name)) return `CAST(${literal(constants[column.name]!)} AS ${column.sqlType}) AS ${ident(column.name)}`;
    return column.sqlType === 'TIMESTAMPTZ' ? `CAST(${ident(column.name)} AS TIMESTAMPTZ) AS ${ident(column.name)}` : ident(column.name);
  }).join(', ');
  try {
    await engine.run(`COPY (SELECT ${select} FROM (SELECT ${unnested} FROM read_json(${literal(json)}, format = 'newline_delimited', columns = ${spec}, maximum_object_size = ${maxLineBytes}, hive_partitioning = false)))
      TO ${literal(target)} (${LAKE_PARQUET})`);
  } finally {
    await fs.rm(json, { force: true });
  }
  const { size } = await fs.stat(target);
  return { file: target, rows: rows.length, bytes: size, partition };
}

/** Rows per JSON line; a line may still outgrow the reader's default limit for one (16 MB). */
const ROWS_PER_LINE = 10_000;
const DEFAULT_MAX_OBJECT_BYTES = 16 * 1024 ** 2;

/** `{"column": [value of row 1, …], …}` per ROWS_PER_LINE rows; one line of empty arrays for no rows. */
function columnarLines(columns: readonly ColumnSpec[], rows: readonly Record<string, unknown>[]): string[] {
  const lines: string[] = [];
  for (let start = 0; start === 0 || start < rows.length; start += ROWS_PER_LINE) {
    const end = Math.min(rows.length, start + ROWS_PER_LINE);
    const line: Record<string, unknown[]> = {};
    for (const { name } of columns) {
      const values = new Array<unknown>(end - start);
      for (let index = start; index < end; index++) values[index - start] = rows[index]![name] ?? null;
      line[name] = values;
    }
    lines.push(JSON.stringify(line));
  }
  return lines;
}

/** Dead-letter rows (stage late or future) for events a job refused; the events themselves stay stored. */
export async function writeRefusedParquet(engine: Engine, staging: string, batchId: string, ingestedAt: string, refused: readonly RefusedEvent[]): Promise<StagedFile> {
  const day = ingestedAt.slice(0, 10);
  const rows = refused.map((item) => ({
    raw: JSON.stringify({ id: item.eventId, type: item.eventType, occurred_at: iso(item.time), stream: item.job }),
    origin: `stream:${item.job}`,
    reasons: [item.reason],
    stage: item.stage,
    event_id: item.eventId,
    event_type: item.eventType,
    rejected_at: ingestedAt,
    ingest_date: day,
    batch_id: batchId,
  }));
  return writeRowsParquet(engine, path.join(staging, DEAD_LETTER_TABLE, `ingest_date=${day}`), `part-${batchId}-streams`, DEAD_LETTER_COLUMNS, rows, { partition: { ingest_date: day } });
}
