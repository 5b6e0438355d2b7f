/**
 * Drives one job over one batch: keeps the job's types, refuses events too far in the future
 * (they never move the watermark), orders the rest by event time then id, and advances the
 * operator from the watermark before the batch to the one after it. Pure: the same state and
 * batch give the same emissions, which is what makes replay equal the live run.
 */
import type { CompiledJob } from './config.js';
import { formatDuration } from './duration.js';
import type { Emission } from './operator.js';
import { iso } from './operator.js';
import { compareEvents, type RefusedEvent, type StreamEvent } from './stream-event.js';

/** A job's checkpoint, written with JSON.stringify. */
export interface JobState {
  fingerprint: string;
  /** The job's watermark (epoch ms), null before the first event: see `advanceJob`. */
  watermark: number | null;
  /** Newest event time seen per event type of the job. */
  typeWatermarks?: Record<string, number>;
  /** Ingest time (epoch ms) of the last batch that brought an event of each type. */
  typeSeenAt?: Record<string, number>;
  /** Ingest time of the job's first batch: when a type never seen started to be waited for. */
  startedAt?: number;
  operator: unknown;
}

export interface JobAdvance {
  state: JobState;
  emissions: Emission[];
  refused: RefusedEvent[];
}

export function initialJobState(job: CompiledJob): JobState {
  return { fingerprint: job.fingerprint, watermark: null, typeWatermarks: {}, operator: job.operator.initialState() };
}

/**
 * Advances `state` (mutated and returned) by one batch. `ingestedAt` (epoch ms) is the batch's
 * commit time, stored with every event, so the future-skew check is the same on replay.
 * `batchSorted`: the batch is already in processing order (compareEvents).
 *
 * The watermark is the smallest, over the job's event types, of the newest event time of that
 * type (never moving back); it stays unset until every type has been seen. One type per Kafka topic, so a topic that is read ahead
 * of another (a backlog after a restart, a slow partition) does not make the other's events late.
 *
 * A type that brought no event for `idleTimeout` of ingest time (or was never seen, for that long
 * since the job's first batch) stops holding the watermark back: without it, a join or pattern
 * whose other type stopped flowing (a service down, a topic not produced) would hold every event
 * forever. Ingest time is each batch's `ingested_at`, stored in the lake, so replay decides the
 * same. Infinity: never idle.
 */
export function advanceJob(job: CompiledJob, state: JobState, batch: readonly StreamEvent[], ingestedAt: number, maxFutureSkew: number, idleTimeout = Infinity, batchSorted = false): JobAdvance {
  if (job.operator.revive) state.operator = job.operator.revive(state.operator);
  const refused: RefusedEvent[] = [];
  const types = new Set(job.operator.eventTypes);
  const events: StreamEvent[] = [];
  // Newest event time per type of this batch, found in the same pass.
  const newest = new Map<string, number>();
  for (const event of batch) {
    if (!types.has(event.type)) continue;
    if (event.time > ingestedAt + maxFutureSkew) {
      refused.push({ job: job.name, stage: 'future', eventId: event.id, eventType: event.type, time: event.time, reason: `stream job ${job.name}: occurred_at ${iso(event.time)} is more than max_future_skew (${formatDuration(maxFutureSkew)}) after its ingest time (rejected_at)` });
      continue;
    }
    events.push(event);
    const time = newest.get(event.type);
    if (time === undefined || event.time > time) newest.set(event.type, event.time);
  }
  if (events.length === 0) return { state, emissions: [], refused };
  // A batch the caller sorted stays sorted when filtered (the runner sorts once for all jobs).
  if (!batchSorted) events.sort(compareEvents);
  const before = state.watermark;
  const typeWatermarks = (state.typeWatermarks ??= {});
  const seenAt = (state.typeSeenAt ??= {});
  state.startedAt ??= ingestedAt;
  for (const [type, time] of newest) {
    const seen = typeWatermarks[type];
    if (seen === undefined || time > seen) typeWatermarks[type] = time;
    seenAt[type] = ingestedAt;
  }
  // The batch's own types are always active (0 ≤ idleTimeout), so `active` is never empty.
  const active = job.operator.eventTypes.filter((type) => ingestedAt - (seenAt[type] ?? state.startedAt!) <= idleTimeout);
  // Until every active type of the job has been seen, a type not read yet could still be behind.
  const slowest = active.every((type) => typeWatermarks[type] !== undefined) ? Math.min(...active.map((type) => typeWatermarks[type]!)) : null;
  const after = slowest === null ? before : before === null ? slowest : Math.max(before, slowest);
  const emissions = job.operator.advance(state.operator, events, { before, after }, (event, reason) => {
    refused.push({ job: job.name, stage: 'late', eventId: event.id, eventType: event.type, time: event.time, reason: `late for stream job ${job.name}: ${reason}` });
  });
  state.watermark = after;
  return { state, emissions, refused };
}
