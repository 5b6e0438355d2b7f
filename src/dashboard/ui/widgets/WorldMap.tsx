/** World map: countries shaded by value (choropleth) or points by coordinates; a selected country for drill-down. */
import chalk from 'chalk';
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { COUNTRY_BY_CODE } from '../../../reference/countries.js';
import type { MapData } from '../../data/types.js';
import { drawWorldMap, SHADES, type MapCell } from '../../map/world-map.js';
import { fit, formatValue } from '../text.js';

const SHADE_COLORS = [undefined, 'blue', 'cyan', 'yellow', 'red'] as const;

/**
 * A row of cells as one string, colour codes inline: one <Text> per line instead of one per
 * run of colour keeps the frame cheap (Ink measures every node).
 */
export function mapLine(row: readonly MapCell[], useColor: boolean): string {
  let out = '';
  let run = '';
  let style: ((text: string) => string) | undefined;
  let styleKey = '';
  const flush = () => {
    if (run) out += style ? style(run) : run;
    run = '';
  };
  for (const cell of row) {
    const color = cell.point ? 'red' : useColor ? SHADE_COLORS[cell.shade] : undefined;
    const key = `${color ?? ''}${cell.selected ? 'i' : ''}`;
    if (key !== styleKey) {
      flush();
      styleKey = key;
      style = key === '' ? undefined : (text: string) => {
        const coloured = color ? chalk[color as 'red'](text) : text;
        return cell.selected ? chalk.inverse(coloured) : coloured;
      };
    }
    run += cell.char;
  }
  flush();
  return out;
}

export function WorldMap({ data, width, height, selected, focused }: { data: MapData; width: number; height: number; selected: number; focused: boolean }) {
  const mapHeight = Math.max(3, height - 1);
  const chosen = data.values[Math.min(Math.max(0, selected), data.values.length - 1)];
  const useColor = chalk.level > 0;
  const selectedCountry = focused && chosen ? chosen.country : undefined;
  const lines = useMemo(() => drawWorldMap({
    width,
    height: mapHeight,
    values: new Map(data.values.map((entry) => [entry.country, entry.value])),
    points: data.points,
    ...(selectedCountry ? { selected: selectedCountry } : {}),
  }).map((row) => mapLine(row, useColor)), [data, width, mapHeight, selectedCountry, useColor]);
  const top = data.values.slice(0, 3).map((entry) => `${entry.country} ${formatValue(entry.value, data.format)}`).join(' · ');
  const legend = data.mode === 'points'
    ? `${data.points.length} points`
    : focused && chosen
      ? `› ${COUNTRY_BY_CODE.get(chosen.country)?.name ?? chosen.country} (${chosen.country}) ${formatValue(chosen.value, data.format)} · ${Math.min(selected, data.values.length - 1) + 1}/${data.values.length} · Enter: events`
      : data.values.length === 0 ? 'no data in this range' : `${SHADES.slice(1).join('')} low→high · top: ${top}`;
  return (
    <Box flexDirection="column">
      {lines.map((line, y) => <Text key={y}>{line}</Text>)}
      <Text dimColor={!focused} wrap="truncate">{fit(legend, width)}</Text>
    </Box>
  );
}
