/** What the dashboard's data sources hand to the widgets: plain data, no React. */
import type { Row } from '../../duckdb/engine.js';
import type { KpiStatus } from '../../metrics/kpi.js';
import type { MetricDefinition } from '../../metrics/schema.js';
import type { TimeRange } from '../time-range.js';

export type ValueFormat = MetricDefinition['format'];

/** The rows behind a widget, as exported to CSV or JSON. */
export interface ExportTable {
  columns: string[];
  rows: Row[];
}

export interface KpiData {
  kind: 'kpi';
  value: number | null;
  previous: number | null;
  change: number | null;
  target: number | null;
  status: KpiStatus | 'none';
  format: ValueFormat;
  series: number[];
}

export interface SeriesData {
  kind: 'series';
  /** The x value of every point (ISO period, or any label). */
  x: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
  format: ValueFormat;
  /** When x holds periods: their grain, for ticks and drill-down. */
  grain?: string;
}

export interface BarsData {
  kind: 'bars';
  bars: Array<{ label: string; segments: Array<{ name: string; value: number }> }>;
  /** Segment names in stacking order (one unnamed segment when not stacked). */
  stacks: string[];
  format: ValueFormat;
}

export interface TableData {
  kind: 'table';
  columns: string[];
  rows: Row[];
  format: ValueFormat;
  /** The metric's value column, formatted by `format`. */
  valueColumn?: string;
}

export interface MapData {
  kind: 'map';
  mode: 'choropleth' | 'points';
  values: Array<{ country: string; value: number }>;
  points: Array<{ lat: number; lon: number; value: number | null }>;
  format: ValueFormat;
}

export interface LogData {
  kind: 'log';
  fields: string[];
  rows: Row[];
  severityField?: string;
}

export interface RowsData {
  kind: 'rows';
  columns: string[];
  rows: Row[];
  template?: string;
}

export interface StatusData {
  kind: 'status';
  daemon: null | { state: string; eventsPerSecond: number; lag: number | null; lastCommitAt: string | null; port: number };
  daemonPort: number | null;
  lastRun: null | { name: string; status: string; at: string };
  checks: null | { passed: number; failed: number; warned: number; errored: number; failing: string[]; at: string };
  lakeVersion: number | null;
}

export type WidgetData = KpiData | SeriesData | BarsData | TableData | MapData | LogData | RowsData | StatusData;

/** The state of the whole dashboard's question: time range and global filters. */
export interface QueryContext {
  range: TimeRange;
  /** Dimension → value, e.g. { country: 'FR' }. */
  filters: Readonly<Record<string, string>>;
}

/** What one refresh of one widget produced. */
export interface WidgetResult {
  data: WidgetData;
  export: ExportTable;
  /** Filters the widget could not apply (its metric lacks the dimension). */
  ignoredFilters: string[];
  /** True when every answer came from a cache (the lake did not change). */
  cached: boolean;
}
