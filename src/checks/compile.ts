/**
 * Each check becomes one SQL query over the lake views that returns its failing rows (or, for
 * table-level checks, one row describing the failure). An empty result means it passed.
 */
import { ident, literal } from '../duckdb/sql.js';
import type { CheckDefinition } from './schema.js';

export interface CompiledCheck {
  name: string;
  table: string | null;
  type: CheckDefinition['type'];
  severity: 'error' | 'warn';
  /** SELECT of the failing rows. */
  failingSql: string;
  /**
   * A cheaper query that returns 0 when the check certainly passes (else the failing rows are
   * counted with failingSql). For unique: duplicates of the 64-bit hash of the key, since equal
   * keys have equal hashes; a hash collision only costs the exact count.
   */
  quickSql?: string;
}

const value = (v: string | number) => (typeof v === 'number' ? String(v) : literal(v));
const INTERVAL: Record<string, string> = { m: 'MINUTE', h: 'HOUR', d: 'DAY' };

export function checkName(check: CheckDefinition): string {
  if (check.name) return check.name;
  const column = 'columns' in check ? (check.columns.length === 1 ? check.columns[0] : `${check.columns.length}_columns`) : 'column' in check ? check.column : '';
  return [check.table ?? 'sql', check.type, column].filter(Boolean).join('_');
}

/**
 * `previousRows` is the table's row count at the previous run (for volume_change). `relation`
 * replaces the table in the SQL (a pipeline step checks its own staged rows), the name still
 * comes from the table.
 */
export function compileCheck(check: CheckDefinition, previousRows?: number, relation?: string): CompiledCheck {
  const table = relation ?? (check.table ? ident(check.table) : '');
  const from = check.table ? `${table}${check.where ? ` WHERE ${check.where}` : ''}` : '';
  const and = (condition: string) => `SELECT * FROM ${table} WHERE (${condition})${check.where ? ` AND (${check.where})` : ''}`;
  let failingSql: string;
  let quickSql: string | undefined;
  switch (check.type) {
    case 'not_null':
      failingSql = and(check.columns.map((column) => `${ident(column)} IS NULL`).join(' OR '));
      break;
    case 'unique': {
      const columns = check.columns.map(ident).join(', ');
      failingSql = `SELECT ${columns}, count(*) AS occurrences FROM ${from} GROUP BY ALL HAVING count(*) > 1 ORDER BY occurrences DESC`;
      quickSql = `SELECT count(*) AS n FROM (SELECT hash(${columns}) AS key_hash FROM ${from} GROUP BY key_hash HAVING count(*) > 1)`;
      break;
    }
    case 'accepted_values':
      failingSql = and(`${ident(check.column)} IS NOT NULL AND ${ident(check.column)} NOT IN (${check.values.map(value).join(', ')})`);
      break;
    case 'relationships':
      failingSql = `${and(`${ident(check.column)} IS NOT NULL`)} AND ${ident(check.column)} NOT IN (SELECT ${ident(check.to.column)} FROM ${ident(check.to.table)} WHERE ${ident(check.to.column)} IS NOT NULL)`;
      break;
    case 'range': {
      const bounds = [
        check.min === undefined ? '' : `${ident(check.column)} < ${value(check.min)}`,
        check.max === undefined ? '' : `${ident(check.column)} > ${value(check.max)}`,
      ].filter(Boolean);
      failingSql = and(bounds.join(' OR '));
      break;
    }
    case 'row_count': {
      const bounds = [check.min === undefined ? '' : `n < ${check.min}`, check.max === undefined ? '' : `n > ${check.max}`].filter(Boolean);
      failingSql = `SELECT n AS row_count, ${check.min ?? 'NULL'} AS min_allowed, ${check.max ?? 'NULL'} AS max_allowed FROM (SELECT count(*) AS n FROM ${from}) WHERE ${bounds.join(' OR ')}`;
      break;
    }
    case 'freshness': {
      const amount = Number(check.max_age.slice(0, -1));
      const unit = INTERVAL[check.max_age.slice(-1)]!;
      failingSql = `SELECT newest, now() - newest AS age FROM (SELECT max(${ident(check.column)}) AS newest FROM ${from})
        WHERE newest IS NULL OR newest < now() - INTERVAL ${amount} ${unit}`;
      break;
    }
    case 'volume_change':
      failingSql = previousRows === undefined || previousRows === 0
        ? 'SELECT 1 WHERE false'
        : `SELECT n AS row_count, ${previousRows} AS previous_row_count, round(100.0 * (n - ${previousRows}) / ${previousRows}, 1) AS change_percent
           FROM (SELECT count(*) AS n FROM ${from}) WHERE abs(100.0 * (n - ${previousRows}) / ${previousRows}) > ${check.max_change_percent}`;
      break;
    case 'sql':
      failingSql = check.sql.trim().replace(/;\s*$/, '');
      break;
  }
  return { name: checkName(check), table: check.table ?? null, type: check.type, severity: check.severity, failingSql, ...(quickSql ? { quickSql } : {}) };
}
