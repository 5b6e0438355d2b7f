/**
 * Data checks, declared in `pipelines.yaml` under `checks:` (one definition, run by
 * `analytics check`, CI, and the pipeline steps they are declared on). Each check names a table of the
 * lake and a rule; failing rows are the evidence.
 */
import { z } from 'zod';

const severity = z.enum(['error', 'warn']).default('error').describe('`error` fails `analytics check` (exit 1); `warn` is reported only.');
const tableField = z.string().min(1).describe('Lake table the check reads.');
const baseFields = {
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower snake_case').optional().describe('Unique name (default: table_type_column).'),
  table: tableField,
  severity,
  where: z.string().min(1).optional().describe('SQL condition limiting the rows checked, e.g. "event_date >= current_date - 7".'),
  description: z.string().optional().describe('Why this check exists.'),
};
const duration = z.string().regex(/^\d+(m|h|d)$/, 'use a duration such as 30m, 6h or 2d');

/**
 * The check variants. `tableField` differs between top-level checks (a table is required) and
 * checks declared on a pipeline step (without a table they read the step's rows).
 */
function checkUnion<T extends z.ZodType>(tableField: T) {
  const base = { ...baseFields, table: tableField };
  return z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('not_null'), columns: z.array(z.string()).min(1).describe('Columns that must never be NULL.') }).strict(),
  z.object({ ...base, type: z.literal('unique'), columns: z.array(z.string()).min(1).describe('Columns whose combination must be unique.') }).strict(),
  z.object({ ...base, type: z.literal('accepted_values'), column: z.string().describe('Column to check.'), values: z.array(z.union([z.string(), z.number()])).min(1).describe('The only values allowed (NULL passes).') }).strict(),
  z.object({
    ...base,
    type: z.literal('relationships'),
    column: z.string().describe('Foreign key column.'),
    to: z.object({ table: z.string().describe('Referenced table.'), column: z.string().describe('Referenced column.') }).strict().describe('The referenced key.'),
  }).strict(),
  z.object({
    ...base,
    type: z.literal('range'),
    column: z.string().describe('Numeric or time column.'),
    min: z.union([z.number(), z.string()]).optional().describe('Smallest allowed value (inclusive).'),
    max: z.union([z.number(), z.string()]).optional().describe('Largest allowed value (inclusive).'),
  }).strict().refine((check) => check.min !== undefined || check.max !== undefined, 'give min, max or both'),
  z.object({
    ...base,
    type: z.literal('row_count'),
    min: z.number().int().min(0).optional().describe('Fewest rows allowed.'),
    max: z.number().int().min(0).optional().describe('Most rows allowed.'),
  }).strict().refine((check) => check.min !== undefined || check.max !== undefined, 'give min, max or both'),
  z.object({
    ...base,
    type: z.literal('freshness'),
    column: z.string().default('occurred_at').describe('Time column.'),
    max_age: duration.describe('The newest row must be younger than this.'),
  }).strict(),
  z.object({
    ...base,
    type: z.literal('volume_change'),
    max_change_percent: z.number().positive().describe('Largest allowed change of the row count since the previous `analytics check` run, in percent.'),
  }).strict(),
  z.object({
    ...base,
    table: z.string().min(1).optional().describe('Table named in reports (optional for SQL checks).'),
    type: z.literal('sql'),
    sql: z.string().min(1).describe('A SELECT returning the failing rows; no rows means the check passes.'),
  }).strict(),
  ]);
}

export const checkSchema = checkUnion(tableField);

/** A check declared on a pipeline step: without `table` it reads the rows the step wrote. */
export const stepCheckSchema = checkUnion(tableField.optional().describe('Table the check reads, in its new (staged) state; default: the rows the step wrote (for a partitioned load, those of the run\'s dates).'));

export type CheckDefinition = z.output<typeof checkSchema>;
export type StepCheckDefinition = z.output<typeof stepCheckSchema>;
