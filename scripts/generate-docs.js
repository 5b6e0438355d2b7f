#!/usr/bin/env node
// Writes the generated reference docs and the config JSON Schema (run after `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedDocs } from '../dist/docs/reference.js';
import { configJsonSchema } from '../dist/config/json-schema.js';
import { workspaceSchema } from '../dist/config/workspace-schema.js';
import { pipelinesFileSchema } from '../dist/etl/schema.js';

for (const [file, text] of Object.entries(generatedDocs())) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
const schema = configJsonSchema(workspaceSchema, { id: 'https://analytics.local/schemas/analytics.schema.json', title: 'analytics.yaml' });
writeFileSync('docs/reference/analytics.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
console.log('wrote docs/reference/analytics.schema.json');
const pipelinesSchema = configJsonSchema(pipelinesFileSchema, { id: 'https://analytics.local/schemas/pipelines.schema.json', title: 'pipelines.yaml' });
writeFileSync('docs/reference/pipelines.schema.json', `${JSON.stringify(pipelinesSchema, null, 2)}\n`);
console.log('wrote docs/reference/pipelines.schema.json');
