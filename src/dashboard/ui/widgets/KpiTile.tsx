/** KPI tile: the value over the range coloured by its target status, the change against the previous range, a sparkline. */
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { KpiData } from '../../data/types.js';
import { fit, formatValue, sparkline } from '../text.js';

export const STATUS_COLOR = { green: 'green', amber: 'yellow', red: 'red', no_data: 'gray', none: undefined } as const;
const STATUS_MARK = { green: '●', amber: '●', red: '●', no_data: '○', none: '' } as const;

export function KpiTile({ data, width, height }: { data: KpiData; width: number; height: number }) {
  const color = STATUS_COLOR[data.status];
  const value = formatValue(data.value, data.format);
  const change = data.change === null ? '' : `${data.change >= 0 ? '▲' : '▼'} ${formatValue(Math.abs(data.change), data.format)}`;
  const target = data.target === null ? '' : `target ${formatValue(data.target, data.format)}`;
  const mark = STATUS_MARK[data.status];
  const first = `${mark ? `${mark} ` : ''}${value}`;
  const rest = `  ${change}`;
  const lines: ReactElement[] = [
    <Text key="value" wrap="truncate">
      <Text bold {...(color ? { color } : {})}>{first}</Text>
      <Text>{fit(rest, Math.max(0, width - [...first].length))}</Text>
    </Text>,
  ];
  if (height >= 3 && target) lines.push(<Text key="target" dimColor wrap="truncate">{fit(target, width)}</Text>);
  if (height >= 2) lines.push(<Text key="spark" {...(color ? { color } : {})} wrap="truncate">{fit(sparkline(data.series, width), width)}</Text>);
  return <Box flexDirection="column">{lines.slice(0, Math.max(1, height))}</Box>;
}
