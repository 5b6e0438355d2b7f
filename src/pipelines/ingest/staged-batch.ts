/**
 * Validation of one batch into staging: the step every ingest path shares (files today, Kafka
 * batches next). The compiled contract validation streams once over the input relation into
 * a staging Parquet file whose `_out` column names each record's destination (the table, or
 * `_rejected`), exposed as a view. Streaming to compressed columnar files instead of a temp table keeps memory flat for
 * inputs of any size; the per-table writes then read back only the columns they need.
 *
 * The tables' files are written from it here too, before the commit (`writeStagedTables`), so
 * that the commit holds the lake lock only to check them against the lake.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FieldKind } from '../../contract/field-spec.js';
import type { EventTypeRegistry } from '../../contract/registry.js';
import { referenceCodes } from '../../contract/registry.js';
import { compileValidation, freeFormStringFields, textReadChoice } from '../../contract/sql-validation.js';
import type { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { directlyWritten, SAMPLE_RECORDS } from './direct-write.js';
import { copyToStaging, tableSelect, type BatchContext, type PrewrittenTable } from './batch-writer.js';

export interface StagedBatch {
  /** View over the checked records: envelope, typed data columns, `_table`, `reasons`, `raw` (rejects only). */
  view: string;
  total: number;
  rejected: number;
  /** Removes the view and the staging files. */
  drop(): Promise<void>;
}

let stagedCounter = 0;

/** The data columns validation produces for a registry (needed to type CSV cells). */
export function validationColumns(registry: EventTypeRegistry): Map<string, FieldKind> {
  return compileValidation(registry.specs, referenceCodes(), '_unused').dataColumns;
}

export interface StageOptions {
  /**
   * Tables whose valid records the fast path already wrote (direct-write.ts), each optionally
   * only among the records that match `where` (a condition on the validation's output, such as
   * the Kafka topic in `origin`): they are left out.
   */
  excludeWritten?: { table: string; where?: string }[];
  /** Columns computed from the input for those conditions (compileValidation's `keep`), such as the route of a mixed file's record. */
  keep?: Record<string, string>;
  /**
   * Whether records that are not JSON at all are expected (compileValidation's option), from
   * `firstRecordsPlan`. Default true.
   */
  malformedExpected?: boolean;
  /** String fields read as text (compileValidation's option), from `firstRecordsPlan`. */
  textRead?: string[];
}

/**
 * How to validate a batch, from its first records, which tell what kind of batch it is:
 *
 * - `malformedExpected`: whether any of them does not parse as JSON. Checking every record with
 *   json_valid before the parse spares validation the row-by-row path of TRY when malformed
 *   records are frequent (a file with 15% bad records: three times faster), but costs 7% on a
 *   clean batch.
 * - `textRead`: the free-form string fields whose values are rarely valid JSON themselves, read
 *   as text (5% less time for batches of the generator's four types).
 *
 * One small query with a parse of its own: a validation of the sample would cost its planning
 * (56 ms with every type's rules). `relationSql` must be safe to scan again (not a reader that
 * records unreadable lines).
 */
export async function firstRecordsPlan(engine: Engine, registry: EventTypeRegistry, relationSql: string): Promise<{ malformedExpected: boolean; textRead: string[] }> {
  const fields = freeFormStringFields(registry.specs);
  const envelope = fields.filter((field) => !field.path.startsWith('data.'));
  const data = fields.filter((field) => field.path.startsWith('data.'));
  const structure = JSON.stringify({ ...Object.fromEntries(envelope.map((field) => [field.column, 'VARCHAR'])), data: Object.fromEntries(data.map((field) => [field.column, 'VARCHAR'])) });
  const textRead = textReadChoice(registry.specs, (field) => `_j.${field.path.split('.').map(ident).join('.')}`);
  const [row] = await engine.rows(`SELECT count(*) AS n, count(*) FILTER (WHERE NOT json_valid(raw)) AS malformed${textRead.items}
    FROM (SELECT raw, CASE WHEN json_valid(raw) THEN TRY(from_json(raw, ${literal(structure)})) END AS _j FROM (SELECT raw FROM (${relationSql}) LIMIT ${SAMPLE_RECORDS}))`);
  return { malformedExpected: Number(row?.malformed ?? 0) > 0, textRead: row ? textRead.choose(row) : [] };
}

/**
 * Validates every record of `inputSql` (a SELECT of raw, origin, ordinal) into `stagingDir`.
 * Throws DuckDB's error if the input cannot be read; nothing is staged then.
 */
export async function stageValidatedBatch(engine: Engine, registry: EventTypeRegistry, inputSql: string, stagingDir: string, options: StageOptions = {}): Promise<StagedBatch> {
  const id = stagedCounter++;
  const input = `_input_${process.pid}_${id}`;
  const view = `_checked_${process.pid}_${id}`;
  const dir = path.join(stagingDir, `checked-${process.pid}-${id}`);
  const drop = async () => {
    await engine.run(`DROP VIEW IF EXISTS ${ident(view)}; DROP VIEW IF EXISTS ${ident(input)};`);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await engine.run(`CREATE OR REPLACE TEMP VIEW ${ident(input)} AS ${inputSql}`);
    const validation = compileValidation(registry.specs, referenceCodes(), ident(input), { keep: options.keep, malformedExpected: options.malformedExpected ?? true, textRead: options.textRead ?? [] });
    // Order does not matter here (records carry their origin), and not keeping it saves memory.
    await engine.run(`SET preserve_insertion_order = false`);
    // The exclusion filter must not be pushed into the validation: that computes reasons twice.
    const written = options.excludeWritten ?? [];
    if (written.length > 0) await engine.run(`SET disabled_optimizers = 'filter_pushdown'`);
    try {
      // One file, not a partition per destination: DuckDB's partitioned writer cost a third more
      // here (docs/performance.md); readers filter on `_out` instead.
      await fs.mkdir(dir, { recursive: true });
      const exclude = written.length > 0
        ? `WHERE NOT (${written.map(({ table, where }) => (where ? `(${directlyWritten(table)} AND coalesce(${where}, false))` : directlyWritten(table))).join(' OR ')})`
        : '';
      await engine.run(`COPY (SELECT *, CASE WHEN len(reasons) > 0 THEN '_rejected' ELSE _table END AS _out FROM (${validation.sql}) ${exclude})
        TO ${literal(path.join(dir, 'checked.parquet'))} (FORMAT parquet, COMPRESSION snappy)`);
    } finally {
      await engine.run(`SET preserve_insertion_order = true; RESET disabled_optimizers`);
    }
    await engine.run(`CREATE OR REPLACE TEMP VIEW ${ident(view)} AS
      SELECT * FROM read_parquet(${literal(path.join(dir, 'checked.parquet'))})`);
    const [counts] = await engine.rows<{ total: number; rejected: number }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE len(reasons) > 0) AS rejected FROM ${ident(view)}`,
    );
    return { view, total: Number(counts?.total ?? 0), rejected: Number(counts?.rejected ?? 0), drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

/**
 * Writes the valid records of a staged batch into each table's files in the batch's staging
 * folder (`staging`, see batchStagingDir): enriched, sorted by event time, one file per event
 * date, a record repeated within the batch (the same `id` and `occurred_at`) kept once.
 * commitBatch takes them as `prewritten` and checks them against the lake.
 */
export async function writeStagedTables(context: Pick<BatchContext, 'engine' | 'registry' | 'reportingCurrency'>, batch: StagedBatch, staging: string, batchId: string, ingestedAt: string): Promise<PrewrittenTable[]> {
  const { engine } = context;
  const view = ident(batch.view);
  // One scan for every table's count, dates and repeats: separate queries cost a tenth of a
  // 50,000-record batch's write.
  const shapes = await engine.rows<{ table: string; valid: number; repeated: number; dates: string[] }>(`
    SELECT _out AS "table", count(*) AS valid, count(*) - count(DISTINCT (id, occurred_at)) AS repeated, list(DISTINCT strftime(occurred_at, '%Y-%m-%d')) AS dates
    FROM ${view} WHERE _out <> '_rejected' GROUP BY _out ORDER BY _out`);
  const tables: PrewrittenTable[] = [];
  for (const shape of shapes) {
    const table = context.registry.table(shape.table);
    if (!table) throw new Error(`staged batch: records for unknown table ${shape.table}`);
    const select = tableSelect(context, table, view, Number(shape.repeated) > 0, ingestedAt, batchId);
    const files = await copyToStaging(engine, path.join(staging, table.name), select, 'event_date', batchId, { values: shape.dates });
    tables.push({ table: table.name, files, valid: Number(shape.valid) });
  }
  return tables;
}
