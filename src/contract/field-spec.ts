/**
 * The event contract is declared once as field specs (this file's types). Everything else is
 * generated from them: the zod schemas (./zod.ts), the JSON Schema for editors and docs
 * (./json-schema.ts), the set-based DuckDB validation that ingest runs (./sql-validation.ts)
 * and the lake's column types (../lake/tables.ts).
 */

/** Value kinds a field can have. `decimal` accepts a JSON number or a decimal string. */
export type FieldKind = 'string' | 'number' | 'integer' | 'decimal' | 'boolean' | 'string_array';

/** Named formats with a meaning beyond a regular expression. */
export type FieldFormat =
  | 'country' // ISO 3166-1 alpha-2, checked against the reference list
  | 'currency' // ISO 4217 alphabetic code, checked against the reference list
  | 'mcc' // 4-digit ISO 18245 merchant category code
  | 'ip' // IPv4 or IPv6 address
  | 'date-time'; // RFC 3339 with an offset

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  description: string;
  /** true: always required; a condition: required unless another field has one of the values. */
  required: boolean | { unlessField: string; in: readonly string[] };
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: FieldFormat;
  /** For money: at most as many decimals as the currency in this field allows (ISO 4217 minor units). */
  decimalsOfCurrencyField?: string;
}

export interface EventTypeSpec {
  /** The `type` value on the envelope, e.g. `transaction`. */
  type: string;
  version: number;
  /** Lake table name, e.g. `transactions`. */
  table: string;
  description: string;
  fields: readonly FieldSpec[];
  /** Where it was declared: 'built-in' or the workspace config file. */
  origin: string;
}

/** The envelope every event shares. `data` and unknown keys are handled by the validator itself. */
export const ENVELOPE_FIELDS: readonly FieldSpec[] = [
  { name: 'id', kind: 'string', required: true, minLength: 1, maxLength: 128, description: 'Unique per event; the de-duplication key.' },
  { name: 'type', kind: 'string', required: true, minLength: 1, description: 'Event type, e.g. `transaction`.' },
  { name: 'version', kind: 'integer', required: true, minimum: 1, description: 'Schema version of `data`.' },
  { name: 'occurred_at', kind: 'string', required: true, format: 'date-time', description: 'Event time, RFC 3339 with offset; stored as UTC.' },
  { name: 'source', kind: 'string', required: true, minLength: 1, maxLength: 64, description: 'The producing service.' },
  { name: 'trace_id', kind: 'string', required: false, description: 'Correlates events across services.' },
];

export const ENVELOPE_KEYS: readonly string[] = [...ENVELOPE_FIELDS.map((field) => field.name), 'data'];
