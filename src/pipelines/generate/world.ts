/** What every event builder draws on: the PRNG, the population, the anomaly plan and the clock. */
import type { AnomalyPlan } from './anomalies.js';
import type { EventTypeName, GeneratedEvent } from './events.js';
import { SOURCES } from './events.js';
import { randomId, traceId } from './ids.js';
import type { Population } from './population.js';
import type { Prng } from './prng.js';
import type { TimestampFormatter } from './timestamps.js';

export interface World {
  prng: Prng;
  population: Population;
  plan: AnomalyPlan;
  timestamps: TimestampFormatter;
  enabled: ReadonlySet<EventTypeName>;
}

/** Share of events that carry a trace id. */
const TRACED_SHARE = 0.9;

/**
 * An envelope around `data`. Follow-up events pass the trace id of their cause, so a transaction,
 * its score and its notice correlate.
 */
export function envelope<T extends EventTypeName>(
  world: World,
  type: T,
  at: number,
  data: GeneratedEvent<T>['data'],
  trace: string | undefined | null = null,
): GeneratedEvent<T> {
  const { prng } = world;
  return {
    id: randomId(prng, 'evt_', 20),
    type,
    version: 1,
    occurred_at: world.timestamps.random(at, prng),
    source: SOURCES[type],
    trace_id: trace === null ? (prng.chance(TRACED_SHARE) ? traceId(prng) : undefined) : trace,
    data,
  };
}
