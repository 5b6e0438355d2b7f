/**
 * `analytics query`: SQL over the lake's tables, read-only. The lake is only ever read through
 * views over one snapshot in an in-memory DuckDB; statements other than reads are refused before
 * they run, so a query cannot change the lake (or anything else on disk).
 */
import type { ColumnInfo, Row } from '../duckdb/engine.js';
import { Engine } from '../duckdb/engine.js';
import { literal } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import { createRunHistoryView } from '../etl/run-history-view.js';
import { createLakeViews, LAKE_FILE_ERROR } from '../lake/reader.js';
import type { Workspace } from '../workspace/workspace.js';

/** Statement types a query may contain. */
const READ_ONLY = new Set(['SELECT', 'EXPLAIN', 'PRAGMA', 'RELATION']);

export interface QueryResult {
  columns: ColumnInfo[];
  rows: Row[];
  snapshotVersion: number;
  seconds: number;
}

/** Opens a read-only engine with one view per lake table, plus `etl_runs` (run history). The caller closes it. */
export async function openLakeReader(workspace: Workspace): Promise<{ engine: Engine; snapshotVersion: number }> {
  const engine = await Engine.open({ memoryLimit: workspace.config.engine.memory_limit, ...(workspace.config.engine.threads ? { threads: workspace.config.engine.threads } : {}) });
  try {
    const snapshot = await createLakeViews(engine, workspace.lakeRoot, workspace.registry);
    await createRunHistoryView(engine, workspace);
    return { engine, snapshotVersion: snapshot.version };
  } catch (error) {
    engine.close();
    throw error;
  }
}

/**
 * Refuses SQL that would write, before it runs. Preparing a statement to learn its type acts
 * already (binding EXPORT DATABASE creates its folder) and EXPLAIN ANALYZE runs what it explains,
 * so the parser decides first: json_serialize_sql accepts SELECT statements and nothing else.
 * Beyond those, EXPLAIN [ANALYZE] of SELECTs passes, and a lone PRAGMA is prepared to check it.
 */
export async function assertReadOnly(engine: Engine, sql: string): Promise<void> {
  const parsed = await parseSelects(engine, sql);
  if (parsed === 0) throw new UserError('BAD_ARGUMENT', 'The query is empty.', { hint: 'Pass a SELECT statement, e.g. analytics query "SELECT count(*) FROM transactions"' });
  if (typeof parsed === 'number' && parsed > 1) {
    throw new UserError('BAD_ARGUMENT', `The SQL has ${parsed} statements; a query runs one.`, { hint: 'Run them one at a time, or combine them with UNION ALL or a WITH clause.' });
  }
  if (typeof parsed === 'number') return;
  let count: number;
  try {
    // Parses only; a syntax error comes back with DuckDB's message and position.
    count = (await engine.connection.extractStatements(sql)).count;
  } catch (error) {
    throw sqlError(error, sql);
  }
  const keyword = leadingKeyword(sql);
  if (keyword === 'EXPLAIN') {
    const explained = await parseSelects(engine, stripLeadingComments(sql).replace(/^EXPLAIN(\s+ANALYZE)?\b/i, ''));
    if (typeof explained === 'number' && explained > 0) return;
  }
  if (keyword === 'PRAGMA' && count === 1) {
    let types: string[];
    try {
      types = await engine.statementTypes(sql);
    } catch (error) {
      throw sqlError(error, sql);
    }
    if (types.every((type) => READ_ONLY.has(type))) return;
  }
  const what = count > 1 ? 'a statement other than SELECT' : keyword === 'EXPLAIN' ? 'EXPLAIN of a statement other than SELECT' : (keyword ?? 'a statement other than SELECT');
  throw new UserError('QUERY_FORBIDDEN', `Queries are read-only; this SQL contains ${what}.`, {
    hint: 'Use SELECT (or EXPLAIN). To change data, use analytics ingest, etl or lake commands.',
  });
}

/** The number of statements when all are SELECTs (parsed, not bound); else why not. */
async function parseSelects(engine: Engine, sql: string): Promise<number | 'not-select' | 'syntax'> {
  const [row] = await engine.rows<{ parsed: string }>(`SELECT json_serialize_sql(${literal(sql)})::VARCHAR AS parsed`);
  const parsed = JSON.parse(row?.parsed ?? '{"error": true}') as { error: boolean; error_type?: string; statements?: unknown[] };
  if (!parsed.error) return parsed.statements?.length ?? 0;
  return parsed.error_type === 'parser' ? 'syntax' : 'not-select';
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
}

/** The first word of the SQL, upper-cased: the statement's kind when there is one statement. */
function leadingKeyword(sql: string): string | undefined {
  return /^[A-Za-z_]+/.exec(stripLeadingComments(sql).replace(/^\(+\s*/, ''))?.[0].toUpperCase();
}

export async function runQuery(workspace: Workspace, sql: string): Promise<QueryResult> {
  const started = performance.now();
  const { engine, snapshotVersion } = await openLakeReader(workspace);
  try {
    await assertReadOnly(engine, sql);
    try {
      const { columns, rows } = await engine.table(sql);
      return { columns, rows, snapshotVersion, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      throw sqlError(error, sql);
    }
  } finally {
    engine.close();
  }
}

/** DuckDB's own message, with the position it names shown under the SQL. */
export function sqlError(error: unknown, sql: string): UserError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes(LAKE_FILE_ERROR)) {
    return new UserError('LAKE_CORRUPT', message.replace(/^.*?(a lake data file)/s, 'A lake data file').split('\n')[0] ?? message, {
      hint: 'A file listed in the current snapshot is missing or damaged; other tables still work. See docs/runbooks/lake.md, "A missing or damaged data file".',
    });
  }
  const position = /LINE (\d+):/.test(message) ? '' : positionNote(message, sql);
  return new UserError('QUERY_FAILED', `${message}${position}`, {
    hint: 'Tables: transactions, fraud_detections, security_alerts, notifications, dead_letters. List columns with: analytics query "DESCRIBE transactions"',
  });
}

function positionNote(message: string, sql: string): string {
  const match = /at position (\d+)|characters? (\d+)/.exec(message);
  const offset = match ? Number(match[1] ?? match[2]) : undefined;
  if (offset === undefined || Number.isNaN(offset)) return '';
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const text = sql.split('\n')[line - 1] ?? '';
  return `\nLINE ${line}: ${text}\n${' '.repeat(`LINE ${line}: `.length + column - 1)}^`;
}
