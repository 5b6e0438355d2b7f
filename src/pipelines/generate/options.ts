/** Options of the generator, their defaults and their validation. */
import { UserError } from '../../errors.js';
import { EVENT_TYPES, type EventTypeName } from './events.js';

export interface GenerateOptions {
  /** Same seed and options give byte-identical output. Any safe integer. */
  seed: number;
  /** Total records, good, bad and duplicates together; default round(rate × seconds(end − start)). */
  count?: number;
  /** Average events per second of event time when `count` is absent (default 2). */
  rate?: number;
  /** Start of event time, inclusive. */
  start: Date;
  /** End of event time, exclusive. */
  end: Date;
  /** Event types to generate (default all four). */
  types?: EventTypeName[];
  /** Share of malformed records, 0..1 (default 0). */
  badRatio?: number;
  /** Share of exact re-sends of an earlier record (same id), 0..1 (default 0). */
  duplicateRatio?: number;
}

/** Options with defaults applied and times as epoch milliseconds. */
export interface ResolvedOptions {
  seed: number;
  count: number;
  startMs: number;
  endMs: number;
  types: ReadonlySet<EventTypeName>;
  badRatio: number;
  duplicateRatio: number;
}

export const DEFAULT_RATE = 2;

function fail(message: string, hint: string): never {
  throw new UserError('BAD_ARGUMENT', message, { hint });
}

function ratio(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0 || value > 1) fail(`${name} must be between 0 and 1, got ${value}.`, `Pass a share such as 0.02.`);
  return value;
}

/** Applies defaults and checks every option; throws a UserError (BAD_ARGUMENT) naming the problem. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const { seed } = options;
  if (!Number.isSafeInteger(seed)) fail(`seed must be a safe integer, got ${seed}.`, 'Pass a whole number such as 42.');
  const startMs = options.start instanceof Date ? options.start.getTime() : Number.NaN;
  const endMs = options.end instanceof Date ? options.end.getTime() : Number.NaN;
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) fail('start and end must be valid dates.', 'Pass ISO 8601 times such as 2026-11-25T00:00:00Z.');
  if (endMs <= startMs) fail(`end (${options.end.toISOString()}) must be after start (${options.start.toISOString()}).`, 'Swap them or widen the range.');
  const rate = options.rate ?? DEFAULT_RATE;
  if (!Number.isFinite(rate) || rate <= 0) fail(`rate must be a positive number of events per second, got ${rate}.`, 'Pass e.g. 2.');
  const count = options.count ?? Math.round((rate * (endMs - startMs)) / 1000);
  if (!Number.isSafeInteger(count) || count < 0) fail(`count must be a whole number ≥ 0, got ${count}.`, 'Pass e.g. 100000.');
  const typeList = options.types ?? [...EVENT_TYPES];
  if (typeList.length === 0) fail('types must name at least one event type.', `Choose from ${EVENT_TYPES.join(', ')}.`);
  for (const type of typeList) {
    if (!EVENT_TYPES.includes(type)) fail(`Unknown event type "${String(type)}".`, `Choose from ${EVENT_TYPES.join(', ')}.`);
  }
  const badRatio = ratio('badRatio', options.badRatio);
  const duplicateRatio = ratio('duplicateRatio', options.duplicateRatio);
  if (badRatio + duplicateRatio > 1) fail('badRatio plus duplicateRatio must not exceed 1.', 'Lower one of them.');
  return { seed, count, startMs, endMs, types: new Set(typeList), badRatio, duplicateRatio };
}
