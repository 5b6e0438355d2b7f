/**
 * `pipelines.yaml`: batch ETL pipelines (a DAG of steps that extract, transform with SQL and load
 * warehouse tables) and the data checks. One definition, used by `analytics etl`, `analytics
 * check`, the JSON Schema and the generated reference (docs/reference/pipelines.md).
 */
import { z } from 'zod';
import { checkSchema, stepCheckSchema } from '../checks/schema.js';

const snakeName = (what: string) => z.string().regex(/^[a-z][a-z0-9_]*$/, `use lower snake_case for ${what}`);

export const LOAD_MODES = ['replace', 'append', 'merge', 'incremental', 'scd2'] as const;
export type LoadMode = (typeof LOAD_MODES)[number];

export const loadSchema = z
  .object({
    table: snakeName('table names').describe('Warehouse table the step writes (created on the first run).'),
    mode: z.enum(LOAD_MODES).default('replace').describe(
      '`replace`: the table (or, with `partition_by`, the partitions of the run\'s dates) becomes the step\'s rows; `append`: rows are added; `merge`: upsert on `key`; `incremental`: only rows with `watermark` above the last committed value are added (upserted when `key` is given); `scd2`: slowly changing dimension on `key` with valid_from, valid_to and is_current.',
    ),
    key: z.array(z.string().min(1)).min(1).optional().describe('Key columns: required by merge and scd2, optional for incremental (then an upsert).'),
    watermark: z.string().min(1).optional().describe('incremental: the column whose committed maximum is the watermark (e.g. occurred_at).'),
    partition_by: z.string().min(1).optional().describe('A DATE column: one folder of files per value; a dated run replaces only its dates.'),
    sort_by: z.array(z.string().min(1)).optional().describe('Order of rows within each file (Parquet statistics then prune filters on these columns).'),
    track: z.array(z.string().min(1)).optional().describe('scd2: columns whose change starts a new version (default: every column but the key).'),
    effective_at: z.string().min(1).optional().describe('scd2: column holding the time a new version starts (default: the start of the run\'s date, or the run time when undated).'),
  })
  .strict()
  .superRefine((load, context) => {
    const need = (field: 'key' | 'watermark', mode: LoadMode) => {
      if (load.mode === mode && load[field] === undefined) context.addIssue({ code: 'custom', path: [field], message: `mode ${mode} needs \`${field}\`` });
    };
    need('key', 'merge');
    need('key', 'scd2');
    need('watermark', 'incremental');
    if (load.mode !== 'scd2' && (load.track || load.effective_at)) context.addIssue({ code: 'custom', path: ['track'], message: '`track` and `effective_at` apply to mode scd2 only' });
  });

export const FILE_FORMATS = ['auto', 'csv', 'ndjson', 'parquet'] as const;

export const stepSchema = z
  .object({
    name: snakeName('step names').describe('Step name, unique in the pipeline; later steps read its rows under this name.'),
    description: z.string().optional().describe('What the step does.'),
    sql: z.string().min(1).optional().describe(
      'A SELECT run by DuckDB. It reads upstream steps, lake tables and warehouse tables by name; `{{ run_date }}`, `{{ from }}`, `{{ to }}` (DATE literals, `to` exclusive), `{{ run_id }}` and `{{ watermark }}` are replaced by SQL literals.',
    ),
    files: z.string().min(1).optional().describe('Instead of sql: a file or glob, relative to the workspace, read as the step\'s rows (CSV, NDJSON or Parquet).'),
    format: z.enum(FILE_FORMATS).default('auto').describe('Format of `files` (auto: by extension).'),
    depends_on: z.array(snakeName('step names')).default([]).describe('Steps that must finish first besides those the SQL reads (those are found automatically).'),
    load: loadSchema.optional().describe('Where the rows go. Without it the step is an intermediate result that later steps read.'),
    checks: z.array(stepCheckSchema).default([]).describe('Data checks run on the step\'s result before anything downstream; an error stops the steps that depend on it and fails the run.'),
  })
  .strict()
  .superRefine((step, context) => {
    if ((step.sql === undefined) === (step.files === undefined)) context.addIssue({ code: 'custom', path: ['sql'], message: 'give either `sql` or `files` (exactly one)' });
  });

export const pipelineSchema = z
  .object({
    name: snakeName('pipeline names').describe('Pipeline name, used by `analytics etl run NAME`.'),
    description: z.string().optional().describe('What the pipeline builds.'),
    depends_on: z.array(snakeName('pipeline names')).default([]).describe('Pipelines whose tables this one reads; `etl run` runs them first when both are selected.'),
    steps: z.array(stepSchema).min(1).describe('The steps, a DAG: independent steps run concurrently.'),
  })
  .strict();

export const pipelinesFileSchema = z
  .object({
    version: z.literal(1).default(1).describe('File format version.'),
    pipelines: z.array(pipelineSchema).default([]).describe('Batch ETL pipelines run by `analytics etl run` (docs/etl.md).'),
    checks: z.array(checkSchema).default([]).describe('Data checks run by `analytics check`.'),
  })
  .strict();

export type LoadDefinition = z.output<typeof loadSchema>;
export type StepDefinition = z.output<typeof stepSchema>;
export type PipelineDefinition = z.output<typeof pipelineSchema>;
export type PipelinesFile = z.output<typeof pipelinesFileSchema>;
