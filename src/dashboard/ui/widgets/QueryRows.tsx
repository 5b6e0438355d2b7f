/** Custom widget: the rows of any query, one line each, through an optional template. */
import { Box, Text } from 'ink';
import type { Row } from '../../../duckdb/engine.js';
import type { RowsData } from '../../data/types.js';
import { cellText, fit } from '../text.js';

/** `{column}` placeholders replaced by the row's values. */
export function applyTemplate(template: string, row: Row): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, column: string) => (column in row ? cellText(row[column]) : whole));
}

export function QueryRows({ data, width, height, selected, focused }: { data: RowsData; width: number; height: number; selected: number; focused: boolean }) {
  if (data.rows.length === 0) return <Text dimColor>no rows</Text>;
  const first = Math.max(0, Math.min(selected - height + 1, data.rows.length - height));
  return (
    <Box flexDirection="column">
      {data.rows.slice(first, first + height).map((row, index) => (
        <Text key={first + index} inverse={focused && first + index === selected} wrap="truncate">
          {fit(data.template ? applyTemplate(data.template, row) : data.columns.map((column) => cellText(row[column])).join('  '), width)}
        </Text>
      ))}
    </Box>
  );
}
