/**
 * What the arrow keys select in each kind of widget, and what a drill-down on that selection
 * asks for. Pure: the App calls it with the widget's data and view.
 */
import { shiftGrain } from '../metrics/compile.js';
import type { Grain } from '../metrics/schema.js';
import type { DrillTarget } from './data/drill-down.js';
import type { WidgetData } from './data/types.js';
import type { PlacedWidget } from './load.js';
import type { TimeRange } from './time-range.js';
import { sortRows } from './data/sort.js';
import type { WidgetView } from './ui/widgets/props.js';

/** How many selectable items the data has. */
export function itemCount(data: WidgetData | undefined): number {
  if (!data) return 0;
  switch (data.kind) {
    case 'series': return data.x.length;
    case 'bars': return data.bars.length;
    case 'table': case 'log': case 'rows': return data.rows.length;
    case 'map': return data.values.length;
    case 'kpi': return 1;
    case 'status': return 0;
  }
}

/** The start of the selection for a widget whose data just arrived (lines: the newest point). */
export function initialSelection(data: WidgetData | undefined): number {
  return data?.kind === 'series' ? Math.max(0, data.x.length - 1) : 0;
}

/**
 * What to drill into, or a sentence saying why there is nothing to drill into. SQL- and
 * stream-bound widgets have no events behind them that the dashboard knows: their drill-down
 * is the selected row itself.
 */
export function drillTarget(widget: PlacedWidget, data: WidgetData | undefined, view: WidgetView, range: TimeRange): DrillTarget | { rows: Record<string, unknown>[]; label: string } | string {
  if (!data) return 'no data yet';
  const config = widget.config as { metric?: string; metrics?: string[]; by?: string | string[]; table?: string; sql?: string; stream?: string };
  const metric = config.metric ?? config.metrics?.[0];
  const whole = { from: range.from, to: range.to };
  const index = Math.max(0, Math.min(view.selected, itemCount(data) - 1));
  switch (data.kind) {
    case 'kpi':
      return metric ? { label: 'the whole range', metric, dimensions: {}, ...whole } : 'nothing to drill into';
    case 'series': {
      const at = data.x[index];
      if (at === undefined) return 'no point selected';
      if (!metric || !data.grain) return { rows: [Object.fromEntries([['x', at], ...data.series.map((s) => [s.name, s.values[index]])])], label: at };
      const from = new Date(at);
      return { label: at.slice(0, 16).replace('T', ' '), metric, dimensions: {}, from, to: shiftGrain(from, data.grain as Grain, 1) };
    }
    case 'bars': {
      const bar = data.bars[index];
      if (!bar) return 'no bar selected';
      if (!metric || typeof config.by !== 'string') return { rows: [Object.fromEntries([['label', bar.label], ...bar.segments.map((segment) => [segment.name, segment.value])])], label: bar.label };
      return { label: `${config.by} = ${bar.label}`, metric, dimensions: { [config.by]: bar.label }, ...whole };
    }
    case 'table': {
      const row = sortRows(data.rows, view.sort)[index];
      if (!row) return 'no row selected';
      if (!metric || !Array.isArray(config.by)) return { rows: [row], label: 'selected row' };
      const dimensions = Object.fromEntries(config.by.map((dimension) => [dimension, String(row[dimension])]));
      return { label: Object.entries(dimensions).map(([key, value]) => `${key} = ${value}`).join(', '), metric, dimensions, ...whole };
    }
    case 'map': {
      const entry = data.values[index];
      if (!entry) return 'no country selected';
      if (!metric || typeof config.by !== 'string') return { rows: [entry], label: entry.country };
      return { label: `${config.by} = ${entry.country}`, metric, dimensions: { [config.by]: entry.country }, ...whole };
    }
    case 'log': {
      const row = data.rows[index];
      if (!row) return 'no event selected';
      if (config.table && typeof row.id === 'string') return { label: `event ${row.id}`, table: config.table, eventId: row.id, dimensions: {}, ...whole };
      return { rows: [row], label: 'selected event' };
    }
    case 'rows': {
      const row = data.rows[index];
      return row ? { rows: [row], label: 'selected row' } : 'no row selected';
    }
    case 'status':
      return 'the status panel has nothing to drill into';
  }
}
