/**
 * Validation of in-memory records through the same compiled SQL that file ingest runs, for
 * batches that arrive as strings (Kafka messages, tests, the API). One code path for all.
 */
import type { Engine } from '../duckdb/engine.js';
import { ident } from '../duckdb/sql.js';
import type { EventTypeRegistry } from './registry.js';
import { referenceCodes } from './registry.js';
import { compileValidation } from './sql-validation.js';

export interface CheckedRecord {
  ordinal: number;
  origin: string;
  id: string | null;
  type: string | null;
  table: string | null;
  reasons: string[];
  values: Record<string, unknown>;
}

let stagingCounter = 0;

/** Stages `records` into a temp table of (raw, origin, ordinal) and returns its name. */
export async function stageRecords(engine: Engine, records: readonly { raw: string; origin: string }[]): Promise<string> {
  const name = `_staged_${process.pid}_${stagingCounter++}`;
  await engine.run(`CREATE TEMP TABLE ${ident(name)} (raw VARCHAR, origin VARCHAR, ordinal BIGINT)`);
  const appender = await engine.connection.createAppender(name, 'main', 'temp');
  records.forEach((record, index) => {
    appender.appendVarchar(record.raw);
    appender.appendVarchar(record.origin);
    appender.appendBigInt(BigInt(index + 1));
    appender.endRow();
  });
  appender.closeSync();
  return name;
}

/** Validates records and returns one result per record, in input order. */
export async function validateRecords(
  engine: Engine,
  registry: EventTypeRegistry,
  records: readonly { raw: string; origin?: string }[],
): Promise<CheckedRecord[]> {
  const staged = await stageRecords(engine, records.map((record, index) => ({ raw: record.raw, origin: record.origin ?? `record ${index + 1}` })));
  try {
    const query = compileValidation(registry.specs, referenceCodes(), ident(staged));
    const rows = await engine.rows<Record<string, unknown>>(`SELECT * FROM (${query.sql}) ORDER BY ordinal`);
    return rows.map((row) => {
      const { ordinal, origin, id, type, _table, reasons, raw: _raw, ...values } = row;
      return {
        ordinal: Number(ordinal),
        origin: String(origin),
        id: (id as string | null) ?? null,
        type: (type as string | null) ?? null,
        table: (_table as string | null) ?? null,
        reasons: (reasons as string[]) ?? [],
        values,
      };
    });
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${ident(staged)}`);
  }
}
