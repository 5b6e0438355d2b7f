/**
 * Widget data from SQL over the lake (read-only, `runQuery`), and the latest events of a table
 * for the event log. Answers are kept per SQL text and lake snapshot version, so a refresh of
 * unchanged data reads no Parquet.
 */
import { openLakeReader, runQuery, sqlError } from '../../analytics/query.js';
import type { Row } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { LakeLayout } from '../../lake/layout.js';
import { readLatestSnapshot } from '../../lake/snapshot.js';
import { DEAD_LETTER_COLUMNS, DEAD_LETTER_TABLE, eventTableColumns } from '../../lake/tables.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WidgetConfig } from '../schema.js';
import type { QueryContext, WidgetData, WidgetResult } from './types.js';

const time = (date: Date) => `TIMESTAMPTZ ${literal(date.toISOString())}`;

/** `{from}` and `{to}` become the range as TIMESTAMPTZ literals. */
export function bindRange(sql: string, context: QueryContext): string {
  return sql.replaceAll('{from}', time(context.range.from)).replaceAll('{to}', time(context.range.to));
}

interface CachedAnswer { version: number; columns: string[]; rows: Row[] }
const answers = new Map<string, CachedAnswer>();
const ANSWERS_KEPT = 200;

/** Runs a query, or answers it from memory when the lake is at the version it was answered on. */
export async function cachedQuery(workspace: Workspace, sql: string): Promise<{ columns: string[]; rows: Row[]; cached: boolean }> {
  const version = (await readLatestSnapshot(new LakeLayout(workspace.lakeRoot))).version;
  const key = `${workspace.root}\u0000${sql}`;
  const hit = answers.get(key);
  if (hit && hit.version === version) return { columns: hit.columns, rows: hit.rows, cached: true };
  const result = await runQuery(workspace, sql);
  const columns = result.columns.map((column) => column.name);
  answers.delete(key);
  answers.set(key, { version: result.snapshotVersion, columns, rows: result.rows });
  if (answers.size > ANSWERS_KEPT) answers.delete(answers.keys().next().value!);
  return { columns, rows: result.rows, cached: false };
}

/** Keeps the rows that match every global filter on a column the result has. */
export function filterRows(columns: readonly string[], rows: readonly Row[], filters: Readonly<Record<string, string>>): { rows: Row[]; ignored: string[] } {
  const applicable = Object.keys(filters).filter((key) => columns.includes(key));
  return {
    rows: rows.filter((row) => applicable.every((key) => String(row[key]) === filters[key])),
    ignored: Object.keys(filters).filter((key) => !columns.includes(key)),
  };
}

const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** Shapes rows as the widget type needs them (first column as label or x, numeric columns as values). */
export function shapeRows(widget: WidgetConfig, columns: string[], rows: Row[]): WidgetData {
  const numeric = columns.filter((column) => rows.some((row) => isNumber(row[column])) && rows.every((row) => row[column] === null || isNumber(row[column])));
  const label = columns.find((column) => !numeric.includes(column)) ?? columns[0]!;
  switch (widget.type) {
    case 'line': {
      const x = widget.x ?? columns[0]!;
      const ys = widget.y ?? numeric.filter((column) => column !== x);
      return { kind: 'series', x: rows.map((row) => String(row[x])), series: ys.map((name) => ({ name, values: rows.map((row) => (isNumber(row[name]) ? Number(row[name]) : null)) })), format: 'number' };
    }
    case 'bar': {
      const values = numeric.filter((column) => column !== label);
      return {
        kind: 'bars',
        bars: rows.slice(0, widget.top).map((row) => ({ label: String(row[label]), segments: values.map((name) => ({ name, value: Number(row[name] ?? 0) })) })),
        stacks: values,
        format: 'number',
      };
    }
    case 'map': {
      if (widget.mode === 'points') {
        return { kind: 'map', mode: 'points', values: [], points: rows.filter((row) => isNumber(row.lat) && isNumber(row.lon)).map((row) => ({ lat: Number(row.lat), lon: Number(row.lon), value: isNumber(row.value) ? Number(row.value) : null })), format: 'number' };
      }
      const value = numeric.find((column) => column !== 'lat' && column !== 'lon') ?? 'value';
      return { kind: 'map', mode: 'choropleth', values: rows.filter((row) => row.country !== null && row.country !== undefined && isNumber(row[value])).map((row) => ({ country: String(row.country), value: Number(row[value]) })), points: [], format: 'number' };
    }
    case 'log': return { kind: 'log', fields: widget.fields ?? columns.slice(0, 6), rows, ...(widget.severity_field ? { severityField: widget.severity_field } : {}) };
    case 'query': return { kind: 'rows', columns, rows, ...(widget.template ? { template: widget.template } : {}) };
    default: return { kind: 'table', columns, rows, format: 'number' };
  }
}

export async function sqlWidgetData(workspace: Workspace, widget: WidgetConfig & { sql?: string }, context: QueryContext): Promise<WidgetResult> {
  const answer = await cachedQuery(workspace, bindRange(widget.sql!, context));
  const { rows, ignored } = filterRows(answer.columns, answer.rows, context.filters);
  return { data: shapeRows(widget, answer.columns, rows), export: { columns: answer.columns, rows }, ignoredFilters: ignored, cached: answer.cached };
}

/** The columns of a lake table (event tables from the registry, and dead letters). */
export function tableColumns(workspace: Workspace, table: string): string[] {
  if (table === DEAD_LETTER_TABLE) return DEAD_LETTER_COLUMNS.map((column) => column.name);
  const spec = workspace.registry.table(table);
  return spec ? eventTableColumns(spec).map((column) => column.name) : [];
}

/** The newest events of a table within the range, global filters applied in SQL. */
export async function logData(workspace: Workspace, widget: Extract<WidgetConfig, { type: 'log' }>, context: QueryContext): Promise<WidgetResult> {
  const table = widget.table!;
  const columns = tableColumns(workspace, table);
  const timeColumn = table === DEAD_LETTER_TABLE ? 'rejected_at' : 'occurred_at';
  const fields = widget.fields ?? [timeColumn, ...columns.filter((column) => !['id', 'type', 'version', 'source', 'trace_id', 'extra', timeColumn].includes(column)).slice(0, 4)];
  const applicable = Object.keys(context.filters).filter((key) => columns.includes(key));
  const where = [
    `${ident(timeColumn)} >= ${time(context.range.from)}`,
    `${ident(timeColumn)} < ${time(context.range.to)}`,
    ...applicable.map((key) => `CAST(${ident(key)} AS VARCHAR) = ${literal(context.filters[key]!)}`),
  ];
  // The id rides along (not shown unless asked for) so a line can be drilled into.
  const selected = columns.includes('id') && !fields.includes('id') ? [...fields, 'id'] : fields;
  const sql = `SELECT ${selected.map(ident).join(', ')} FROM ${ident(table)} WHERE ${where.join(' AND ')} ORDER BY ${ident(timeColumn)} DESC LIMIT ${widget.limit}`;
  const answer = await cachedQuery(workspace, sql);
  return {
    data: { kind: 'log', fields, rows: answer.rows, ...(widget.severity_field ? { severityField: widget.severity_field } : {}) },
    export: { columns: selected, rows: answer.rows },
    ignoredFilters: Object.keys(context.filters).filter((key) => !columns.includes(key)),
    cached: answer.cached,
  };
}

/** Runs SQL that the dashboard generated (drill-downs), without the read-only check's cost. */
export async function generatedQuery(workspace: Workspace, sql: string): Promise<{ columns: string[]; rows: Row[] }> {
  const { engine } = await openLakeReader(workspace);
  try {
    const result = await engine.table(sql);
    return { columns: result.columns.map((column) => column.name), rows: result.rows };
  } catch (error) {
    throw sqlError(error, sql);
  } finally {
    engine.close();
  }
}
