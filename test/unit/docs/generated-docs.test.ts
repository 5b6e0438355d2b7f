import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src/config/json-schema.js';
import { workspaceSchema } from '../../../src/config/workspace-schema.js';
import { pipelinesFileSchema } from '../../../src/etl/schema.js';
import { generatedDocs } from '../../../src/docs/reference.js';

describe('generated reference docs', () => {
  it.each(Object.entries(generatedDocs()))('%s is up to date (run `npm run docs`)', async (file, text) => {
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('docs/reference/pipelines.schema.json is up to date', async () => {
    const schema = configJsonSchema(pipelinesFileSchema, { id: 'https://analytics.local/schemas/pipelines.schema.json', title: 'pipelines.yaml' });
    expect(JSON.parse(await readFile('docs/reference/pipelines.schema.json', 'utf8'))).toEqual(schema);
  });

  it('docs/reference/analytics.schema.json is up to date', async () => {
    const schema = configJsonSchema(workspaceSchema, { id: 'https://analytics.local/schemas/analytics.schema.json', title: 'analytics.yaml' });
    expect(JSON.parse(await readFile('docs/reference/analytics.schema.json', 'utf8'))).toEqual(schema);
  });
});
