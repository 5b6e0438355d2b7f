/** The latest events, newest first, coloured by severity. */
import { Box, Text } from 'ink';
import type { LogData } from '../../data/types.js';
import { cellText, fit } from '../text.js';

const SEVERITY: Record<string, { color?: string; bold?: boolean }> = {
  critical: { color: 'red', bold: true }, high: { color: 'red' }, error: { color: 'red' },
  medium: { color: 'yellow' }, warn: { color: 'yellow' }, warning: { color: 'yellow' },
  low: { color: 'gray' }, info: {}, debug: { color: 'gray' },
};

export function EventLog({ data, width, height, selected, focused }: { data: LogData; width: number; height: number; selected: number; focused: boolean }) {
  if (data.rows.length === 0) return <Text dimColor>no events in this range</Text>;
  const first = Math.max(0, Math.min(selected - height + 1, data.rows.length - height));
  return (
    <Box flexDirection="column">
      {data.rows.slice(first, first + height).map((row, index) => {
        const severity = data.severityField ? String(row[data.severityField] ?? '').toLowerCase() : '';
        const style = SEVERITY[severity] ?? {};
        const line = data.fields.map((field) => cellText(row[field])).join('  ');
        return (
          <Text key={first + index} {...(style.color ? { color: style.color } : {})} bold={style.bold ?? false} inverse={focused && first + index === selected} wrap="truncate">
            {fit(line, width)}
          </Text>
        );
      })}
    </Box>
  );
}
