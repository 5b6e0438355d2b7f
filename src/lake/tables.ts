/**
 * The lake's tables as `analytics query` sees them: for each event table, the envelope, the
 * data fields of every version, the enrichment columns and the ingest metadata; plus
 * `dead_letters`. Column lists are derived from the event registry, never written by hand.
 */
import type { TableSpec } from '../contract/registry.js';
import { SQL_TYPE } from '../contract/sql-validation.js';

export interface ColumnSpec {
  name: string;
  sqlType: string;
  description: string;
}

export const ENVELOPE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', sqlType: 'VARCHAR', description: 'Event id (unique; de-duplication key).' },
  { name: 'type', sqlType: 'VARCHAR', description: 'Event type.' },
  { name: 'version', sqlType: 'BIGINT', description: 'Schema version of the data fields.' },
  { name: 'occurred_at', sqlType: 'TIMESTAMPTZ', description: 'Event time in UTC.' },
  { name: 'source', sqlType: 'VARCHAR', description: 'Producing service.' },
  { name: 'trace_id', sqlType: 'VARCHAR', description: 'Trace id, when sent.' },
  { name: 'extra', sqlType: 'JSON', description: 'Unknown envelope fields, kept verbatim as a JSON object.' },
];

/** Enrichment columns, each added when the table has the fields it needs. */
export interface Enrichment extends ColumnSpec {
  needs: string[];
}

const ENRICHMENTS: readonly Enrichment[] = [
  { name: 'amount_reporting', sqlType: 'DECIMAL(18,4)', needs: ['amount', 'currency'], description: 'Amount converted to the workspace reporting currency with the rates table.' },
  { name: 'country_name', sqlType: 'VARCHAR', needs: ['country'], description: 'Country name (ISO 3166-1).' },
  { name: 'region', sqlType: 'VARCHAR', needs: ['country'], description: 'World region of the country (UN M49).' },
  { name: 'merchant_category_name', sqlType: 'VARCHAR', needs: ['merchant_category'], description: 'Merchant category name (ISO 18245).' },
  { name: 'merchant_category_group', sqlType: 'VARCHAR', needs: ['merchant_category'], description: 'Merchant category group.' },
  { name: 'geo_source', sqlType: 'VARCHAR', needs: ['lat', 'lon', 'country'], description: '`event` when lat/lon came with the event, `country` when filled from the country centroid.' },
];

export const METADATA_COLUMNS: readonly ColumnSpec[] = [
  { name: 'event_date', sqlType: 'DATE', description: 'UTC date of occurred_at; the partition key.' },
  { name: 'event_hour', sqlType: 'INTEGER', description: 'UTC hour of occurred_at (0-23).' },
  { name: 'ingested_at', sqlType: 'TIMESTAMPTZ', description: 'When the batch was ingested (one time per batch, taken before its commit).' },
  { name: 'batch_id', sqlType: 'VARCHAR', description: 'Ingest batch that stored the row.' },
];

export const DEAD_LETTER_TABLE = 'dead_letters';

export const DEAD_LETTER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'raw', sqlType: 'VARCHAR', description: 'The record as read (for Kafka: the message value as UTF-8).' },
  { name: 'origin', sqlType: 'VARCHAR', description: 'Where it came from: file:line, or topic/partition@offset.' },
  { name: 'reasons', sqlType: 'VARCHAR[]', description: 'Every rule it broke, as `field.path: message`.' },
  { name: 'stage', sqlType: 'VARCHAR', description: 'Stage that rejected it: `parse`, `validate`, `late`.' },
  { name: 'event_id', sqlType: 'VARCHAR', description: 'The record id, when one could be read.' },
  { name: 'event_type', sqlType: 'VARCHAR', description: 'The record type, when one could be read.' },
  { name: 'rejected_at', sqlType: 'TIMESTAMPTZ', description: 'When it was rejected.' },
  { name: 'ingest_date', sqlType: 'DATE', description: 'UTC date of rejected_at; the partition key.' },
  { name: 'batch_id', sqlType: 'VARCHAR', description: 'Ingest batch.' },
];

export function enrichmentColumns(table: TableSpec): Enrichment[] {
  return ENRICHMENTS.filter((enrichment) => enrichment.needs.every((field) => table.dataColumns.has(field)));
}

/** Every column of an event table, in stored order. */
export function eventTableColumns(table: TableSpec): ColumnSpec[] {
  const data = [...table.dataColumns].map(([name, kind]) => ({ name, sqlType: SQL_TYPE[kind], description: `data.${name}` }));
  return [...ENVELOPE_COLUMNS, ...data, ...enrichmentColumns(table), ...METADATA_COLUMNS];
}
