/** Row order for tables and drill-downs: by one column, nulls last. */
import type { Row } from '../../duckdb/engine.js';

export interface SortOrder {
  column: string;
  descending: boolean;
}

export function sortRows(rows: readonly Row[], sort: SortOrder | undefined): Row[] {
  if (!sort) return [...rows];
  const direction = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.column];
    const y = b[sort.column];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * direction;
  });
}
