/**
 * Reads stored events for the stream jobs: the columns the jobs need, with event time as epoch
 * milliseconds and decimals as doubles, turned into `StreamEvent`s. Shared by the live hook
 * (the batch's staged files) and replay (the lake's files, batch by batch).
 */
import type { EventTypeRegistry } from '../contract/registry.js';
import type { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import { eventTableColumns } from '../lake/tables.js';
import type { CompiledJob } from './config.js';
import type { FieldValue, StreamEvent } from './stream-event.js';

/** An event's time as the stream jobs carry it (`StreamEvent.time`): epoch milliseconds. */
export const EVENT_TIME_MS = 'CAST(epoch_ms(occurred_at) AS DOUBLE)';

/** Per event table: the types the jobs read from it and the union of their fields. */
export interface TableRead {
  table: string;
  types: string[];
  fields: string[];
  sqlTypes: Map<string, string>;
}

export function tableReads(jobs: readonly CompiledJob[], registry: EventTypeRegistry): TableRead[] {
  const reads: TableRead[] = [];
  for (const table of registry.tables()) {
    const types = new Set<string>();
    const fields = new Set<string>();
    for (const job of jobs) {
      for (const type of job.operator.eventTypes) {
        if (!table.types.includes(type)) continue;
        types.add(type);
        for (const field of job.fields.get(type) ?? []) fields.add(field);
      }
    }
    if (types.size === 0) continue;
    reads.push({ table: table.name, types: [...types], fields: [...fields], sqlTypes: new Map(eventTableColumns(table).map((column) => [column.name, column.sqlType])) });
  }
  return reads;
}

/**
 * SELECT list for a table read: id, type (when it reads several), _t (epoch ms) and the fields, each as VARCHAR, DOUBLE
 * or BOOLEAN so the values arrive without conversion (numbers as doubles, times as ISO text).
 */
export function readColumnsSql(read: TableRead): string {
  const fields = read.fields.map((field) => {
    const sqlType = read.sqlTypes.get(field) ?? 'VARCHAR';
    const column = ident(field);
    if (sqlType.startsWith('DECIMAL') || sqlType === 'BIGINT' || sqlType === 'INTEGER') return `CAST(${column} AS DOUBLE) AS ${column}`;
    if (sqlType === 'TIMESTAMPTZ') return `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ') AS ${column}`;
    if (sqlType === 'DATE') return `CAST(${column} AS VARCHAR) AS ${column}`;
    return column;
  });
  // Reading one type, every row has it (typeFilterSql): not decoding it saves a string per event.
  return ['id', ...(read.types.length > 1 ? ['"type"'] : []), `${EVENT_TIME_MS} AS _t`, ...fields].join(', ');
}

export function typeFilterSql(read: TableRead): string {
  return `"type" IN (${read.types.map(literal).join(', ')})`;
}

/**
 * Runs a query of readColumnsSql(read) (plus any extra columns) and returns events (and the extra
 * columns). DuckDB writes each event as one JSON array (id, time, [type,] the fields, the extra
 * columns), which JSON.parse reads at once: decoding every string value of a result on its own
 * (a native call per string longer than 12 bytes) took twice as long on the ingest's thread,
 * where the stream jobs run, and an array is a third faster to write and parse than an object
 * with the field names (docs/performance.md). Texts of many events each (an aggregate) were
 * faster still, but DuckDB holds aggregate strings in memory: 288,000 events did not fit in
 * 512MB. Numbers are doubles either way (DuckDB writes the shortest text that reads back as the
 * same double).
 */
export async function queryEvents(engine: Engine, read: TableRead, sql: string, extra: string[] = []): Promise<{ events: StreamEvent[]; extra: Record<string, unknown[]> }> {
  const typed = read.types.length > 1;
  const values = ['id', '_t', ...(typed ? ['"type"'] : []), ...read.fields.map((name) => ident(name)), ...extra.map((name) => ident(name))];
  const { columns } = await engine.primitiveColumns(`SELECT CAST(json_array(${values.join(', ')}) AS VARCHAR) AS event FROM (${sql})`);
  // A result without rows has no columns at all.
  const texts = (columns.event ?? []) as string[];
  const first = typed ? 3 : 2;
  const fieldNames = read.fields;
  const events = new Array<StreamEvent>(texts.length);
  const extraValues = extra.map(() => new Array<unknown>(texts.length));
  for (let row = 0; row < texts.length; row++) {
    const array = JSON.parse(texts[row]!) as FieldValue[];
    const fields: StreamEvent['fields'] = {};
    for (let index = 0; index < fieldNames.length; index++) fields[fieldNames[index]!] = array[first + index];
    events[row] = { id: array[0] as string, type: typed ? array[2] as string : read.types[0]!, time: array[1] as number, fields };
    for (let index = 0; index < extra.length; index++) extraValues[index]![row] = array[first + fieldNames.length + index];
  }
  return { events, extra: Object.fromEntries(extra.map((name, index) => [name, extraValues[index]!])) };
}
