/** Table with a selected row, sorting by any column and paging. */
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { Row } from '../../../duckdb/engine.js';
import { sortRows } from '../../data/sort.js';
import type { TableData } from '../../data/types.js';
import { cellText, fit, fitLeft, formatValue } from '../text.js';

export function pageSize(height: number, configured: number): number {
  return Math.max(1, Math.min(configured, height - 2));
}

export function DataTable({ data, width, height, selected, page, sort, focused, pageLimit }: { data: TableData; width: number; height: number; selected: number; page: number; sort?: { column: string; descending: boolean }; focused: boolean; pageLimit: number }) {
  const rows = useMemo(() => sortRows(data.rows, sort), [data.rows, sort]);
  if (data.rows.length === 0) return <Text dimColor>no rows in this range</Text>;
  const size = pageSize(height, pageLimit);
  const pages = Math.ceil(rows.length / size);
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * size, current * size + size);
  const numericColumn = (column: string) => rows.every((row) => row[column] === null || typeof row[column] === 'number');
  const show = (row: Row, column: string) => {
    const value = row[column];
    return column === data.valueColumn && typeof value === 'number' ? formatValue(value, data.format) : cellText(value);
  };
  // Each column as wide as its header and shown cells (at most 24); the first columns that fit
  // are shown, the value column always (exports keep them all).
  const widths = new Map(data.columns.map((column) => [column, Math.min(24, Math.max(column.length + 1, ...shown.map((row) => [...show(row, column)].length)))]));
  const columns: string[] = [];
  let used = 0;
  for (const column of data.columns) {
    const needed = widths.get(column)! + 1;
    if (used + needed > width && columns.length > 0) break;
    columns.push(column);
    used += needed;
  }
  if (data.valueColumn && !columns.includes(data.valueColumn) && columns.length > 1) {
    while (columns.length > 1 && used + widths.get(data.valueColumn)! + 1 > width) used -= widths.get(columns.pop()!)! + 1;
    columns.push(data.valueColumn);
  }
  // Spread what is left over the columns, so a wide widget is not a narrow table.
  const spare = Math.max(0, Math.floor((width - columns.reduce((sum, column) => sum + widths.get(column)! + 1, 0)) / columns.length));
  const cell = (text: string, column: string) => (numericColumn(column) ? fitLeft(text, widths.get(column)! + spare) : fit(text, widths.get(column)! + spare));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {columns.map((column) => {
          const arrow = sort?.column === column ? (sort.descending ? '↓' : '↑') : '';
          return `${cell(column + arrow, column)} `;
        }).join('')}
      </Text>
      {shown.map((row, index) => {
        const absolute = current * size + index;
        return (
          <Text key={absolute} inverse={focused && absolute === selected} wrap="truncate">
            {columns.map((column) => `${cell(show(row, column), column)} `).join('')}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">{fit(`page ${current + 1}/${pages} · ${rows.length} rows${focused ? ' · s sort · PgUp/PgDn' : ''}`, width)}</Text>
    </Box>
  );
}
