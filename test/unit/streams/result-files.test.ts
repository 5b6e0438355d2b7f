/** Result rows through the column-wise JSON lines into Parquet: every type, NULLs, several lines, none. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { literal } from '../../../src/duckdb/sql.js';
import type { ColumnSpec } from '../../../src/lake/tables.js';
import { writeRowsParquet } from '../../../src/streams/result-files.js';

const COLUMNS: ColumnSpec[] = [
  { name: 'window_start', sqlType: 'TIMESTAMPTZ', description: '' },
  { name: 'country', sqlType: 'VARCHAR', description: '' },
  { name: 'volume', sqlType: 'DECIMAL(18,4)', description: '' },
  { name: 'tx_count', sqlType: 'BIGINT', description: '' },
  { name: 'p95', sqlType: 'DOUBLE', description: '' },
  { name: 'matched', sqlType: 'BOOLEAN', description: '' },
  { name: 'reasons', sqlType: 'VARCHAR[]', description: '' },
  { name: 'batch_id', sqlType: 'VARCHAR', description: '' },
];

function row(index: number): Record<string, unknown> {
  return {
    window_start: new Date(Date.UTC(2026, 10, 24, 8, index % 60)).toISOString(),
    country: index % 7 === 0 ? null : `C"${index % 5}é`,
    volume: index % 11 === 0 ? null : index * 1.2345,
    tx_count: index,
    p95: index / 3,
    matched: index % 2 === 0,
    reasons: index % 3 === 0 ? [] : [`late ${index}`, 'x'],
  };
}

describe('writeRowsParquet', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'analytics-test-results-'));
    engine = await Engine.open({ threads: 2 });
  });
  afterAll(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const readBack = async (file: string) => engine.rows<Record<string, unknown>>(`SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%S.%gZ') AS window_start, country, CAST(volume AS DOUBLE) AS volume,
      tx_count, p95, matched, reasons, batch_id FROM read_parquet(${literal(file)}) ORDER BY tx_count`);

  it('stores every row and column as typed, over several JSON lines, with the constant column', async () => {
    const rows = Array.from({ length: 25_003 }, (_, index) => row(index));
    const file = await writeRowsParquet(engine, path.join(dir, 'many'), 'part-b1-0', COLUMNS, rows, { constants: { batch_id: 'b1' } });
    expect(file.rows).toBe(rows.length);
    const stored = await readBack(file.file);
    expect(stored).toHaveLength(rows.length);
    const expected = rows.map((value) => ({ ...value, volume: value.volume === null ? null : Math.round((value.volume as number) * 10_000) / 10_000, batch_id: 'b1' }));
    expect(stored.map((value) => ({ ...value, tx_count: Number(value.tx_count), reasons: [...(value.reasons as string[])] }))).toEqual(expected);
    const described = await engine.rows<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${literal(file.file)})`);
    expect(Object.fromEntries(described.map((column) => [column.column_name, column.column_type]))).toEqual({
      window_start: 'TIMESTAMP WITH TIME ZONE', country: 'VARCHAR', volume: 'DECIMAL(18,4)', tx_count: 'BIGINT', p95: 'DOUBLE', matched: 'BOOLEAN', reasons: 'VARCHAR[]', batch_id: 'VARCHAR',
    });
  });

  it('writes an empty file for no rows', async () => {
    const file = await writeRowsParquet(engine, path.join(dir, 'none'), 'part-b2-0', COLUMNS, [], { constants: { batch_id: 'b2' } });
    expect(file.rows).toBe(0);
    expect(await readBack(file.file)).toEqual([]);
  });
});
