/**
 * `{{ name }}` parameters in step SQL, replaced by SQL literals (never spliced as raw text), so a
 * date or watermark can never change the shape of the statement.
 */
import { literal } from '../duckdb/sql.js';

export const PARAMETERS = ['run_date', 'from', 'to', 'run_id', 'watermark'] as const;
export type ParameterName = (typeof PARAMETERS)[number];

/** Values of one run window; `watermark` is null before an incremental step's first load. */
export interface ParameterValues {
  run_date: string;
  from: string;
  to: string;
  run_id: string;
  watermark: string | null;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names used in `sql` that are not parameters. */
export function unknownParameters(sql: string): string[] {
  return [...sql.matchAll(PLACEHOLDER)].map((match) => match[1]!).filter((name) => !(PARAMETERS as readonly string[]).includes(name));
}

export function substituteParameters(sql: string, values: ParameterValues): string {
  return sql.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name as ParameterName) {
      case 'run_date':
      case 'from':
      case 'to':
        return `DATE ${literal(values[name as 'run_date' | 'from' | 'to'])}`;
      case 'run_id':
        return literal(values.run_id);
      case 'watermark':
        return values.watermark === null ? 'NULL' : literal(values.watermark);
      default:
        return whole;
    }
  });
}

/** Placeholder values for parsing and planning (validate): any valid literal will do. */
export const PLANNING_VALUES: ParameterValues = { run_date: '2000-01-01', from: '2000-01-01', to: '2000-01-02', run_id: 'validate', watermark: null };
