import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { sampleSchema } from './sample-schema.js';

/** The value at a chain of keys inside a JSON Schema. */
function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

describe('configJsonSchema', () => {
  const meta = { id: 'https://example.com/analytics.schema.json', title: 'Analytics workspace' };
  const schema = configJsonSchema(sampleSchema, meta);

  it('is a draft 2020-12 schema with the given id and title first', () => {
    expect(Object.keys(schema).slice(0, 3)).toEqual(['$schema', '$id', 'title']);
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: meta.id,
      title: meta.title,
    });
  });

  it('keeps descriptions and defaults, and makes defaulted keys optional', () => {
    expect(at(schema, 'properties', 'lake', 'description')).toBe('Storage of ingested events.');
    expect(at(schema, 'properties', 'lake', 'properties', 'retention', 'properties', 'days')).toMatchObject({
      default: 30,
      description: 'Days of data to keep.',
      minimum: 1,
      maximum: 3650,
    });
    expect(at(schema, 'required')).toEqual(['name', 'streams']);
    expect(at(schema, 'properties', 'streams', 'items', 'required')).toEqual(['name', 'window']);
  });

  it('lists enum values and forbids unknown keys of strict objects', () => {
    const window = at(schema, 'properties', 'streams', 'items', 'properties', 'window');
    expect(at(window, 'properties', 'kind', 'enum')).toEqual(['tumbling', 'hopping', 'session']);
    expect(at(window, 'additionalProperties')).toBe(false);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(configJsonSchema(sampleSchema, meta))).toBe(JSON.stringify(schema));
  });
});
