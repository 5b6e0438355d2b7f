/** Writes a read-only query's result to a file with DuckDB itself (streaming, any size). */
import { literal } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { assertReadOnly, openLakeReader, sqlError } from './query.js';

export type ExportFormat = 'parquet' | 'csv' | 'json' | 'ndjson';

export async function exportQuery(workspace: Workspace, sql: string, format: ExportFormat, out: string): Promise<{ rows: number }> {
  const { engine } = await openLakeReader(workspace);
  try {
    await assertReadOnly(engine, sql);
    const options: Record<ExportFormat, string> = {
      parquet: 'FORMAT parquet, COMPRESSION zstd',
      csv: 'FORMAT csv, HEADER true',
      ndjson: 'FORMAT json',
      json: 'FORMAT json, ARRAY true',
    };
    const body = sql.trim().replace(/;\s*$/, '');
    if (body.includes(';')) throw new UserError('BAD_ARGUMENT', 'Only one statement can be exported to a file.', { hint: 'Remove the other statements.' });
    try {
      const [row] = await engine.rows<{ Count: number }>(`COPY (${body}) TO ${literal(out)} (${options[format]})`);
      return { rows: Number(row?.Count ?? 0) };
    } catch (error) {
      throw sqlError(error, sql);
    }
  } finally {
    engine.close();
  }
}
