/**
 * Seeded random batches of events for the operator tests: arrival order differs from event
 * time (jitter), a share of events arrives far too late, and a few lie in the future.
 */
import type { StreamEvent } from '../../../src/streams/stream-event.js';
import { uniforms } from '../stats/synthetic-series.js';

export const T0 = Date.parse('2026-11-25T00:00:00Z');

/** The seeded PRNG of the statistics tests (mulberry32), uniforms in [0, 1). */
export const rng = uniforms;

export interface Batch {
  events: StreamEvent[];
  /** Ingest time of the batch (epoch ms). */
  ingestedAt: number;
}

export interface GenerateOptions {
  seed: number;
  batches: number;
  perBatch: number;
  /** Clock step per event (ms). */
  step: number;
  /** Usual disorder (ms). */
  jitter: number;
  /** Share of events delayed by up to `lateBy`. */
  lateShare: number;
  lateBy: number;
  /** Share of events far ahead of the batch's ingest time (beyond any future skew allowed). */
  futureShare?: number;
  make: (random: () => number, index: number) => { type: string; fields: StreamEvent['fields'] };
}

export function generateBatches(options: GenerateOptions): Batch[] {
  const random = rng(options.seed);
  let clock = T0;
  let counter = 0;
  const batches: Batch[] = [];
  for (let b = 0; b < options.batches; b++) {
    const events: StreamEvent[] = [];
    const size = Math.floor(random() * options.perBatch);
    for (let i = 0; i < size; i++) {
      clock += Math.floor(random() * options.step);
      let time = clock - Math.floor(random() * options.jitter);
      if (random() < options.lateShare) time -= Math.floor(random() * options.lateBy);
      if (random() < (options.futureShare ?? 0)) time += 3_600_000;
      const { type, fields } = options.make(random, counter);
      events.push({ id: `e${String(counter).padStart(5, '0')}`, type, time, fields });
      counter++;
    }
    // Shuffle: arrival order within a batch is not event-time order.
    for (let i = events.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
    batches.push({ events, ingestedAt: clock });
  }
  return batches;
}

export function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}
