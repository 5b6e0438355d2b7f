/**
 * Runs SQL in a throwaway in-memory DuckDB (through the project's one door to it), for tests
 * that need input files only DuckDB writes easily, such as Parquet.
 */
import { Engine } from '../../src/duckdb/engine.js';

export async function runDuckDb(sql: string): Promise<void> {
  const engine = await Engine.open({ threads: 1 });
  try {
    await engine.run(sql);
  } finally {
    engine.close();
  }
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
