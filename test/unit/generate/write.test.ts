import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { literal } from '../../../src/duckdb/sql.js';
import {
  CSV_COLUMNS,
  CSV_LOST_BAD_KINDS,
  writeCsv,
  writeNdjson,
  writeParquet,
  type GeneratedRecord,
} from '../../../src/pipelines/generate/index.js';
import { checkRecord } from './contract-checker.js';
import { DAY_END, DAY_START, generateAll, parse } from './sample-data.js';

/** Collects what a writer writes to a stream. */
async function capture(write: (stream: PassThrough) => Promise<unknown>): Promise<{ text: string; result: unknown }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const result = await write(stream);
  stream.end();
  return { text: Buffer.concat(chunks).toString('utf8'), result };
}

/** A strict RFC 4180 parser: rows of cells, with quoted cells keeping their quotes as a flag. */
function parseCsv(text: string): { value: string; quoted: boolean }[][] {
  const rows: { value: string; quoted: boolean }[][] = [];
  let row: { value: string; quoted: boolean }[] = [];
  let index = 0;
  while (index < text.length) {
    let value = '';
    let quoted = false;
    if (text[index] === '"') {
      quoted = true;
      index++;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote < 0) throw new Error('unterminated quote');
        value += text.slice(index, quote);
        index = quote + 1;
        if (text[index] === '"') {
          value += '"';
          index++;
        } else break;
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\n') value += text[index++];
    }
    row.push({ value, quoted });
    if (text[index] === ',') index++;
    else if (text[index] === '\n' || index >= text.length) {
      rows.push(row);
      row = [];
      index++;
    } else throw new Error(`unexpected character at ${index}`);
  }
  return rows;
}

const options = { seed: 77, count: 6000, start: DAY_START, end: DAY_END, badRatio: 0.05, duplicateRatio: 0.01 };
const { records, truth } = generateAll(options);

describe('writeNdjson', () => {
  it('writes one line per record and returns the count', async () => {
    const { text, result } = await capture((stream) => writeNdjson(records, stream));
    expect(result).toBe(records.length);
    expect(text).toBe(records.map((record) => record.line + '\n').join(''));
  });
});

describe('writeCsv', () => {
  it('writes the dotted header and one row per record with the header column count', async () => {
    const { text, result } = await capture((stream) => writeCsv(records, stream));
    const rows = parseCsv(text);
    expect(rows[0]!.map((cell) => cell.value)).toEqual(CSV_COLUMNS);
    expect(CSV_COLUMNS.slice(0, 7)).toEqual(['id', 'type', 'version', 'occurred_at', 'source', 'trace_id', 'data.amount']);
    for (const column of ['data.transaction_id', 'data.score', 'data.rules_triggered', 'data.severity', 'data.latency_ms', 'data.related_event_id']) {
      expect(CSV_COLUMNS).toContain(column);
    }
    expect(new Set(CSV_COLUMNS).size).toBe(CSV_COLUMNS.length);
    expect(rows).toHaveLength(records.length + 1);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const lost = records.filter((record) => record.bad !== null && CSV_LOST_BAD_KINDS.has(record.bad)).length;
    expect(result).toEqual({ rows: records.length, badRows: truth.counts.bad, badRowsLookingValid: lost });
  });

  it('keeps values: decimal strings, numbers, JSON arrays, empty strings and absent fields', async () => {
    const { text } = await capture((stream) => writeCsv(records, stream));
    const rows = parseCsv(text).slice(1);
    const column = (name: string) => CSV_COLUMNS.indexOf(name);
    let checkedRules = 0;
    for (const [index, record] of records.entries()) {
      const row = rows[index]!;
      if (record.bad === null) {
        const event = parse(record);
        expect(row[column('id')]!.value).toBe(event.id);
        if (event.type === 'transaction') expect(row[column('data.amount')]!.value).toBe(event.data.amount);
        if (event.type === 'fraud_detection') {
          expect(Number(row[column('data.score')]!.value)).toBe(event.data.score);
          const rules = row[column('data.rules_triggered')]!;
          if (event.data.rules_triggered === undefined) expect(rules.value).toBe('');
          else {
            expect(JSON.parse(rules.value)).toEqual(event.data.rules_triggered);
            checkedRules++;
          }
        }
        if (event.type !== 'transaction') expect(row[column('data.amount')]).toEqual({ value: '', quoted: false });
      } else if (record.bad === 'not_json' || record.bad === 'json_not_object') {
        expect(row[0]!.value).toBe(record.line);
        expect(row.slice(1).every((cell) => cell.value === '')).toBe(true);
      } else if (record.bad === 'empty_id') {
        expect(row[0]).toEqual({ value: '', quoted: true });
      } else if (record.bad === 'missing_id') {
        expect(row[0]).toEqual({ value: '', quoted: false });
      } else if (record.bad === 'data_not_object') {
        expect(row.slice(6).every((cell) => cell.value === '')).toBe(true);
      }
    }
    expect(checkedRules).toBeGreaterThan(0);
  });

  it('is readable by DuckDB with every row', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'generate-csv-'));
    const file = path.join(directory, 'events.csv');
    try {
      const { text } = await capture((stream) => writeCsv(records, stream));
      await writeFile(file, text);
      const engine = await Engine.open({ threads: 1 });
      try {
        const [row] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM read_csv(${literal(file)}, header = true, all_varchar = true, strict_mode = true)`);
        expect(row!.n).toBe(records.length);
      } finally {
        engine.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('writeParquet', () => {
  let directory: string;
  let engine: Engine;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'generate-parquet-'));
    engine = await Engine.open({ threads: 1 });
  });
  afterAll(async () => {
    engine.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('round-trips through DuckDB: rows, column types and a data.amount value', async () => {
    const file = path.join(directory, 'events.parquet');
    const summary = await writeParquet(records, file, { engine, tempDirectory: directory });
    const skippable = records.filter((record) => record.bad !== null && (record.bad === 'not_json' || record.bad === 'json_not_object'));
    expect(summary.skipped).toBeGreaterThanOrEqual(skippable.length);
    expect(summary.rows + summary.skipped).toBe(records.length);
    expect(summary.skippedByKind.not_json).toBe(skippable.filter((r) => r.bad === 'not_json').length);
    for (const kind of Object.keys(summary.skippedByKind)) {
      expect(['not_json', 'json_not_object', 'data_not_object', 'wrong_type_number_for_string', 'wrong_type_string_for_number',
        'version_not_integer', 'rules_triggered_not_string_array', 'latency_not_integer']).toContain(kind);
    }

    const [count] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`);
    expect(count!.n).toBe(summary.rows);

    const columns = await engine.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`);
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
    expect(Object.keys(types)).toEqual(['id', 'type', 'version', 'occurred_at', 'source', 'trace_id', 'data']);
    expect(types.version).toBe('BIGINT');
    expect(types.data).toContain('amount VARCHAR');
    expect(types.data).toContain('lat DOUBLE');
    expect(types.data).toContain('score DOUBLE');
    expect(types.data).toContain('latency_ms BIGINT');
    expect(types.data).toContain('rules_triggered VARCHAR[]');

    const transaction = records.map((r) => (r.bad === null && r.type === 'transaction' ? parse(r) : undefined)).find((e) => e !== undefined)!;
    const [row] = await engine.rows<{ amount: string; currency: string; type: string }>(
      `SELECT data.amount AS amount, data.currency AS currency, type FROM read_parquet(${literal(file)}) WHERE id = ${literal(transaction.id)} LIMIT 1`,
    );
    expect(row).toEqual({ amount: transaction.data.amount, currency: transaction.data.currency, type: 'transaction' });

    const withRules = records.map((r) => (r.bad === null && r.type === 'fraud_detection' ? parse(r) : undefined)).find((e) => (e?.data.rules_triggered as string[] | undefined)?.length)!;
    const [rules] = await engine.rows<{ rules: string[]; score: number }>(
      `SELECT data.rules_triggered AS rules, data.score AS score FROM read_parquet(${literal(file)}) WHERE id = ${literal(withRules.id)} LIMIT 1`,
    );
    expect(rules).toEqual({ rules: withRules.data.rules_triggered, score: withRules.data.score });
  });

  it('keeps representable bad records as they are', async () => {
    const file = path.join(directory, 'bad.parquet');
    const bad = records.filter((record) => record.bad === 'unknown_version' || record.bad === 'score_out_of_range');
    expect(bad.length).toBeGreaterThan(0);
    const summary = await writeParquet(bad, file, { engine });
    expect(summary).toEqual({ rows: bad.length, skipped: 0, skippedByKind: {} });
    const rows = await engine.rows<{ version: number; score: number | null }>(`SELECT version, data.score AS score FROM read_parquet(${literal(file)})`);
    expect(rows.some((row) => row.version === 99)).toBe(true);
    expect(rows.some((row) => row.score !== null && (row.score > 1 || row.score < 0))).toBe(true);
  });

  it('writes an empty file for no records', async () => {
    const file = path.join(directory, 'empty.parquet');
    const summary = await writeParquet([] as GeneratedRecord[], file, { engine });
    expect(summary.rows).toBe(0);
    const [count] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${literal(file)})`);
    expect(count!.n).toBe(0);
  });
});

describe('writers with the contract checker', () => {
  it('writes NDJSON whose lines the checker accepts exactly for the good records', async () => {
    const { text } = await capture((stream) => writeNdjson(records, stream));
    const lines = text.split('\n').slice(0, -1);
    lines.forEach((line, index) => expect(checkRecord(line).length === 0).toBe(records[index]!.bad === null));
  });

  it('does not end the stream it writes to', async () => {
    const stream = new PassThrough();
    stream.resume();
    await writeNdjson(records.slice(0, 10), stream);
    expect(stream.writableEnded).toBe(false);
    stream.end();
  });
});
