/**
 * Writers for generated records: NDJSON, CSV and Parquet.
 *
 * NDJSON is the records' own form. CSV and Parquet flatten the envelope into columns and the
 * union of the four types' `data` fields into `data.*` columns (CSV) or a `data` STRUCT (Parquet).
 * Both have less room than JSON for malformed input; how each degrades is documented on
 * writeCsv and writeParquet.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { Engine } from '../../duckdb/engine.js';
import { literal } from '../../duckdb/sql.js';
import type { BadKind } from './bad-records.js';
import { DATA_FIELDS, EVENT_TYPES } from './events.js';
import type { GeneratedRecord } from './generator.js';

/** Characters buffered before a write: big enough that write calls do not dominate. */
const CHUNK_CHARS = 1 << 20;

/** Joins lines into one flat chunk, each line followed by a newline. */
function joinLines(lines: string[]): string {
  lines.push('');
  return lines.join('\n');
}

/** Writes a chunk and waits for the stream to drain when its buffer is full. */
async function writeChunk(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Collects lines and writes them in chunks of about CHUNK_CHARS, respecting backpressure. */
class LineBatcher {
  private lines: string[] = [];
  private chars = 0;

  constructor(private readonly stream: Writable) {}

  async add(line: string): Promise<void> {
    this.lines.push(line);
    this.chars += line.length + 1;
    if (this.chars >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length > 0) await writeChunk(this.stream, joinLines(this.lines));
    this.lines = [];
    this.chars = 0;
  }
}

/**
 * Writes records as NDJSON, one line each, in batches. Does not end the stream.
 * @returns the number of lines written.
 */
export async function writeNdjson(records: Iterable<GeneratedRecord>, stream: Writable): Promise<number> {
  const batcher = new LineBatcher(stream);
  let lines = 0;
  for (const record of records) {
    await batcher.add(record.line);
    lines++;
  }
  await batcher.flush();
  return lines;
}

/** Envelope columns, in CSV and Parquet order. */
const ENVELOPE_COLUMNS = ['id', 'type', 'version', 'occurred_at', 'source', 'trace_id'] as const;

/**
 * The union of all four types' data fields. `amount` and `currency` lead, then each type's fields
 * in contract order, each name once (`channel`, `status`, `account_id`, … are shared).
 */
export const DATA_COLUMNS: readonly string[] = [
  ...new Set(['amount', 'currency', ...EVENT_TYPES.flatMap((type) => DATA_FIELDS[type])]),
];

/** CSV header names: envelope fields, then `data.<field>` for the union of data fields. */
export const CSV_COLUMNS: readonly string[] = [...ENVELOPE_COLUMNS, ...DATA_COLUMNS.map((field) => `data.${field}`)];

/**
 * Bad kinds that CSV cannot keep bad: cells carry no JSON types, so a number in a string field
 * (or a numeric string in a number field) reads back as a valid value.
 */
export const CSV_LOST_BAD_KINDS: ReadonlySet<BadKind> = new Set<BadKind>(['wrong_type_number_for_string', 'wrong_type_string_for_number']);

export interface CsvWriteSummary {
  /** Data rows written (one per record; the header is not counted). */
  rows: number;
  /** Rows that came from bad records. */
  badRows: number;
  /** Bad rows that look valid in CSV (kinds in CSV_LOST_BAD_KINDS). */
  badRowsLookingValid: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NEEDS_QUOTES = /[",\r\n]/;

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV row for a record line; see writeCsv for how malformed lines map. */
export function csvRow(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (!isPlainObject(parsed)) return csvCell(line) + ','.repeat(CSV_COLUMNS.length - 1);
  let row = '';
  for (const column of ENVELOPE_COLUMNS) row += csvCell(parsed[column]) + ',';
  const data = isPlainObject(parsed.data) ? parsed.data : undefined;
  for (let index = 0; index < DATA_COLUMNS.length; index++) {
    if (data !== undefined) row += csvCell(data[DATA_COLUMNS[index]!]);
    if (index < DATA_COLUMNS.length - 1) row += ',';
  }
  return row;
}

/**
 * Writes records as CSV (RFC 4180, `\n` line ends) with a header of CSV_COLUMNS. Does not end
 * the stream.
 *
 * Cells: strings as they are (quoted when they hold a comma, quote or line break), numbers and
 * booleans as JSON writes them, arrays and objects (such as `data.rules_triggered`) as JSON text,
 * an absent field as an empty cell and an empty string as `""`.
 *
 * Malformed records degrade as follows, and stay rejectable:
 * - not JSON, or JSON that is not an object: the raw line goes in the `id` cell and every other
 *   cell is empty, so the row lacks type, version, occurred_at, source and data;
 * - `data` that is not an object: every `data.*` cell is empty;
 * - fields outside the columns are dropped (the generator writes none);
 * - the kinds in CSV_LOST_BAD_KINDS become valid-looking rows; the summary counts them.
 */
export async function writeCsv(records: Iterable<GeneratedRecord>, stream: Writable): Promise<CsvWriteSummary> {
  const summary: CsvWriteSummary = { rows: 0, badRows: 0, badRowsLookingValid: 0 };
  const batcher = new LineBatcher(stream);
  await batcher.add(CSV_COLUMNS.join(','));
  for (const record of records) {
    await batcher.add(csvRow(record.line));
    summary.rows++;
    if (record.bad !== null) {
      summary.badRows++;
      if (CSV_LOST_BAD_KINDS.has(record.bad)) summary.badRowsLookingValid++;
    }
  }
  await batcher.flush();
  return summary;
}

type ColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'VARCHAR[]';

/** Parquet types of the data fields that are not VARCHAR. */
const DATA_TYPES: Readonly<Record<string, ColumnType>> = {
  lat: 'DOUBLE',
  lon: 'DOUBLE',
  score: 'DOUBLE',
  latency_ms: 'BIGINT',
  rules_triggered: 'VARCHAR[]',
};

const ENVELOPE_TYPES: Readonly<Record<(typeof ENVELOPE_COLUMNS)[number], ColumnType>> = {
  id: 'VARCHAR',
  type: 'VARCHAR',
  version: 'BIGINT',
  occurred_at: 'VARCHAR',
  source: 'VARCHAR',
  trace_id: 'VARCHAR',
};

/** The `data` STRUCT type of the Parquet file. */
export const PARQUET_DATA_TYPE = `STRUCT(${DATA_COLUMNS.map((field) => `"${field}" ${DATA_TYPES[field] ?? 'VARCHAR'}`).join(', ')})`;

function fits(value: unknown, type: ColumnType, field: string): boolean {
  if (value === undefined || value === null) return true;
  switch (type) {
    case 'VARCHAR':
      // amount may be a JSON number (the contract allows it); DuckDB keeps its text.
      return typeof value === 'string' || (field === 'amount' && typeof value === 'number');
    case 'BIGINT':
      return Number.isSafeInteger(value);
    case 'DOUBLE':
      return typeof value === 'number';
    case 'VARCHAR[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

/** Whether a record line can become a Parquet row without losing or coercing anything. */
export function fitsParquet(line: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  if (!isPlainObject(parsed)) return false;
  for (const key of Object.keys(parsed)) {
    if (key === 'data') continue;
    const type = ENVELOPE_TYPES[key as keyof typeof ENVELOPE_TYPES];
    if (type === undefined || !fits(parsed[key], type, key)) return false;
  }
  const data = parsed.data;
  if (data === undefined || data === null) return true;
  if (!isPlainObject(data)) return false;
  for (const key of Object.keys(data)) {
    if (!DATA_COLUMNS.includes(key) || !fits(data[key], DATA_TYPES[key] ?? 'VARCHAR', key)) return false;
  }
  return true;
}

export interface ParquetWriteOptions {
  /** An open engine to use; by default one is opened and closed. */
  engine?: Engine;
  /** Where the intermediate NDJSON goes (default: the OS temp directory). */
  tempDirectory?: string;
}

export interface ParquetWriteSummary {
  /** Rows in the Parquet file. */
  rows: number;
  /** Bad records left out because Parquet's column types cannot hold them. */
  skipped: number;
  skippedByKind: Partial<Record<BadKind, number>>;
}

/**
 * Writes records to a Parquet file: columns id, type, version (BIGINT), occurred_at (VARCHAR,
 * the RFC 3339 text with its offset), source, trace_id, and `data` as PARQUET_DATA_TYPE
 * (amount as a VARCHAR decimal string, lat/lon/score DOUBLE, latency_ms BIGINT,
 * rules_triggered VARCHAR[]). Absent fields are NULL.
 *
 * The records go to a temporary NDJSON file that DuckDB converts. Bad records that Parquet's
 * types cannot hold are skipped and counted: lines that are not JSON or not an object, `data`
 * that is not an object, and values of the wrong JSON type (a number in a string field, a string
 * or fraction in a number or integer field, rules_triggered that is not an array of strings).
 * Every other bad record (missing fields, out-of-range values, bad enums…) is written as it is.
 */
export async function writeParquet(
  records: Iterable<GeneratedRecord>,
  outputPath: string,
  options: ParquetWriteOptions = {},
): Promise<ParquetWriteSummary> {
  const summary: ParquetWriteSummary = { rows: 0, skipped: 0, skippedByKind: {} };
  const directory = await mkdtemp(path.join(options.tempDirectory ?? os.tmpdir(), 'analytics-generate-'));
  const ndjsonPath = path.join(directory, 'records.ndjson');
  try {
    const file = createWriteStream(ndjsonPath, { highWaterMark: CHUNK_CHARS });
    const kept = function* (): Generator<GeneratedRecord> {
      for (const record of records) {
        if (record.bad !== null && !fitsParquet(record.line)) {
          summary.skipped++;
          summary.skippedByKind[record.bad] = (summary.skippedByKind[record.bad] ?? 0) + 1;
          continue;
        }
        summary.rows++;
        yield record;
      }
    };
    try {
      await writeNdjson(kept(), file);
    } finally {
      await new Promise<void>((resolve, reject) => {
        file.once('error', reject);
        file.end(() => resolve());
      });
    }
    const columns = [
      ...ENVELOPE_COLUMNS.map((column) => `${literal(column)}: ${literal(ENVELOPE_TYPES[column])}`),
      `'data': ${literal(PARQUET_DATA_TYPE)}`,
    ].join(', ');
    const engine = options.engine ?? (await Engine.open());
    try {
      await engine.run(
        `COPY (SELECT * FROM read_json(${literal(ndjsonPath)}, format = 'newline_delimited', columns = {${columns}})) ` +
          `TO ${literal(outputPath)} (FORMAT parquet)`,
      );
    } finally {
      if (options.engine === undefined) engine.close();
    }
    return summary;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
