/**
 * The workspace configuration file, `analytics.yaml`. Every field says what it is with
 * `.describe()`; docs/configuration.md and schemas/analytics.schema.json are generated from this.
 */
import { z } from 'zod';
import { fieldsFromJsonSchema, SchemaConversionError } from '../contract/from-json-schema.js';
import { scheduleSchema } from './schedule-schema.js';

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

/** The default topic of each built-in event type (`analytics generate --to kafka://` writes there too). */
export const DEFAULT_KAFKA_TOPICS: Readonly<Record<string, string>> = {
  transaction: 'transactions',
  fraud_detection: 'fraud_detections',
  security_alert: 'security_alerts',
  notification: 'notifications',
};

export const kafkaSchema = z
  .object({
    brokers: z.array(z.string().regex(/^[^\s:/]+:\d+$/, 'use HOST:PORT, e.g. 127.0.0.1:9092')).min(1).default(['127.0.0.1:9092']).describe('Bootstrap brokers as HOST:PORT.'),
    client_id: z.string().min(1).default('analytics').describe('Kafka client id, shown in broker logs and quotas.'),
    group: z.string().min(1).default('analytics-ingest').describe('Consumer group; daemons with the same group share the partitions.'),
    topics: z
      .record(z.string(), z.string().min(1))
      .default({ ...DEFAULT_KAFKA_TOPICS })
      .describe('Topic per event type; the daemon consumes every topic named here (records are routed by their own `type`).'),
    batch: z
      .object({
        max_events: z.number().int().positive().default(50_000).describe('Most messages in one lake batch; a full buffer is written at once while the next one fills (consumption waits only when that write is still running).'),
        max_ms: z.number().int().positive().default(2_000).describe('Longest time in milliseconds a message waits in the buffer before its batch is written (a batch of a tenth of max_events or more is written sooner, once nothing has arrived for 200 ms).'),
      })
      .strict()
      .prefault({})
      .describe('Lake batches: bounded by size and by time.'),
    session_timeout_ms: z.number().int().min(6_000).default(30_000).describe('Consumer group session timeout: how long a silent (crashed) daemon keeps its partitions.'),
    dead_letter_topic: z.string().min(1).optional().describe('Also produce rejected records to this topic, with the reasons in headers.'),
    ssl: z.boolean().default(false).describe('Connect with TLS.'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
        username: z.string().min(1).describe('SASL user name.'),
        password: z.string().describe('SASL password; write `${VAR}` and set the variable, never the secret itself.'),
      })
      .strict()
      .optional()
      .describe('SASL authentication, for clusters that require it.'),
    metrics_port: z.number().int().min(0).max(65_535).default(9464).describe('Port of the health and metrics endpoint on 127.0.0.1 (0: disabled).'),
  })
  .strict();

export type KafkaConfig = z.output<typeof kafkaSchema>;

export const workspaceSchema = z
  .object({
    version: z.literal(1).default(1).describe('Configuration format version.'),
    name: z.string().min(1).default('analytics').describe('Workspace name, shown in reports and the dashboard.'),
    lake: z
      .object({
        path: z.string().default('lake').describe('Lake folder, relative to the workspace.'),
        retention: z
          .record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.number().int().positive())
          .default({})
          .describe('Days to keep per table, e.g. { dead_letters: 30, notifications: 400 }; `analytics lake retention` drops older partitions.'),
        vacuum_grace_minutes: z.number().int().min(0).default(60).describe('Files no snapshot lists are deleted by `lake vacuum` only when older than this.'),
      })
      .strict()
      .default({ path: 'lake', retention: {}, vacuum_grace_minutes: 60 })
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
        threads: z.number().int().positive().optional().describe('DuckDB threads (default: all CPUs; the Kafka daemon takes CPUs ÷ 2, as it validates two batches at once).'),
        memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'use a size such as 512MB').default('512MB').describe('DuckDB memory limit per process; it spills to disk beyond it. Ingest raises it to 640MiB, at least, for its ordered Parquet write alone, which otherwise runs on one thread.'),
      })
      .strict()
      .default({ memory_limit: '512MB' })
      .describe('Embedded DuckDB settings.'),
    event_types: z.array(eventTypeSchema).default([]).describe('Custom event types, or new versions of built-in ones.'),
    kafka: kafkaSchema.prefault({}).describe('The Kafka ingest daemon (`analytics ingest kafka`) and `analytics generate --to kafka://`.'),
    schedule: scheduleSchema.prefault({}).describe('Jobs that `analytics schedule start` runs on cron expressions: pipelines, checks, lake upkeep, reports.'),
    feed: z
      .object({
        port: z.number().int().min(0).max(65_535).default(0).describe('Port of the live feed (WebSocket, ws://127.0.0.1:<port>/feed) served by the Kafka ingest daemon; 0: any free port, found through .analytics/feed.json.'),
      })
      .strict()
      .default({ port: 0 })
      .describe('The live feed of stream job results (streams.yaml).'),
  })
  .strict();

export type WorkspaceConfig = z.output<typeof workspaceSchema>;
export type EventTypeConfig = z.output<typeof eventTypeSchema>;
