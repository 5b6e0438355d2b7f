/** Line chart of one or more series (asciichart), with a selectable point for drill-down. */
import asciichart from 'asciichart';
import chalk from 'chalk';
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { SeriesData } from '../../data/types.js';
import { formatTick } from '../../time-range.js';
import { fit, formatValue } from '../text.js';

const SERIES_COLORS = [asciichart.cyan, asciichart.magenta, asciichart.yellow, asciichart.green, asciichart.blue, asciichart.red];
const LEGEND_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'] as const;

/** Every `step`-th point, so the series fits the width; the last point is always kept. */
export function sample<T>(values: readonly T[], width: number): { values: T[]; indexes: number[] } {
  if (values.length <= width) return { values: [...values], indexes: values.map((_, index) => index) };
  const step = values.length / width;
  const indexes = Array.from({ length: width }, (_, n) => Math.min(values.length - 1, Math.round((n + 1) * step) - 1));
  return { values: indexes.map((index) => values[index]!), indexes };
}

/** Axis labels: short, at most one decimal (percentages keep one decimal of a percent). */
export function axisLabel(value: number, format: SeriesData['format']): string {
  if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return abs >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1);
}

export function LineChart({ data, width, height, selected, focused }: { data: SeriesData; width: number; height: number; selected: number; focused: boolean }) {
  const all = data.series.flatMap((series) => series.values.filter((value): value is number => value !== null));
  const labelWidth = Math.max(axisLabel(Math.min(0, ...all), data.format).length, axisLabel(Math.max(0, ...all), data.format).length, 4) + 1;
  const plotWidth = Math.max(4, width - labelWidth - 2);
  const { indexes } = sample(data.x, plotWidth);
  const chartHeight = Math.max(2, height - 3);
  const series = data.series.map((s) => indexes.map((index) => s.values[index] ?? 0));
  const useColor = chalk.level > 0;
  // The plot depends on the data and the size only; moving the selection does not redraw it.
  const empty = data.series.length === 0 || data.x.length === 0;
  const chart = useMemo(() => (empty ? '' : asciichart.plot(series, {
    height: chartHeight - 1,
    format: (value: number) => axisLabel(value, data.format).padStart(labelWidth).slice(-labelWidth),
    ...(useColor ? { colors: SERIES_COLORS.slice(0, series.length) } : {}),
  })), [data, chartHeight, labelWidth, plotWidth, useColor]);
  if (empty) return <Text dimColor>no data in this range</Text>;
  // The selection is a data point; the marker goes to the first drawn column at or after it.
  const drawn = indexes.findIndex((index) => index >= selected);
  const point = drawn === -1 ? indexes.length - 1 : drawn;
  const offset = labelWidth + 2;
  const marker = ' '.repeat(offset + point) + '▲';
  const at = data.x[indexes[point]!]!;
  const label = data.grain ? formatTick(at, data.grain as never) : at;
  const details = data.series.map((s) => `${s.name} ${formatValue(s.values[indexes[point]!] ?? null, data.format)}`).join('  ');
  const first = data.grain ? formatTick(data.x[0]!, data.grain as never) : data.x[0]!;
  const last = data.grain ? formatTick(data.x[data.x.length - 1]!, data.grain as never) : data.x[data.x.length - 1]!;
  const axis = ' '.repeat(offset) + fit(first, Math.max(0, plotWidth - last.length)) + last;
  return (
    <Box flexDirection="column">
      {chart.split('\n').map((line, index) => <Text key={index} wrap="truncate">{line}</Text>)}
      <Text dimColor wrap="truncate">{focused ? fit(marker, width) : fit(axis, width)}</Text>
      <Text wrap="truncate">
        {focused ? <Text>{fit(`${label}: ${details}`, width)}</Text> : data.series.map((s, index) => (
          <Text key={s.name} {...(useColor ? { color: LEGEND_COLORS[index % LEGEND_COLORS.length] } : {})}>{`── ${s.name}  `}</Text>
        ))}
      </Text>
    </Box>
  );
}
