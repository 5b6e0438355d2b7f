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
  return ['id', ...(read.types.length > 1 ? ['"type"'] : []), 'CAST(epoch_ms(occurred_at) AS DOUBLE) AS _t', ...fields].join(', ');
}

export function typeFilterSql(read: TableRead): string {
  return `"type" IN (${read.types.map(literal).join(', ')})`;
}

/** Runs a query of readColumnsSql(read) (plus any extra columns) and returns events (and the extra columns). */
export async function queryEvents(engine: Engine, read: TableRead, sql: string, extra: string[] = []): Promise<{ events: StreamEvent[]; extra: Record<string, unknown[]> }> {
  const { rowCount, columns } = await engine.primitiveColumns(sql);
  const ids = columns.id as string[];
  const types = read.types.length > 1 ? (columns.type as string[]) : undefined;
  const onlyType = read.types[0]!;
  const times = columns._t as number[];
  const values = read.fields.map((field) => columns[field] as FieldValue[]);
  const events: StreamEvent[] = new Array<StreamEvent>(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const fields: StreamEvent['fields'] = {};
    for (let index = 0; index < read.fields.length; index++) fields[read.fields[index]!] = values[index]![row] ?? null;
    events[row] = { id: ids[row]!, type: types ? types[row]! : onlyType, time: Number(times[row]), fields };
  }
  return { events, extra: Object.fromEntries(extra.map((name) => [name, columns[name] ?? []])) };
}
