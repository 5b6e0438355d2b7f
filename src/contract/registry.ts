/**
 * The event types a workspace knows: the built-ins plus those its config declares. Ingest,
 * the lake's tables, query views and docs all ask this registry, so a type is defined once.
 */
import { COUNTRIES } from '../reference/countries.js';
import { CURRENCIES } from '../reference/currencies.js';
import { BUILTIN_TYPES } from './builtin-types.js';
import type { EventTypeSpec, FieldKind } from './field-spec.js';
import { dataColumns, type ReferenceCodes } from './sql-validation.js';

export interface TableSpec {
  name: string;
  /** Event types (any version) stored in this table. */
  types: string[];
  /** Data columns: the union of the fields of every version, in declaration order. */
  dataColumns: Map<string, FieldKind>;
}

export class EventTypeRegistry {
  private constructor(readonly specs: readonly EventTypeSpec[]) {}

  /** Built-ins plus workspace types; a workspace type with a built-in's type and version replaces it. */
  static create(workspaceTypes: readonly EventTypeSpec[] = []): EventTypeRegistry {
    const byKey = new Map<string, EventTypeSpec>();
    for (const spec of [...BUILTIN_TYPES, ...workspaceTypes]) byKey.set(`${spec.type}@${spec.version}`, spec);
    const specs = [...byKey.values()];
    dataColumns(specs); // throws if one field name has two kinds
    return new EventTypeRegistry(specs);
  }

  get(type: string, version: number): EventTypeSpec | undefined {
    return this.specs.find((spec) => spec.type === type && spec.version === version);
  }


  tables(): TableSpec[] {
    const tables = new Map<string, TableSpec>();
    for (const spec of this.specs) {
      const table: TableSpec = tables.get(spec.table) ?? { name: spec.table, types: [], dataColumns: new Map() };
      if (!table.types.includes(spec.type)) table.types.push(spec.type);
      for (const field of spec.fields) table.dataColumns.set(field.name, field.kind);
      tables.set(spec.table, table);
    }
    return [...tables.values()];
  }

  table(name: string): TableSpec | undefined {
    return this.tables().find((table) => table.name === name);
  }
}

/** Reference codes from the built-in reference data. */
export function referenceCodes(): ReferenceCodes {
  return {
    countries: COUNTRIES.map((country) => country.code),
    currencies: CURRENCIES.map((currency) => currency.code),
    currencyDecimals: new Map(CURRENCIES.map((currency) => [currency.code, currency.decimals])),
  };
}
