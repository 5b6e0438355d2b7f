/**
 * `streams.yaml`: the stream jobs the ingest paths run on every committed batch (windowed
 * aggregations, joins, sequence patterns). This is the file's shape; `config.ts` checks its
 * field and type references against the workspace's event registry.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower snake_case');
const duration = z.string().regex(DURATION_PATTERN, 'use a duration such as 500ms, 30s, 5m, 1h or 1d');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z
  .object({
    eq: scalar.optional().describe('Equal to this value.'),
    ne: scalar.optional().describe('Not equal to this value (rows where the field is missing do not match).'),
    in: z.array(scalar).min(1).optional().describe('One of these values.'),
    not_in: z.array(scalar).min(1).optional().describe('None of these values (a missing field does not match).'),
    gt: z.number().optional().describe('Greater than.'),
    gte: z.number().optional().describe('Greater than or equal to.'),
    lt: z.number().optional().describe('Less than.'),
    lte: z.number().optional().describe('Less than or equal to.'),
  })
  .strict()
  .refine((condition) => Object.values(condition).some((value) => value !== undefined), 'give at least one of eq, ne, in, not_in, gt, gte, lt, lte');

export const whereSchema = z
  .record(z.string(), z.union([scalar, conditionSchema]))
  .describe('Conditions on fields, all of which must hold: `field: value` (equal) or `field: { gt: 1000 }`. Fields are lake columns of the event type (data fields, envelope, enrichments such as amount_reporting).');

export const AGGREGATE_FUNCTIONS = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'p50', 'p95', 'p99', 'ratio'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export const aggregateSchema = z
  .object({
    name: name.describe('Result column name.'),
    fn: z.enum(AGGREGATE_FUNCTIONS).describe('count, sum, avg, min, max, count_distinct (exact), p50/p95/p99 (exact, linear interpolation like quantile_cont), or ratio: the share of the window\'s events that match `where`.'),
    field: z.string().optional().describe('Field aggregated; required for every function but count and ratio.'),
    where: whereSchema.optional().describe('Only events matching these conditions count for this aggregate (for ratio: the numerator).'),
  })
  .strict();

export const windowSchema = z
  .object({
    type: z.enum(['tumbling', 'hopping', 'session']).describe('tumbling: fixed, non-overlapping; hopping: fixed size, starting every `advance`; session: per key, closed after `gap` without events.'),
    size: duration.optional().describe('Window length (tumbling, hopping).'),
    advance: duration.optional().describe('Distance between window starts (hopping); at most `size`.'),
    gap: duration.optional().describe('Inactivity that ends a session (session).'),
  })
  .strict();

/** Kafka's rule for topic names. */
export const KAFKA_TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;

export const outputSchema = z
  .object({
    kafka: z
      .object({
        topic: z.string().regex(KAFKA_TOPIC_PATTERN, 'use 1 to 249 letters, digits, dots, underscores or dashes').describe('Topic the results are produced to, keyed by the job and the result\'s key (created with the broker\'s defaults when missing).'),
      })
      .strict()
      .optional()
      .describe('Also produce every result to a Kafka topic, after the batch that computed it is committed to the lake (at least once, deterministic keys), with the connection settings of `kafka:` in analytics.yaml.'),
  })
  .strict();

const common = {
  name: name.describe('Job name; also the name of its lake table and of its live feed stream.'),
  description: z.string().default('').describe('What the job answers, in one sentence.'),
  enabled: z.boolean().default(true).describe('Run the job during ingest.'),
  allowed_lateness: duration.default('0s').describe('How long after the watermark passes a window end (or time bound) late events still count; a window already emitted is then emitted again as an update. Later events are dead-lettered with stage `late`.'),
  output: outputSchema.optional().describe('Where results go besides the job\'s lake table and the live feed.'),
};

export const windowJobSchema = z
  .object({
    ...common,
    kind: z.literal('window').describe('A windowed aggregation.'),
    events: z.array(z.string()).min(1).describe('Event types aggregated together.'),
    where: whereSchema.optional().describe('Only events matching these conditions are aggregated (all events still advance the watermark).'),
    window: windowSchema.describe('The window.'),
    group_by: z.array(z.string()).default([]).describe('Fields that key the windows.'),
    aggregates: z.array(aggregateSchema).min(1).describe('Result columns.'),
  })
  .strict();

export const joinSideSchema = z
  .object({
    type: z.string().describe('Event type of this side.'),
    key: z.string().describe('Field matched against the other side\'s key.'),
    fields: z.array(z.string()).default([]).describe('Fields copied into the result as `<side>_<field>`.'),
    where: whereSchema.optional().describe('Only events of this side matching these conditions take part.'),
  })
  .strict();

export const joinJobSchema = z
  .object({
    ...common,
    kind: z.literal('join').describe('A stream join: pairs of events with equal keys within a time bound.'),
    left: joinSideSchema.describe('Left side.'),
    right: joinSideSchema.describe('Right side.'),
    within: duration.describe('Largest distance in event time between the two events of a pair.'),
    emit_unmatched: z.enum(['none', 'left', 'right', 'both']).default('none').describe('Also emit events of these sides that found no partner once their time bound has passed.'),
  })
  .strict();

export const patternStepSchema = z
  .object({
    type: z.string().describe('Event type of this step.'),
    key: z.string().optional().describe('Field holding the key for this step\'s type (default: the job\'s `key`).'),
    where: whereSchema.optional().describe('Conditions an event must meet to count for the step.'),
    min_count: z.number().int().min(1).default(1).describe('How many matching events the step needs (all before the next step\'s events).'),
  })
  .strict();

export const patternJobSchema = z
  .object({
    ...common,
    kind: z.literal('pattern').describe('Complex event processing: a sequence of steps for one key within a time bound.'),
    key: z.string().describe('Field that keys the sequence (e.g. account_id); a step may name its own.'),
    within: duration.describe('Largest distance in event time from the first to the last event of a match.'),
    steps: z.array(patternStepSchema).min(1).describe('Steps in event-time order.'),
    emit: z
      .object({
        type: name.describe('Type name of the derived event each match emits.'),
      })
      .strict()
      .describe('The derived event.'),
  })
  .strict();

export const streamJobSchema = z.discriminatedUnion('kind', [windowJobSchema, joinJobSchema, patternJobSchema]);

export const streamsFileSchema = z
  .object({
    version: z.literal(1).default(1).describe('File format version.'),
    max_future_skew: duration.default('5m').describe('Events whose time is more than this ahead of their ingest time are dead-lettered (stage `future`) by every job and never advance a watermark.'),
    idle_timeout: z.union([duration, z.literal('never')]).default('5m').describe('An event type of a job that brought no event for longer than this (ingest time; or was never seen, this long after the job\'s first batch) stops holding the job\'s watermark back, so windows close and joins and patterns expire while one stream is down. `never`: the watermark waits for every type. Events of the type that arrive later than the allowed lateness are then refused as late.'),
    checkpoint_interval: duration.default('10s').describe('How often the jobs\' whole state is written (`_streams/state-<batch>.json`). Batches committed in between record only their ids; after a restart the state is rebuilt by running the jobs again over those batches\' events in the lake. `0s` writes it with every batch. A state that takes longer than a tenth of this to write is written every ten times its writing time instead.'),
    streams: z.array(streamJobSchema).default([]).describe('The stream jobs.'),
  })
  .strict();

export type StreamsFile = z.output<typeof streamsFileSchema>;
export type StreamJobConfig = z.output<typeof streamJobSchema>;
export type WindowJobConfig = z.output<typeof windowJobSchema>;
export type JoinJobConfig = z.output<typeof joinJobSchema>;
export type PatternJobConfig = z.output<typeof patternJobSchema>;
export type Where = z.output<typeof whereSchema>;
export type OutputConfig = z.output<typeof outputSchema>;
export type AggregateConfig = z.output<typeof aggregateSchema>;
