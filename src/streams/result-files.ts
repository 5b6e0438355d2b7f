/**
 * Writes stream results and refused events as Parquet files in a batch's staging folder, typed
 * by the job's columns (through NDJSON and DuckDB's JSON reader, which parses ISO timestamps
 * and lists), ready for the batch's snapshot.
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
  await fs.writeFile(json, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  const read = columns.filter((column) => !Object.hasOwn(constants, column.name));
  const spec = `{${read.map((column) => `${literal(column.name)}: ${literal(column.sqlType === 'TIMESTAMPTZ' ? 'VARCHAR' : column.sqlType)}`).join(', ')}}`;
  const select = columns.map((column) => {
    if (Object.hasOwn(constants, column.name)) return `CAST(${literal(constants[column.name]!)} AS ${column.sqlType}) AS ${ident(column.name)}`;
    return column.sqlType === 'TIMESTAMPTZ' ? `CAST(${ident(column.name)} AS TIMESTAMPTZ) AS ${ident(column.name)}` : ident(column.name);
  }).join(', ');
  try {
    await engine.run(`COPY (SELECT ${select} FROM read_json(${literal(json)}, format = 'newline_delimited', columns = ${spec})) TO ${literal(target)} (${LAKE_PARQUET})`);
  } finally {
    await fs.rm(json, { force: true });
  }
  const { size } = await fs.stat(target);
  return { file: target, rows: rows.length, bytes: size, partition };
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
