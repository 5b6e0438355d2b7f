/** Horizontal bar chart; stacked bars draw each segment with its own colour and fill character. */
import { Box, Text } from 'ink';
import type { BarsData } from '../../data/types.js';
import { fit, fitLeft, formatValue } from '../text.js';

const FILLS = ['█', '▓', '▒', '░', '▚', '▞'] as const;
const COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const;

export function BarChart({ data, width, height, selected, focused }: { data: BarsData; width: number; height: number; selected: number; focused: boolean }) {
  if (data.bars.length === 0) return <Text dimColor>no data in this range</Text>;
  const stacked = data.stacks.length > 1;
  const rowsAvailable = Math.max(1, height - (stacked ? 1 : 0));
  const first = Math.max(0, Math.min(selected - rowsAvailable + 1, data.bars.length - rowsAvailable));
  const shown = data.bars.slice(first, first + rowsAvailable);
  const labelWidth = Math.min(18, Math.max(...data.bars.map((bar) => bar.label.length)) + 1);
  const totals = data.bars.map((bar) => bar.segments.reduce((sum, segment) => sum + segment.value, 0));
  const max = Math.max(...totals, 0);
  const valueWidth = Math.max(...totals.map((total) => formatValue(total, data.format).length)) + 1;
  const barWidth = Math.max(1, width - labelWidth - valueWidth - 2);
  return (
    <Box flexDirection="column">
      {shown.map((bar, index) => {
        const absolute = first + index;
        const total = totals[absolute]!;
        const isSelected = focused && absolute === selected;
        let used = 0;
        return (
          <Text key={bar.label} wrap="truncate">
            <Text inverse={isSelected}>{fit(`${isSelected ? '›' : ' '}${bar.label}`, labelWidth + 1)}</Text>
            {bar.segments.map((segment) => {
              const stackIndex = Math.max(0, data.stacks.indexOf(segment.name));
              const cells = max > 0 ? Math.round(((used + segment.value) / max) * barWidth) - Math.round((used / max) * barWidth) : 0;
              used += segment.value;
              return <Text key={segment.name} color={COLORS[stackIndex % COLORS.length]}>{(stacked ? FILLS[stackIndex % FILLS.length]! : '█').repeat(Math.max(0, cells))}</Text>;
            })}
            <Text>{' '.repeat(Math.max(0, barWidth - (max > 0 ? Math.round((total / max) * barWidth) : 0)))}</Text>
            <Text>{fitLeft(formatValue(total, data.format), valueWidth)}</Text>
          </Text>
        );
      })}
      {stacked ? (
        <Text wrap="truncate">
          {data.stacks.map((stack, index) => <Text key={stack} color={COLORS[index % COLORS.length]}>{`${FILLS[index % FILLS.length]} ${stack}  `}</Text>)}
        </Text>
      ) : null}
    </Box>
  );
}
