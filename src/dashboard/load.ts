/**
 * Loads `dashboards/<name>.yaml`: the zod schema first (file:line:column problems), then what the
 * schema cannot know: metric names and their dimensions from metrics.yaml, lake tables, stream
 * names (only when a streams configuration exists), and whether the layout fits the declared
 * minimum terminal size. Every problem is collected and thrown once as a ConfigError.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { closestMatch } from '../config/did-you-mean.js';
import { ConfigError, parseConfigText, type ConfigProblem } from '../config/load.js';
import { formatPath, YamlSource } from '../config/yaml-source.js';
import { UserError } from '../errors.js';
import { DEAD_LETTER_TABLE } from '../lake/tables.js';
import type { MetricDefinition } from '../metrics/schema.js';
import { loadMetrics } from '../metrics/service.js';
import type { Workspace } from '../workspace/workspace.js';
import { CHROME_LINES, dashboardFileSchema, durationMs, WIDGET_TYPE_BY_NAME, type DashboardFile, type WidgetConfig } from './schema.js';

export const DASHBOARDS_DIR = 'dashboards';
export const DEFAULT_DASHBOARD = 'default';

/** A widget with its place in the grid and the settings it inherits. */
export interface PlacedWidget {
  /** Stable id: `r<row>w<index>`, used for focus, saved views and exports. */
  id: string;
  row: number;
  index: number;
  title: string;
  refreshMs: number;
  config: WidgetConfig;
}

export interface LoadedDashboard {
  name: string;
  file: string;
  config: DashboardFile;
  widgets: PlacedWidget[];
  metrics: ReadonlyMap<string, MetricDefinition>;
}

/** The dashboards a workspace has (names without `.yaml`). */
export async function listDashboards(workspace: Workspace): Promise<string[]> {
  const dir = workspace.resolve(DASHBOARDS_DIR);
  if (!existsSync(dir)) return [];
  return (await fs.readdir(dir)).filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -5)).sort();
}

/** Stream names from a streams configuration, or undefined when the workspace has none (yet). */
export function configuredStreams(workspace: Workspace): Set<string> | undefined {
  const file = workspace.resolve('streams.yaml');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = parseYaml(readFileSync(file, 'utf8')) as { streams?: Array<{ name?: unknown }> } | null;
    return new Set((parsed?.streams ?? []).map((stream) => String(stream.name)));
  } catch {
    return undefined;
  }
}

function defaultTitle(widget: WidgetConfig): string {
  switch (widget.type) {
    case 'kpi': return widget.metric;
    case 'line': return widget.metrics?.join(', ') ?? `${widget.metric ?? widget.stream ?? 'query'}${widget.by ? ` by ${widget.by}` : ''}`;
    case 'bar': return `${widget.metric ?? widget.stream ?? 'query'}${widget.by ? ` by ${widget.by}` : ''}${widget.stack_by ? ` and ${widget.stack_by}` : ''}`;
    case 'table': return `${widget.metric ?? widget.stream ?? 'query'}${widget.by ? ` by ${widget.by.join(', ')}` : ''}`;
    case 'map': return `${widget.metric ?? widget.stream ?? 'query'} by country`;
    case 'log': return `latest ${widget.table ?? widget.stream}`;
    case 'status': return 'status';
    case 'query': return 'query';
  }
}

/** Parses and checks a dashboard's text; `file` names it in problems. */
export function parseDashboard(text: string, file: string, context: { metrics: ReadonlyMap<string, MetricDefinition>; tables: readonly string[]; streams: Set<string> | undefined }): Omit<LoadedDashboard, 'name'> {
  const config = parseConfigText(text, file, dashboardFileSchema);
  const source = new YamlSource(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const problems: ConfigProblem[] = [];
  const problem = (valuePath: PropertyKey[], message: string, hint?: string) => {
    const located = source.locate(valuePath);
    const { line, column } = source.positionOf(located.node);
    problems.push({ file, line, column, path: formatPath(valuePath), message, ...(hint ? { hint } : {}) });
  };
  const metricNames = [...context.metrics.keys()];
  const checkMetric = (valuePath: PropertyKey[], metricName: string): MetricDefinition | undefined => {
    const metric = context.metrics.get(metricName);
    if (!metric) {
      const guess = closestMatch(metricName, metricNames);
      problem(valuePath, `no metric named "${metricName}" in metrics.yaml`, guess ? `did you mean "${guess}"?` : 'see analytics metrics list');
    }
    return metric;
  };
  const checkDimension = (valuePath: PropertyKey[], metric: MetricDefinition | undefined, dimension: string) => {
    if (metric && !metric.dimensions.includes(dimension)) {
      problem(valuePath, `${metric.name} has no dimension "${dimension}"`, metric.dimensions.length > 0 ? `dimensions of ${metric.name}: ${metric.dimensions.join(', ')}` : `${metric.name} has no dimensions`);
    }
  };
  const checkStream = (valuePath: PropertyKey[], stream: string) => {
    if (context.streams && !context.streams.has(stream)) {
      const guess = closestMatch(stream, [...context.streams]);
      problem(valuePath, `no stream named "${stream}" in streams.yaml`, guess ? `did you mean "${guess}"?` : `streams: ${[...context.streams].join(', ') || 'none'}`);
    }
  };

  const allDimensions = new Set([...context.metrics.values()].flatMap((metric) => metric.dimensions));
  config.filters.forEach((filter, index) => {
    if (!allDimensions.has(filter)) problem(['filters', index], `"${filter}" is not a dimension of any metric`, `dimensions: ${[...allDimensions].sort().join(', ')}`);
  });

  const widgets: PlacedWidget[] = [];
  let linesUsed = 0;
  config.rows.forEach((row, rowIndex) => {
    linesUsed += row.height;
    let minWidth = 0;
    row.widgets.forEach((widget, index) => {
      const at = (...rest: PropertyKey[]) => ['rows', rowIndex, 'widgets', index, ...rest];
      const spec = WIDGET_TYPE_BY_NAME.get(widget.type)!;
      minWidth += spec.minWidth;
      if (row.height < spec.minHeight) problem(['rows', rowIndex, 'height'], `a ${widget.type} widget needs at least ${spec.minHeight} lines; this row has ${row.height}`, `raise height to ${spec.minHeight}`);
      if ('metric' in widget && widget.metric !== undefined) {
        const metric = checkMetric(at('metric'), widget.metric);
        if (widget.type === 'line' && widget.by) checkDimension(at('by'), metric, widget.by);
        if (widget.type === 'bar') {
          if (widget.by) checkDimension(at('by'), metric, widget.by);
          if (widget.stack_by) checkDimension(at('stack_by'), metric, widget.stack_by);
        }
        if (widget.type === 'table') widget.by?.forEach((dimension, n) => checkDimension(at('by', n), metric, dimension));
        if (widget.type === 'map') checkDimension(at('by'), metric, widget.by);
      }
      if (widget.type === 'line') widget.metrics?.forEach((metricName, n) => checkMetric(at('metrics', n), metricName));
      if ('stream' in widget && widget.stream !== undefined) checkStream(at('stream'), widget.stream);
      if (widget.type === 'log' && widget.table !== undefined && !context.tables.includes(widget.table)) {
        const guess = closestMatch(widget.table, [...context.tables]);
        problem(at('table'), `no lake table named "${widget.table}"`, guess ? `did you mean "${guess}"?` : `tables: ${context.tables.join(', ')}`);
      }
      widgets.push({
        id: `r${rowIndex + 1}w${index + 1}`,
        row: rowIndex,
        index,
        title: widget.title ?? defaultTitle(widget),
        refreshMs: durationMs(widget.refresh ?? config.refresh),
        config: widget,
      });
    });
    if (minWidth > config.min_columns) {
      problem(['rows', rowIndex, 'widgets'], `the layout does not fit: the widgets of this row need ${minWidth} columns, min_columns is ${config.min_columns}`, 'move a widget to another row, or raise min_columns');
    }
  });
  if (linesUsed + CHROME_LINES > config.min_rows) {
    problem(['rows'], `the layout does not fit: the rows take ${linesUsed} lines plus ${CHROME_LINES} for the header and bars, min_rows is ${config.min_rows}`, 'lower some row heights, or raise min_rows');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { file, config, widgets, metrics: context.metrics };
}

/** Loads and checks `dashboards/<name>.yaml` of the workspace. */
export async function loadDashboard(workspace: Workspace, name = DEFAULT_DASHBOARD): Promise<LoadedDashboard> {
  const file = path.join(workspace.resolve(DASHBOARDS_DIR), `${name}.yaml`);
  if (!existsSync(file)) {
    const available = await listDashboards(workspace);
    throw new UserError('BAD_ARGUMENT', `No dashboard named "${name}" (${file} does not exist).`, {
      hint: available.length > 0 ? `Dashboards of this workspace: ${available.join(', ')}.` : 'Create dashboards/default.yaml, or run analytics init --force to scaffold the default one.',
    });
  }
  const text = await fs.readFile(file, 'utf8');
  const metrics = await loadMetrics(workspace);
  const tables = [...workspace.registry.tables().map((table) => table.name), DEAD_LETTER_TABLE];
  return { name, ...parseDashboard(text, path.relative(process.cwd(), file) || file, { metrics, tables, streams: configuredStreams(workspace) }) };
}
