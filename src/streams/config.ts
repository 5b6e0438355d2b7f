/**
 * Loads `streams.yaml` and checks every reference against the workspace's event registry: event
 * types, fields (data fields, envelope and enrichment columns), value types, window sizes, and
 * conditions that can never hold. Problems are zod issues, so each one is reported once with
 * file:line:column by the config loader. `compileStreams` turns the checked file into operators.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import type { FieldSpec } from '../contract/field-spec.js';
import type { EventTypeRegistry } from '../contract/registry.js';
import type { KafkaConfig } from '../config/workspace-schema.js';
import { DEAD_LETTER_TABLE, eventTableColumns } from '../lake/tables.js';
import { parseDuration } from './duration.js';
import { JoinOperator } from './join-operator.js';
import type { AnyOperator } from './operator.js';
import { PatternOperator } from './pattern-operator.js';
import { streamsFileSchema, type JoinJobConfig, type PatternJobConfig, type StreamJobConfig, type StreamsFile, type Where, type WindowJobConfig } from './schema.js';
import { compileWhere } from './stream-event.js';
import { WindowOperator, type AggregateSpec } from './window-operator.js';

export const STREAMS_FILE = 'streams.yaml';

const NUMERIC = new Set(['DOUBLE', 'BIGINT', 'INTEGER', 'DECIMAL(18,4)']);
/** Column types a job can read (lists and JSON cannot be keys or values here). */
const READABLE = new Set([...NUMERIC, 'VARCHAR', 'BOOLEAN', 'TIMESTAMPTZ', 'DATE']);

interface TypeColumns {
  table: string;
  columns: Map<string, string>;
  /** Data field specs (every version) for enum and range checks. */
  fields: Map<string, FieldSpec>;
}

function typeColumns(registry: EventTypeRegistry): Map<string, TypeColumns> {
  const byType = new Map<string, TypeColumns>();
  for (const table of registry.tables()) {
    const columns = new Map(eventTableColumns(table).map((column) => [column.name, column.sqlType]));
    for (const type of table.types) {
      const fields = new Map<string, FieldSpec>();
      for (const spec of registry.specs.filter((candidate) => candidate.type === type)) for (const field of spec.fields) fields.set(field.name, field);
      byType.set(type, { table: table.name, columns, fields });
    }
  }
  return byType;
}

type Issue = { path: PropertyKey[]; message: string };

/** The workspace's Kafka settings a Kafka output is checked against (analytics.yaml `kafka:`). */
export type KafkaOutputSettings = Pick<KafkaConfig, 'brokers' | 'topics' | 'dead_letter_topic'>;

/**
 * Every reference problem of a parsed streams file, with paths into the YAML. `kafka` is the
 * workspace's `kafka:` section; without it, a job with a Kafka output is an error.
 */
export function checkStreamReferences(file: StreamsFile, registry: EventTypeRegistry, kafka?: KafkaOutputSettings): Issue[] {
  const issues: Issue[] = [];
  const types = typeColumns(registry);
  const typeNames = [...types.keys()];
  const taken = new Set([...registry.tables().map((table) => table.name), DEAD_LETTER_TABLE]);
  const names = new Set<string>();
  /** Derived event types, and the pattern job that emits each. */
  const emitted = new Map<string, string>();
  const add = (at: PropertyKey[], message: string) => issues.push({ path: at, message });

  const checkType = (type: string, at: PropertyKey[]): TypeColumns | undefined => {
    const columns = types.get(type);
    if (!columns) add(at, `unknown event type "${type}"; known types: ${typeNames.join(', ')}`);
    return columns;
  };
  const checkField = (type: TypeColumns | undefined, typeName: string, field: string, at: PropertyKey[], need?: 'numeric'): string | undefined => {
    if (!type) return undefined;
    const sqlType = type.columns.get(field);
    if (sqlType === undefined) {
      add(at, `event type "${typeName}" has no field "${field}"; its fields: ${[...type.columns.keys()].filter((name) => READABLE.has(type.columns.get(name)!)).join(', ')}`);
      return undefined;
    }
    if (!READABLE.has(sqlType)) add(at, `field "${field}" is ${sqlType}; stream jobs read scalar fields only`);
    else if (need === 'numeric' && !NUMERIC.has(sqlType)) add(at, `field "${field}" is ${sqlType}, not a number`);
    return sqlType;
  };
  const checkWhere = (where: Where | undefined, typeList: { name: string; columns: TypeColumns | undefined }[], at: PropertyKey[]) => {
    if (!where) return;
    for (const [field, condition] of Object.entries(where)) {
      for (const { name, columns } of typeList) {
        const sqlType = checkField(columns, name, field, [...at, field]);
        if (!sqlType || !columns) continue;
        const never = neverMatches(condition, sqlType, columns.fields.get(field));
        if (never) add([...at, field], `this condition can never hold: ${never}`);
      }
    }
  };
  const positive = (text: string, at: PropertyKey[], what: string) => {
    if (parseDuration(text) === 0) add(at, `${what} must be longer than 0`);
  };

  file.streams.forEach((job, index) => {
    const at = ['streams', index];
    if (names.has(job.name)) add([...at, 'name'], `"${job.name}" is defined twice`);
    names.add(job.name);
    if (taken.has(job.name)) add([...at, 'name'], `"${job.name}" is the name of a lake table already; choose another name`);
    if (job.kind === 'window') checkWindowJob(job, at);
    else if (job.kind === 'join') checkJoinJob(job, at);
    else checkPatternJob(job, at);
    checkKafkaOutput(job, at);
  });
  return issues;

  function checkKafkaOutput(job: StreamJobConfig, at: PropertyKey[]) {
    const topic = job.output?.kafka?.topic;
    if (topic === undefined) return;
    const tat = [...at, 'output', 'kafka', 'topic'];
    if (!kafka || kafka.brokers.length === 0) {
      add(tat, 'a Kafka output needs the workspace\'s Kafka connection: set kafka.brokers (and sasl/ssl if the cluster needs them) in analytics.yaml');
      return;
    }
    const ingested = Object.entries(kafka.topics).find(([, name]) => name === topic);
    if (ingested) add(tat, `"${topic}" is the ingest topic of ${ingested[0]} events (kafka.topics in analytics.yaml): the results would be read back as events; choose another topic`);
    if (kafka.dead_letter_topic === topic) add(tat, `"${topic}" is the dead-letter topic (kafka.dead_letter_topic in analytics.yaml); choose another topic`);
  }

  function checkWindowJob(job: WindowJobConfig, at: PropertyKey[]) {
    const list = job.events.map((name, i) => ({ name, columns: checkType(name, [...at, 'events', i]) }));
    const field = (name: string, where: PropertyKey[], need?: 'numeric') => {
      let sqlType: string | undefined;
      for (const type of list) sqlType = checkField(type.columns, type.name, name, where, need) ?? sqlType;
      return sqlType;
    };
    checkWhere(job.where, list, [...at, 'where']);
    job.group_by.forEach((name, i) => field(name, [...at, 'group_by', i]));
    const window = job.window;
    const size = window.size === undefined ? undefined : parseDuration(window.size);
    const advance = window.advance === undefined ? undefined : parseDuration(window.advance);
    const wat = [...at, 'window'];
    if (window.type === 'session') {
      if (window.gap === undefined) add([...wat, 'gap'], 'a session window needs a gap, e.g. gap: 30m');
      else positive(window.gap, [...wat, 'gap'], 'gap');
      if (window.size !== undefined) add([...wat, 'size'], 'a session window has no size; give gap only');
      if (window.advance !== undefined) add([...wat, 'advance'], 'a session window has no advance; give gap only');
    } else {
      if (window.size === undefined) add([...wat, 'size'], `a ${window.type} window needs a size, e.g. size: 1m`);
      else positive(window.size, [...wat, 'size'], 'size');
      if (window.gap !== undefined) add([...wat, 'gap'], `a ${window.type} window has no gap (that is for session windows)`);
      if (window.type === 'tumbling' && advance !== undefined && advance !== size) add([...wat, 'advance'], 'a tumbling window advances by its size; use type: hopping for another advance');
      if (window.type === 'hopping') {
        if (window.advance === undefined) add([...wat, 'advance'], 'a hopping window needs an advance, e.g. advance: 1m');
        else if (advance === 0) add([...wat, 'advance'], 'advance must be longer than 0');
        else if (size !== undefined && advance !== undefined && advance > size) add([...wat, 'advance'], `advance ${window.advance} is longer than size ${window.size}: events between windows would be lost`);
      }
    }
    const aggNames = new Set([...job.group_by, 'window_start', 'window_end', 'revision']);
    job.aggregates.forEach((agg, i) => {
      const aat = [...at, 'aggregates', i];
      if (aggNames.has(agg.name)) add([...aat, 'name'], `column "${agg.name}" is defined twice (group_by, window_start, window_end and revision are taken)`);
      aggNames.add(agg.name);
      if (agg.fn === 'count' || agg.fn === 'ratio') {
        if (agg.field !== undefined) field(agg.field, [...aat, 'field']);
        if (agg.fn === 'ratio' && agg.where === undefined) add([...aat, 'where'], 'a ratio needs `where`: the condition whose share it measures');
      } else if (agg.field === undefined) {
        add([...aat, 'field'], `${agg.fn} needs a field`);
      } else {
        field(agg.field, [...aat, 'field'], agg.fn === 'count_distinct' ? undefined : 'numeric');
      }
      checkWhere(agg.where, list, [...aat, 'where']);
    });
  }

  function checkJoinJob(job: JoinJobConfig, at: PropertyKey[]) {
    positive(job.within, [...at, 'within'], 'within');
    const keyTypes: (string | undefined)[] = [];
    for (const side of ['left', 'right'] as const) {
      const sat = [...at, side];
      const columns = checkType(job[side].type, [...sat, 'type']);
      keyTypes.push(checkField(columns, job[side].type, job[side].key, [...sat, 'key']));
      job[side].fields.forEach((name, i) => checkField(columns, job[side].type, name, [...sat, 'fields', i]));
      checkWhere(job[side].where, [{ name: job[side].type, columns }], [...sat, 'where']);
    }
    if (keyTypes[0] && keyTypes[1] && keyTypes[0] !== keyTypes[1]) add([...at, 'right', 'key'], `the keys have different types (${keyTypes[0]} and ${keyTypes[1]}), so they can never be equal`);
  }

  function checkPatternJob(job: PatternJobConfig, at: PropertyKey[]) {
    positive(job.within, [...at, 'within'], 'within');
    if (types.has(job.emit.type)) add([...at, 'emit', 'type'], `"${job.emit.type}" is an event type of the contract already; a derived event needs a type of its own, e.g. ${job.emit.type}_suspected`);
    // The type names the lake view of its events (lake/reader.ts), so it must not name a table.
    else if (taken.has(job.emit.type) || file.streams.some((other) => other.name === job.emit.type)) add([...at, 'emit', 'type'], `"${job.emit.type}" is the name of a lake table or stream job already; the derived events are queried under their type's name, so choose another`);
    else if (emitted.has(job.emit.type)) add([...at, 'emit', 'type'], `"${job.emit.type}" is emitted by stream job ${emitted.get(job.emit.type)} already; give each pattern's derived events a type of their own`);
    emitted.set(job.emit.type, job.name);
    const keyFieldOfType = new Map<string, string>();
    let keyType: string | undefined;
    job.steps.forEach((step, i) => {
      const sat = [...at, 'steps', i];
      const columns = checkType(step.type, [...sat, 'type']);
      const keyField = step.key ?? job.key;
      const sqlType = checkField(columns, step.type, keyField, step.key ? [...sat, 'key'] : [...at, 'key']);
      if (sqlType && keyType && sqlType !== keyType) add([...sat, 'key'], `key "${keyField}" is ${sqlType} but earlier steps' keys are ${keyType}, so they can never be equal`);
      keyType ??= sqlType;
      const earlier = keyFieldOfType.get(step.type);
      if (earlier !== undefined && earlier !== keyField) add([...sat, 'key'], `steps of type "${step.type}" must use one key field (an earlier step uses "${earlier}")`);
      keyFieldOfType.set(step.type, keyField);
      checkWhere(step.where, [{ name: step.type, columns }], [...sat, 'where']);
    });
  }
}

/** Why a condition can never hold for a field, or undefined when it can. */
function neverMatches(condition: Where[string], sqlType: string, field: FieldSpec | undefined): string | undefined {
  const numeric = NUMERIC.has(sqlType);
  const values: unknown[] = typeof condition === 'object' && condition !== null
    ? [condition.eq, ...(condition.in ?? [])].filter((value) => value !== undefined)
    : [condition];
  for (const value of values) {
    if (numeric && typeof value !== 'number') return `${JSON.stringify(value)} is not a number but the field is ${sqlType}`;
    if (sqlType === 'VARCHAR' && typeof value !== 'string') return `${JSON.stringify(value)} is not text but the field is text`;
    if (sqlType === 'BOOLEAN' && typeof value !== 'boolean') return `${JSON.stringify(value)} is not true or false`;
    if (field?.enum && typeof value === 'string' && !field.enum.includes(value)) return `"${value}" is not a value of ${field.name} (one of ${field.enum.join(', ')})`;
    if (typeof value === 'number' && field?.minimum !== undefined && value < field.minimum) return `${value} is below the field's minimum ${field.minimum}`;
    if (typeof value === 'number' && field?.maximum !== undefined && value > field.maximum) return `${value} is above the field's maximum ${field.maximum}`;
  }
  if (typeof condition !== 'object' || condition === null) return undefined;
  if ((condition.gt !== undefined || condition.gte !== undefined || condition.lt !== undefined || condition.lte !== undefined) && !numeric) return `gt, gte, lt and lte compare numbers but the field is ${sqlType}`;
  const lower = Math.max(condition.gt ?? -Infinity, condition.gte ?? -Infinity, field?.minimum ?? -Infinity);
  const upper = Math.min(condition.lt ?? Infinity, condition.lte ?? Infinity, field?.maximum ?? Infinity);
  const lowerOpen = condition.gt !== undefined && condition.gt >= (condition.gte ?? -Infinity);
  const upperOpen = condition.lt !== undefined && condition.lt <= (condition.lte ?? Infinity);
  if (lower > upper || (lower === upper && (lowerOpen || upperOpen))) return `no number is in that range`;
  if (condition.eq !== undefined && condition.ne !== undefined && condition.eq === condition.ne) return 'eq and ne name the same value';
  return undefined;
}

/** The streams schema with the registry checks attached, for the config loader. */
export function streamsSchemaFor(registry: EventTypeRegistry, kafka?: KafkaOutputSettings) {
  return streamsFileSchema.superRefine((file, context) => {
    for (const issue of checkStreamReferences(file, registry, kafka)) context.addIssue({ code: 'custom', path: issue.path as (string | number)[], message: issue.message });
  });
}

/** One job, ready to run. */
export interface CompiledJob {
  name: string;
  kind: StreamJobConfig['kind'];
  description: string;
  config: StreamJobConfig;
  operator: AnyOperator;
  /** Lake columns read per event type (besides id, type, occurred_at). */
  fields: Map<string, string[]>;
  lateness: number;
  /** Changes whenever the definition changes; a checkpoint of another definition is discarded. */
  fingerprint: string;
  /** Topic the results are also produced to (`output.kafka.topic`). */
  kafkaTopic?: string;
}

export interface CompiledStreams {
  maxFutureSkew: number;
  /** Milliseconds between full checkpoints of the state (runner.ts). */
  checkpointInterval: number;
  /** Milliseconds of ingest time after which an event type no longer holds a watermark back (job.ts); Infinity: never. */
  idleTimeout: number;
  jobs: CompiledJob[];
}

/** Turns a checked streams file into operators (enabled jobs only). */
export function compileStreams(file: StreamsFile, registry: EventTypeRegistry): CompiledStreams {
  const types = typeColumns(registry);
  const sqlTypeOf = (type: string, field: string) => types.get(type)?.columns.get(field) ?? 'VARCHAR';
  const jobs = file.streams.filter((job) => job.enabled).map((job): CompiledJob => {
    const fields = new Map<string, Set<string>>();
    const read = (type: string, names: Iterable<string>) => {
      const set = fields.get(type) ?? new Set<string>();
      // id and type may be keys or conditions too; they are read again as fields then.
      for (const name of names) if (name !== 'occurred_at') set.add(name);
      fields.set(type, set);
    };
    const lateness = parseDuration(job.allowed_lateness)!;
    let operator: AnyOperator;
    if (job.kind === 'window') {
      const first = job.events[0]!;
      const aggregates: AggregateSpec[] = job.aggregates.map((agg) => {
        const fieldType = agg.field ? sqlTypeOf(first, agg.field) : 'BIGINT';
        const sqlType = agg.fn === 'count' || agg.fn === 'count_distinct' ? 'BIGINT'
          : agg.fn === 'sum' && fieldType === 'DECIMAL(18,4)' ? 'DECIMAL(18,4)'
            : (agg.fn === 'min' || agg.fn === 'max' || agg.fn === 'sum') && fieldType === 'BIGINT' ? 'BIGINT' : 'DOUBLE';
        const scale = fieldType === 'DECIMAL(18,4)' ? 10_000 : fieldType === 'BIGINT' || fieldType === 'INTEGER' ? 1 : 0;
        return { name: agg.name, fn: agg.fn, ...(agg.field ? { field: agg.field } : {}), ...(agg.where ? { where: compileWhere(agg.where) } : {}), scale, sqlType };
      });
      const window = job.window.type === 'session'
        ? { type: 'session' as const, gap: parseDuration(job.window.gap!)! }
        : { type: job.window.type, size: parseDuration(job.window.size!)!, advance: parseDuration(job.window.advance ?? job.window.size!)! };
      const names = [...job.group_by, ...job.aggregates.flatMap((agg) => [agg.field ?? '', ...Object.keys(agg.where ?? {})]).filter(Boolean), ...Object.keys(job.where ?? {})];
      for (const type of job.events) read(type, names);
      operator = new WindowOperator({
        name: job.name,
        eventTypes: job.events,
        where: compileWhere(job.where),
        window,
        lateness,
        groupBy: job.group_by.map((name) => ({ name, sqlType: sqlTypeOf(first, name) })),
        aggregates,
      }, [...(fields.get(first) ?? [])]) as unknown as AnyOperator;
    } else if (job.kind === 'join') {
      const side = (config: JoinJobConfig['left']) => {
        read(config.type, [config.key, ...config.fields, ...Object.keys(config.where ?? {})]);
        return { type: config.type, key: config.key, where: compileWhere(config.where), keySqlType: sqlTypeOf(config.type, config.key), fields: config.fields.map((name) => ({ name, sqlType: sqlTypeOf(config.type, name) })) };
      };
      operator = new JoinOperator({ name: job.name, left: side(job.left), right: side(job.right), within: parseDuration(job.within)!, lateness, emitUnmatched: job.emit_unmatched }) as unknown as AnyOperator;
    } else {
      const steps = job.steps.map((step) => {
        const key = step.key ?? job.key;
        read(step.type, [key, ...Object.keys(step.where ?? {})]);
        return { type: step.type, key, where: compileWhere(step.where), minCount: step.min_count };
      });
      operator = new PatternOperator({ name: job.name, steps, within: parseDuration(job.within)!, lateness, emitType: job.emit.type, keySqlType: sqlTypeOf(steps[0]!.type, steps[0]!.key) }) as unknown as AnyOperator;
    }
    return {
      name: job.name,
      kind: job.kind,
      description: job.description,
      config: job,
      operator,
      fields: new Map([...fields].map(([type, set]) => [type, [...set]])),
      lateness,
      // Where results go does not change them: adding an output keeps the job's state.
      fingerprint: createHash('sha256').update(JSON.stringify({ ...job, output: undefined })).digest('hex').slice(0, 16),
      ...(job.output?.kafka ? { kafkaTopic: job.output.kafka.topic } : {}),
    };
  });
  return { maxFutureSkew: parseDuration(file.max_future_skew)!, checkpointInterval: parseDuration(file.checkpoint_interval)!, idleTimeout: file.idle_timeout === 'never' ? Infinity : parseDuration(file.idle_timeout)!, jobs };
}

/**
 * Reads and checks `<workspace>/streams.yaml`; a workspace without the file has no jobs. `kafka`
 * (analytics.yaml's `kafka:`) is what Kafka outputs are checked against.
 */
export async function loadStreams(workspaceRoot: string, registry: EventTypeRegistry, kafka?: KafkaOutputSettings): Promise<{ file: StreamsFile; compiled: CompiledStreams; path: string | undefined }> {
  const file = path.join(workspaceRoot, STREAMS_FILE);
  if (!existsSync(file)) {
    const empty = streamsFileSchema.parse({});
    return { file: empty, compiled: compileStreams(empty, registry), path: undefined };
  }
  const parsed = await loadConfigFile(file, streamsSchemaFor(registry, kafka)) as StreamsFile;
  return { file: parsed, compiled: compileStreams(parsed, registry), path: file };
}

