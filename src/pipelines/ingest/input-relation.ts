/**
 * One SQL relation per input file, in the shape validation reads: `(raw, origin, ordinal)`.
 * NDJSON lines are read by DuckDB's parallel CSV reader as a single text column (no per-line
 * JavaScript). Lines the reader cannot take (bad UTF-8, over 2 MB, stray delimiter bytes) land
 * in a rejects table and become dead letters with their line numbers.
 *
 * Line numbers: numbering rows in the hot pass would serialise it, so the hot relation leaves
 * `ordinal` NULL and `numberedSql` (used only when some records were rejected) recovers the
 * line of each rejected record in a second, cheap pass.
 */
import type { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { UserError } from '../../errors.js';
import type { FieldKind } from '../../contract/field-spec.js';
import type { InputFile } from './inputs.js';

export interface InputRelation {
  /** SELECT raw, origin, ordinal — the hot path. */
  sql: string;
  /** The same records as `sql`, for further passes: it does not record unreadable lines again. */
  plainSql: string;
  /** SELECT n, raw: the n-th record read, in file order — used to find rejected records' lines. */
  numberedSql: string;
  /** Line (or row) number of the first record: 2 for CSV with its header, else 1. */
  firstLine: number;
  /** Table DuckDB fills with lines it could not read, or undefined. */
  rejectsTable?: string;
  /** How origins are written: `label:line` for text, `label#row` for Parquet and JSON arrays. */
  separator: ':' | '#';
}

/** Bytes per line beyond which a line is dead-lettered instead of read. */
export const MAX_LINE_BYTES = 2 * 1024 * 1024;

let relationCounter = 0;

/**
 * A line that is not blank. trim() alone costs about 2 s of CPU per million 500-byte lines; a
 * line that starts with a visible ASCII character is not blank, so trim() runs only for the rare
 * line that starts otherwise (OR evaluates its second operand only where the first is false).
 */
const NOT_BLANK = `(regexp_matches(raw, '^[!-~]') OR trim(raw) <> '')`;

export async function inputRelation(engine: Engine, input: InputFile, dataColumns: Map<string, FieldKind>): Promise<InputRelation> {
  const id = `${process.pid}_${relationCounter++}`;
  const path = literal(input.path);
  const origin = literal(input.label);
  const compression = input.gzip ? 'gzip' : 'none';
  switch (input.format) {
    case 'ndjson': {
      const rejectsTable = `_rejects_${id}`;
      // CRLF files need DuckDB's non-strict mode, which also takes a stray CR as a line end.
      const newLine = input.crlf ? `new_line = '\\r\\n', strict_mode = false` : `new_line = '\\n'`;
      const lines = `read_csv(${path}, columns = {'raw': 'VARCHAR'}, header = false, delim = E'\\x01', quote = '', escape = '',
        auto_detect = false, ${newLine}, compression = '${compression}', max_line_size = ${MAX_LINE_BYTES},
        ignore_errors = true, store_rejects = true, rejects_table = '${rejectsTable}', rejects_scan = '_scan_${id}')`;
      // The numbered pass re-reads the file; it must not append to the same rejects table.
      const plainLines = `read_csv(${path}, columns = {'raw': 'VARCHAR'}, header = false, delim = E'\\x01', quote = '', escape = '',
        auto_detect = false, ${newLine}, compression = '${compression}', max_line_size = ${MAX_LINE_BYTES}, ignore_errors = true)`;
      return {
        sql: `SELECT raw, ${origin} AS origin, NULL::BIGINT AS ordinal FROM ${lines} WHERE raw IS NOT NULL AND ${NOT_BLANK}`,
        plainSql: `SELECT raw, ${origin} AS origin, NULL::BIGINT AS ordinal FROM ${plainLines} WHERE raw IS NOT NULL AND ${NOT_BLANK}`,
        numberedSql: `SELECT n, raw FROM (SELECT row_number() OVER () AS n, raw FROM (SELECT raw FROM ${plainLines}))`,
        firstLine: 1,
        rejectsTable,
        separator: ':',
      };
    }
    case 'json': {
      // read_json's name for no compression is 'uncompressed'; read_csv's 'none' is an error here.
      const objects = `read_json_objects(${path}, format = 'array', compression = '${input.gzip ? 'gzip' : 'uncompressed'}', maximum_object_size = ${16 * MAX_LINE_BYTES})`;
      await probe(engine, `SELECT count(*) FROM ${objects}`, input, 'a JSON array of event objects');
      const sql = `SELECT json::VARCHAR AS raw, ${origin} AS origin, NULL::BIGINT AS ordinal FROM ${objects}`;
      return {
        sql,
        plainSql: sql,
        numberedSql: `SELECT row_number() OVER () AS n, json::VARCHAR AS raw FROM ${objects}`,
        firstLine: 1,
        separator: '#',
      };
    }
    case 'csv':
      return csvRelation(engine, input, dataColumns, id);
    case 'parquet':
      return parquetRelation(engine, input, id);
  }
}

const REQUIRED_COLUMNS = ['id', 'type', 'version', 'occurred_at', 'source'];

async function columnsOf(engine: Engine, relation: string, input: InputFile, expected: string): Promise<{ name: string; type: string }[]> {
  const rows = await probe(engine, `DESCRIBE SELECT * FROM ${relation}`, input, expected);
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

async function probe(engine: Engine, sql: string, input: InputFile, expected: string) {
  try {
    return await engine.rows(sql);
  } catch (error) {
    throw new UserError('INPUT_UNREADABLE', `${input.label}: cannot be read as ${expected}: ${firstLine(error)}`, {
      hint: input.gzip ? 'If the gzip stream is truncated, copy the file again from its source.' : 'Check the file, or pass --input-format with its real format.',
    });
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function requireColumns(names: readonly string[], input: InputFile, format: string): void {
  const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
  const hasData = names.includes('data') || names.some((name) => name.startsWith('data.'));
  if (missing.length > 0 || !hasData) {
    const list = [...missing, ...(hasData ? [] : ['data (or data.* columns)'])].join(', ');
    throw new UserError('INPUT_UNREADABLE', `${input.label}: this ${format} file does not have the event columns ${list}.`, {
      hint: format === 'CSV'
        ? 'The header must name the envelope fields and the data fields with dotted names: id,type,version,occurred_at,source,data.amount,…'
        : 'Event Parquet files have columns id, type, version, occurred_at, source and a data struct.',
    });
  }
}

async function csvRelation(engine: Engine, input: InputFile, dataColumns: Map<string, FieldKind>, id: string): Promise<InputRelation> {
  const compression = input.gzip ? 'gzip' : 'none';
  const rejectsTable = `_rejects_${id}`;
  const options = `header = true, all_varchar = true, compression = '${compression}', max_line_size = ${MAX_LINE_BYTES}`;
  const reader = `read_csv(${literal(input.path)}, ${options}, ignore_errors = true, store_rejects = true, rejects_table = '${rejectsTable}', rejects_scan = '_scan_${id}')`;
  const plainReader = `read_csv(${literal(input.path)}, ${options}, ignore_errors = true)`;
  // The header probe ignores ragged rows; they are dead-lettered by the real read.
  const columns = await columnsOf(engine, `read_csv(${literal(input.path)}, ${options}, ignore_errors = true)`, input, 'CSV with a header row');
  const names = columns.map((column) => column.name);
  requireColumns(names, input, 'CSV');
  // Text cells become typed JSON values by the contract's field kinds; a cell that does not
  // look like its kind stays a string, so validation rejects it with the reason.
  const jsonValue = (column: string, kind: FieldKind | 'integer'): string => {
    const cell = `nullif(${ident(column)}, '')`;
    switch (kind) {
      case 'number': case 'integer': case 'decimal':
        return `CASE WHEN regexp_full_match(${cell}, '-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?') THEN ${cell}::JSON ELSE to_json(${cell}) END`;
      case 'boolean':
        return `CASE WHEN ${cell} IN ('true', 'false') THEN ${cell}::JSON ELSE to_json(${cell}) END`;
      case 'string_array':
        return `CASE WHEN json_valid(${cell}) AND left(${cell}, 1) = '[' THEN ${cell}::JSON ELSE to_json(${cell}) END`;
      default:
        return `to_json(${cell})`;
    }
  };
  const envelope = names.filter((name) => !name.startsWith('data.') && name !== 'data')
    .map((name) => `${literal(name)}, ${jsonValue(name, name === 'version' ? 'integer' : 'string')}`);
  const data = names.filter((name) => name.startsWith('data.'))
    .map((name) => `${literal(name.slice(5))}, ${jsonValue(name, dataColumns.get(name.slice(5)) ?? 'string')}`);
  const raw = `json_object(${[...envelope, `'data', json_object(${data.join(', ')})`].join(', ')})::VARCHAR`;
  return {
    sql: `SELECT ${raw} AS raw, ${literal(input.label)} AS origin, NULL::BIGINT AS ordinal FROM ${reader}`,
    plainSql: `SELECT ${raw} AS raw, ${literal(input.label)} AS origin, NULL::BIGINT AS ordinal FROM ${plainReader}`,
    numberedSql: `SELECT row_number() OVER () AS n, ${raw} AS raw FROM ${plainReader}`,
    firstLine: 2, // the header is line 1
    rejectsTable,
    separator: ':',
  };
}

async function parquetRelation(engine: Engine, input: InputFile, _id: string): Promise<InputRelation> {
  const reader = `read_parquet(${literal(input.path)})`;
  const columns = await columnsOf(engine, reader, input, 'Parquet');
  requireColumns(columns.map((column) => column.name), input, 'Parquet');
  // Typed Parquet times become RFC 3339 text, the contract's wire form.
  const replacements = columns
    .filter((column) => column.type.startsWith('TIMESTAMP'))
    .map((column) => `strftime(${ident(column.name)}, '%Y-%m-%dT%H:%M:%S.%fZ') AS ${ident(column.name)}`);
  const rowStruct = replacements.length > 0 ? `(SELECT * REPLACE (${replacements.join(', ')}) FROM ${reader}) AS t` : `${reader} AS t`;
  const sql = `SELECT to_json(t)::VARCHAR AS raw, ${literal(input.label)} AS origin, NULL::BIGINT AS ordinal FROM ${rowStruct}`;
  return {
    sql,
    plainSql: sql,
    numberedSql: `SELECT row_number() OVER () AS n, to_json(t)::VARCHAR AS raw FROM ${rowStruct}`,
    firstLine: 1,
    separator: '#',
  };
}
