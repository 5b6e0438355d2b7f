import type { z } from 'zod';
import { inputJsonSchema, type JsonSchema } from './json-schema.js';

/**
 * Markdown reference of a configuration schema, generated from its JSON Schema so the docs
 * cannot drift from the code: one section per object, one table row per key (type, default,
 * description). The output depends only on the schema, so a committed copy can be checked for
 * staleness by comparing strings.
 */
export function configReferenceMarkdown(schema: z.ZodType, title: string): string {
  const root = inputJsonSchema(schema);
  const writer = new ReferenceWriter(root);
  const lines = [`# ${title}`, ''];
  const description = stringField(root, 'description');
  if (description !== undefined) lines.push(description, '');
  lines.push('<!-- Generated from the configuration schema; do not edit by hand. -->', '');
  writer.visit(root, '', 'Top-level keys');
  return `${[...lines, ...writer.lines].join('\n').trimEnd()}\n`;
}

function stringField(schema: JsonSchema, key: string): string | undefined {
  const value = schema[key];
  return typeof value === 'string' ? value : undefined;
}

function schemaList(value: unknown): JsonSchema[] {
  return Array.isArray(value) ? value.filter((item): item is JsonSchema => typeof item === 'object' && item !== null) : [];
}

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Table cells hold one line, and `|` would end the cell. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `\`${text}\``;
}

/** Bounds zod adds for `.int()` alone; they say nothing to a reader. */
const IMPLICIT_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

function bounds(schema: JsonSchema, unit: (n: number) => string): string[] {
  const out: string[] = [];
  const number = (key: string): number | undefined => {
    const value = schema[key];
    return typeof value === 'number' && !IMPLICIT_BOUNDS.has(value) ? value : undefined;
  };
  const min = number('minimum');
  const max = number('maximum');
  const exclusiveMin = number('exclusiveMinimum');
  const exclusiveMax = number('exclusiveMaximum');
  if (min !== undefined && max !== undefined) out.push(`${unit(min)} to ${unit(max)}`);
  else if (min !== undefined) out.push(`at least ${unit(min)}`);
  else if (max !== undefined) out.push(`at most ${unit(max)}`);
  if (exclusiveMin !== undefined) out.push(`greater than ${unit(exclusiveMin)}`);
  if (exclusiveMax !== undefined) out.push(`less than ${unit(exclusiveMax)}`);
  return out;
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' && asSchema(schema.properties) !== undefined;
}

/** The `type: kafka` a variant of a tagged union is known by, if it has one. */
function variantLabel(variant: JsonSchema, index: number): string {
  const properties = asSchema(variant.properties) ?? {};
  for (const [key, property] of Object.entries(properties)) {
    const constant = asSchema(property)?.const;
    if (typeof constant === 'string' || typeof constant === 'number' || typeof constant === 'boolean') return `${key}: ${String(constant)}`;
  }
  return `option ${index + 1}`;
}

class ReferenceWriter {
  readonly lines: string[] = [];
  private readonly root: JsonSchema;

  constructor(root: JsonSchema) {
    this.root = root;
  }

  /** Follows a local `$ref` (`#/$defs/Name`), which zod emits for reused or recursive schemas. */
  private deref(schema: JsonSchema, seen = new Set<string>()): JsonSchema {
    const ref = stringField(schema, '$ref');
    if (ref === undefined || !ref.startsWith('#/') || seen.has(ref)) return schema;
    seen.add(ref);
    let target: unknown = this.root;
    for (const part of ref.slice(2).split('/')) target = asSchema(target)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    const resolved = asSchema(target);
    return resolved === undefined ? schema : this.deref({ ...resolved, ...withoutRef(schema) }, seen);
  }

  /** A short type for the table: `integer (1 to 3600)`, `list of string`, `one of …`. */
  typeOf(raw: JsonSchema, path: string): string {
    const { base, details } = this.describeType(raw, path);
    return details.length === 0 ? base : `${base} (${details.join('; ')})`;
  }

  private describeType(raw: JsonSchema, path: string): { base: string; details: string[] } {
    const schema = this.deref(raw);
    const variants = [...schemaList(schema.oneOf), ...schemaList(schema.anyOf)];
    if (variants.length > 0) {
      const objects = variants.filter((variant) => isObjectSchema(this.deref(variant)));
      const parts = variants.filter((variant) => !isObjectSchema(this.deref(variant))).map((variant) => this.typeOf(variant, path));
      if (objects.length === 1) parts.push(`object (see \`${path}\`)`);
      else if (objects.length > 1) parts.push(`object (see the \`${path}\` sections)`);
      return { base: [...new Set(parts)].join(' or '), details: [] };
    }
    if (Array.isArray(schema.enum)) return { base: `one of ${schema.enum.map(code).join(', ')}`, details: [] };
    if (schema.const !== undefined) return { base: code(schema.const), details: [] };
    const type = schema.type;
    if (Array.isArray(type)) return { base: type.join(' or '), details: [] };
    switch (type) {
      case 'string': {
        const details: string[] = [];
        const format = stringField(schema, 'format');
        if (format !== undefined) details.push(`format ${format}`);
        const pattern = stringField(schema, 'pattern');
        if (pattern !== undefined) details.push(`matching ${code(pattern)}`);
        details.push(...bounds({ minimum: schema.minLength, maximum: schema.maxLength }, (n) => plural(n, 'character')));
        return { base: 'string', details };
      }
      case 'number':
      case 'integer':
        return { base: type, details: bounds(schema, String) };
      case 'array': {
        const items = asSchema(schema.items);
        const item = items === undefined ? { base: 'anything', details: [] } : this.describeType(items, `${path}[]`);
        const details = bounds({ minimum: schema.minItems, maximum: schema.maxItems }, (n) => plural(n, 'item'));
        return { base: `list of ${item.base}`, details: [...details, ...item.details] };
      }
      case 'object': {
        if (isObjectSchema(schema)) return { base: 'object', details: [`see \`${path}\``] };
        const values = asSchema(schema.additionalProperties);
        return values === undefined ? { base: 'mapping', details: [] } : { base: `mapping of names to ${this.typeOf(values, `${path}.<name>`)}`, details: [] };
      }
      case undefined:
        return { base: 'any', details: [] };
      default:
        return { base: String(type), details: [] };
    }
  }

  /** Writes the section of an object, then the sections of the objects inside it. */
  visit(raw: JsonSchema, path: string, heading?: string): void {
    const schema = this.deref(raw);
    const variants = [...schemaList(schema.oneOf), ...schemaList(schema.anyOf)].map((variant) => this.deref(variant));
    const objectVariants = variants.filter(isObjectSchema);
    if (objectVariants.length === 1 && objectVariants[0] !== undefined) {
      this.visit({ description: schema.description, ...objectVariants[0] }, path, heading);
      return;
    }
    if (objectVariants.length > 1) {
      objectVariants.forEach((variant, index) => {
        this.visit({ description: schema.description, ...variant }, path, `\`${path}\` (${variantLabel(variant, index)})`);
      });
      return;
    }
    if (schema.type === 'array') {
      const items = asSchema(schema.items);
      if (items !== undefined) this.visit(items, `${path}[]`);
      return;
    }
    if (schema.type !== 'object') return;
    const properties = asSchema(schema.properties);
    if (properties === undefined) {
      const values = asSchema(schema.additionalProperties);
      if (values !== undefined) this.visit(values, `${path}.<name>`);
      return;
    }
    this.writeTable(schema, properties, path, heading ?? `\`${path}\``);
    for (const [key, property] of Object.entries(properties)) {
      const child = asSchema(property);
      if (child !== undefined) this.visit(child, path === '' ? key : `${path}.${key}`);
    }
  }

  private writeTable(schema: JsonSchema, properties: JsonSchema, path: string, heading: string): void {
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    this.lines.push(`## ${heading}`, '');
    const description = stringField(schema, 'description');
    if (description !== undefined && path !== '') this.lines.push(description, '');
    if (schema.additionalProperties === false) this.lines.push('Other keys are not allowed.', '');
    this.lines.push('| Key | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const [key, property] of Object.entries(properties)) {
      const child = this.deref(asSchema(property) ?? {});
      const keyPath = path === '' ? key : `${path}.${key}`;
      const fallback = child.default !== undefined ? code(child.default) : required.has(key) ? 'required' : '—';
      const row = [code(keyPath), this.typeOf(child, keyPath), fallback, stringField(child, 'description') ?? ''];
      this.lines.push(`| ${row.map(cell).join(' | ')} |`);
    }
    this.lines.push('');
  }
}

function withoutRef(schema: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}
