/**
 * Workspace-declared event types arrive as JSON Schema (the subset below) in the workspace
 * config; this converts them into field specs so they validate, store and document exactly like
 * the built-in types.
 *
 * Supported per property: type (string, number, integer, boolean, array of strings), enum,
 * minimum, maximum, minLength, maxLength, pattern, format (date-time, ipv4, ipv6, ip, country,
 * currency, mcc) and description; `required` at the object level; `x-decimal: true` on a number
 * for money (number or decimal string, stored as DECIMAL(18,4)); `x-currency-field` names the
 * currency field that limits its decimals.
 */
import type { FieldFormat, FieldKind, FieldSpec } from './field-spec.js';

export interface JsonSchemaProperty {
  type?: string | string[];
  description?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: { type?: string };
  'x-decimal'?: boolean;
  'x-currency-field'?: string;
}

export interface DataJsonSchema {
  type?: 'object';
  required?: string[];
  properties: Record<string, JsonSchemaProperty>;
}

/** Problems found while converting; each names the property and what to change. */
export class SchemaConversionError extends Error {
  constructor(readonly property: string, message: string) {
    super(`${property}: ${message}`);
  }
}

const FORMATS: Record<string, FieldFormat> = {
  'date-time': 'date-time', ipv4: 'ip', ipv6: 'ip', ip: 'ip', country: 'country', currency: 'currency', mcc: 'mcc',
};

function kindOf(name: string, property: JsonSchemaProperty): FieldKind {
  const types = Array.isArray(property.type) ? property.type : [property.type ?? 'string'];
  if (property['x-decimal']) return 'decimal';
  if (types.includes('array')) {
    if (property.items?.type !== undefined && property.items.type !== 'string') {
      throw new SchemaConversionError(name, 'only arrays of strings are supported (items: { type: string })');
    }
    return 'string_array';
  }
  const [single] = types;
  if (types.length !== 1 || single === undefined) {
    throw new SchemaConversionError(name, `a property has one type; for money that may be a number or a decimal string, use type: number with x-decimal: true`);
  }
  switch (single) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'integer': return 'integer';
    case 'boolean': return 'boolean';
    default:
      throw new SchemaConversionError(name, `type "${single}" is not supported; use string, number, integer, boolean or array`);
  }
}

export function fieldsFromJsonSchema(schema: DataJsonSchema): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  for (const name of required) {
    if (!(name in schema.properties)) throw new SchemaConversionError(name, 'is listed in required but has no entry in properties');
  }
  return Object.entries(schema.properties).map(([name, property]) => {
    const format = property.format === undefined ? undefined : FORMATS[property.format];
    if (property.format !== undefined && format === undefined) {
      throw new SchemaConversionError(name, `format "${property.format}" is not supported; use one of ${Object.keys(FORMATS).join(', ')}`);
    }
    const field: FieldSpec = {
      name,
      kind: kindOf(name, property),
      required: required.has(name),
      description: property.description ?? '',
      ...(property.enum ? { enum: property.enum } : {}),
      ...(property.minimum === undefined ? {} : { minimum: property.minimum }),
      ...(property.maximum === undefined ? {} : { maximum: property.maximum }),
      ...(property.minLength === undefined ? {} : { minLength: property.minLength }),
      ...(property.maxLength === undefined ? {} : { maxLength: property.maxLength }),
      ...(property.pattern === undefined ? {} : { pattern: property.pattern }),
      ...(format === undefined ? {} : { format }),
      ...(property['x-currency-field'] === undefined ? {} : { decimalsOfCurrencyField: property['x-currency-field'] }),
    };
    return field;
  });
}

