/** Table with a selected row, sorting by any column and paging. */
import { Box, Text } from 'ink';
import type { Row } from '../../../duckdb/engine.js';
import { sortRows } from '../../data/sort.js';
import type { TableData } from '../../data/types.js';
import { cellText, fit, fitLeft, formatValue } from '../text.js';

export function pageSize(height: number, configured: number): number {
  return Math.max(1, Math.min(configured, height - 2));
}

export function DataTable({ data, width, height, selected, page, sort, focused, pageLimit }: { data: TableData; width: number; height: number; selected: number; page: number; sort?: { column: string; descending: boolean }; focused: boolean; pageLimit: number }) {
  if (data.rows.length === 0) return <Text dimColor>no rows in this range</Text>;
  const rows = sortRows(data.rows, sort);
  const size = pageSize(height, pageLimit);
  const pages = Math.ceil(rows.length / size);
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * size, current * size + size);
  // Narrow widgets show the first columns that fit (exports keep them all).
  const columns = data.columns.slice(0, Math.max(1, Math.floor(width / 11)));
  const numeric = columns.map((column) => rows.every((row) => row[column] === null || typeof row[column] === 'number'));
  const columnWidth = Math.max(6, Math.floor((width - columns.length) / columns.length));
  const show = (row: Row, column: string, index: number) => {
    const value = row[column];
    const text = column === data.valueColumn && typeof value === 'number' ? formatValue(value, data.format) : cellText(value);
    return numeric[index] ? fitLeft(text, columnWidth) : fit(text, columnWidth);
  };
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {columns.map((column, index) => {
          const arrow = sort?.column === column ? (sort.descending ? '↓' : '↑') : '';
          return `${numeric[index] ? fitLeft(column + arrow, columnWidth) : fit(column + arrow, columnWidth)} `;
        }).join('')}
      </Text>
      {shown.map((row, index) => {
        const absolute = current * size + index;
        return (
          <Text key={absolute} inverse={focused && absolute === selected} wrap="truncate">
            {columns.map((column, columnIndex) => `${show(row, column, columnIndex)} `).join('')}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">{fit(`page ${current + 1}/${pages} · ${rows.length} rows${focused ? ' · s sort · PgUp/PgDn' : ''}`, width)}</Text>
    </Box>
  );
}
