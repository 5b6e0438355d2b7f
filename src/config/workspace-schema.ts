/**
 * The workspace configuration file, `analytics.yaml`. Every field says what it is with
 * `.describe()`; docs/configuration.md and schemas/analytics.schema.json are generated from this.
 */
import { z } from 'zod';
import { fieldsFromJsonSchema, SchemaConversionError } from '../contract/from-json-schema.js';

const jsonSchemaProperty = z
  .object({
    type: z.union([z.string(), z.array(z.string())]).optional().describe('string, number, integer, boolean or array (of strings).'),
    description: z.string().optional().describe('What the field means.'),
    enum: z.array(z.string()).optional().describe('Allowed values.'),
    minimum: z.number().optional().describe('Smallest allowed number.'),
    maximum: z.number().optional().describe('Largest allowed number.'),
    minLength: z.number().int().nonnegative().optional().describe('Shortest allowed string.'),
    maxLength: z.number().int().positive().optional().describe('Longest allowed string.'),
    pattern: z.string().optional().describe('Regular expression the whole string must match.'),
    format: z.enum(['date-time', 'ipv4', 'ipv6', 'ip', 'country', 'currency', 'mcc']).optional().describe('A named format.'),
    items: z.object({ type: z.literal('string') }).optional().describe('For arrays: items must be strings.'),
    'x-decimal': z.boolean().optional().describe('Money: a number or decimal string stored as DECIMAL(18,4).'),
    'x-currency-field': z.string().optional().describe('Field holding the ISO 4217 currency that limits the decimals.'),
  })
  .strict();

export const eventTypeSchema = z
  .object({
    type: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower snake_case, e.g. refund_request').describe('The envelope `type` value.'),
    version: z.number().int().min(1).describe('Schema version of `data`; a built-in type and version here replaces the built-in.'),
    table: z.string().regex(/^[a-z][a-z0-9_]*$/).optional().describe('Lake table name (default: the type name plus "s").'),
    description: z.string().default('').describe('What the event means.'),
    schema: z
      .object({
        type: z.literal('object').optional(),
        required: z.array(z.string()).default([]).describe('Data fields that must be present.'),
        properties: z.record(z.string(), jsonSchemaProperty).describe('The data fields, as JSON Schema.'),
      })
      .describe('JSON Schema (subset) of the `data` object.'),
  })
  .strict()
  .superRefine((value, context) => {
    try {
      fieldsFromJsonSchema(value.schema);
    } catch (error) {
      if (!(error instanceof SchemaConversionError)) throw error;
      const inProperties = error.property in value.schema.properties;
      context.addIssue({
        code: 'custom',
        message: error.message,
        path: inProperties ? ['schema', 'properties', error.property] : ['schema', 'required'],
      });
    }
  });

export const workspaceSchema = z
  .object({
    version: z.literal(1).default(1).describe('Configuration format version.'),
    name: z.string().min(1).default('analytics').describe('Workspace name, shown in reports and the dashboard.'),
    lake: z
      .object({
        path: z.string().default('lake').describe('Lake folder, relative to the workspace.'),
      })
      .strict()
      .default({ path: 'lake' })
      .describe('Where the Parquet lake lives.'),
    reporting_currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'use an ISO 4217 code such as USD')
      .default('USD')
      .describe('Currency that amount_reporting is converted to.'),
    reference: z
      .object({
        rates: z.string().default('reference/rates.csv').describe('CSV with columns currency,usd_per_unit; relative to the workspace.'),
      })
      .strict()
      .default({ rates: 'reference/rates.csv' })
      .describe('Reference tables used for enrichment.'),
    ingest: z
      .object({
        max_errors: z.number().int().min(-1).default(0).describe('Default for --max-errors: more rejected records than this make ingest exit 1 (-1: no limit).'),
      })
      .strict()
      .default({ max_errors: 0 })
      .describe('File and stream ingest settings.'),
    engine: z
      .object({
        threads: z.number().int().positive().optional().describe('DuckDB threads (default: all CPUs).'),
        memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'use a size such as 512MB').default('512MB').describe('DuckDB memory limit per process; it spills to disk beyond it.'),
      })
      .strict()
      .default({ memory_limit: '512MB' })
      .describe('Embedded DuckDB settings.'),
    event_types: z.array(eventTypeSchema).default([]).describe('Custom event types, or new versions of built-in ones.'),
  })
  .strict();

export type WorkspaceConfig = z.output<typeof workspaceSchema>;
export type EventTypeConfig = z.output<typeof eventTypeSchema>;
