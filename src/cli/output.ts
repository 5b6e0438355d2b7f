/** Renders rows as text for people (tables) or for programs (JSON, NDJSON, CSV). */
import Table from 'cli-table3';
import type { ColumnInfo, Row } from '../duckdb/engine.js';

export const ROW_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UBIGINT|UINTEGER|FLOAT|DOUBLE|DECIMAL)/;

export function renderTable(columns: readonly ColumnInfo[], rows: readonly Row[], options: { color?: boolean } = {}): string {
  const table = new Table({
    head: columns.map((column) => column.name),
    style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: columns.map((column) => (NUMERIC.test(column.type) ? 'right' : 'left')),
  });
  for (const row of rows) table.push(columns.map((column) => cellText(row[column.name])));
  return table.toString();
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(columns: readonly ColumnInfo[]): string {
  return columns.map((column) => csvCell(column.name)).join(',');
}

export function csvLine(columns: readonly ColumnInfo[], row: Row): string {
  return columns.map((column) => csvCell(row[column.name])).join(',');
}

/** Renders a whole result in a machine format. */
export function renderRows(format: Exclude<RowFormat, 'table'>, columns: readonly ColumnInfo[], rows: readonly Row[]): string {
  switch (format) {
    case 'json': return `${JSON.stringify(rows, null, 2)}\n`;
    case 'ndjson': return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    case 'csv': return [csvHeader(columns), ...rows.map((row) => csvLine(columns, row))].join('\n') + '\n';
  }
}
