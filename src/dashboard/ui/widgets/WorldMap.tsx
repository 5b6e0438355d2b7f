/** World map: countries shaded by value (choropleth) or points by coordinates; a selected country for drill-down. */
import chalk from 'chalk';
import { Box, Text } from 'ink';
import { COUNTRY_BY_CODE } from '../../../reference/countries.js';
import type { MapData } from '../../data/types.js';
import { drawWorldMap, SHADES, type MapCell } from '../../map/world-map.js';
import { fit, formatValue } from '../text.js';

const SHADE_COLORS = [undefined, 'blue', 'cyan', 'yellow', 'red'] as const;

/** Runs of cells with the same look, so a line is a handful of <Text> nodes, not one per cell. */
function runs(row: MapCell[], useColor: boolean): Array<{ text: string; color?: string; inverse?: boolean }> {
  const out: Array<{ text: string; color?: string; inverse?: boolean }> = [];
  for (const cell of row) {
    const color = cell.point ? 'red' : useColor ? SHADE_COLORS[cell.shade] : undefined;
    const inverse = cell.selected === true;
    const last = out[out.length - 1];
    if (last && last.color === color && (last.inverse ?? false) === inverse) last.text += cell.char;
    else out.push({ text: cell.char, ...(color ? { color } : {}), ...(inverse ? { inverse } : {}) });
  }
  return out;
}

export function WorldMap({ data, width, height, selected, focused }: { data: MapData; width: number; height: number; selected: number; focused: boolean }) {
  const mapHeight = Math.max(3, height - 1);
  const chosen = data.values[Math.min(Math.max(0, selected), data.values.length - 1)];
  const cells = drawWorldMap({
    width,
    height: mapHeight,
    values: new Map(data.values.map((entry) => [entry.country, entry.value])),
    points: data.points,
    ...(focused && chosen ? { selected: chosen.country } : {}),
  });
  const useColor = chalk.level > 0;
  const top = data.values.slice(0, 3).map((entry) => `${entry.country} ${formatValue(entry.value, data.format)}`).join(' · ');
  const legend = data.mode === 'points'
    ? `${data.points.length} points`
    : focused && chosen
      ? `› ${COUNTRY_BY_CODE.get(chosen.country)?.name ?? chosen.country} (${chosen.country}) ${formatValue(chosen.value, data.format)} · ${Math.min(selected, data.values.length - 1) + 1}/${data.values.length} · Enter: events`
      : data.values.length === 0 ? 'no data in this range' : `${SHADES.slice(1).join('')} low→high · top: ${top}`;
  return (
    <Box flexDirection="column">
      {cells.map((row, y) => (
        <Text key={y} wrap="truncate">
          {runs(row, useColor).map((run, index) => <Text key={index} {...(run.color ? { color: run.color } : {})} inverse={run.inverse ?? false}>{run.text}</Text>)}
        </Text>
      ))}
      <Text dimColor={!focused} wrap="truncate">{fit(legend, width)}</Text>
    </Box>
  );
}
