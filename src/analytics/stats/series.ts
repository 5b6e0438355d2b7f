/**
 * Time series as the statistics library takes them, and their regularisation: sorted, finite,
 * one point per step of the grain, with every gap either filled (and reported) or refused.
 *
 * All calendar arithmetic is in UTC: a day is 24 hours, a week is 7 days counted from the first
 * point (not from a fixed weekday), and months and quarters step by calendar month from the first
 * point's day of month (clamped to the month's length).
 */
import { StatsInputError } from './stats-input-error.js';

/** The time grains a series can have. */
export type Grain = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter';

/** All grains, finest first. */
export const GRAINS: readonly Grain[] = ['minute', 'hour', 'day', 'week', 'month', 'quarter'];

/** One observation. */
export interface Point {
  timestamp: Date;
  value: number;
  /**
   * Optional sample size behind a value that is a rate, average or percentile of rows. When every
   * point has one, anomaly scoring trusts a value in proportion to it (see anomalies.ts).
   */
  weight?: number;
}

/** Observations on a grain. Analysis functions expect one point per step (see {@link regularize}). */
export interface Series {
  points: Point[];
  grain: Grain;
}

/** How {@link regularize} treats missing steps. */
export type GapFill = 'zero' | 'interpolate' | 'error';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Fixed step lengths in ms; months and quarters are calendar steps. */
const FIXED_STEP_MS: Partial<Record<Grain, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };

/** Calendar months per step for the calendar grains. */
const MONTHS_PER_STEP: Partial<Record<Grain, number>> = { month: 1, quarter: 3 };

/**
 * Average length of one step in days (months and quarters use the Gregorian average of
 * 30.436875 days a month), for turning a slope per step into a slope per day.
 */
export function stepDays(grain: Grain): number {
  const fixed = FIXED_STEP_MS[grain];
  if (fixed !== undefined) return fixed / DAY_MS;
  return (MONTHS_PER_STEP[grain] ?? 1) * 30.436875;
}

/** A series longer than this after filling gaps is refused: it means a grain far finer than the data. */
export const MAX_POINTS = 2_000_000;

/**
 * The natural season length of a grain, in steps: minute → 60 (the hourly cycle), hour → 24 (the
 * daily cycle), day → 7 (the weekly cycle), week → 52 and month → 12 (the yearly cycle),
 * quarter → 4.
 */
export function seasonLength(grain: Grain): number {
  switch (grain) {
    case 'minute':
      return 60;
    case 'hour':
      return 24;
    case 'day':
      return 7;
    case 'week':
      return 52;
    case 'month':
      return 12;
    case 'quarter':
      return 4;
  }
}

/** Throws unless `grain` is one of {@link GRAINS}. */
export function assertGrain(grain: unknown): asserts grain is Grain {
  if (typeof grain !== 'string' || !GRAINS.includes(grain as Grain)) {
    throw new StatsInputError(`Unknown grain "${String(grain)}".`, `Choose from ${GRAINS.join(', ')}.`);
  }
}

/** The timestamp `steps` grain steps after `origin` (UTC; months clamp the day to the month's length). */
export function addSteps(origin: Date, grain: Grain, steps: number): Date {
  const fixed = FIXED_STEP_MS[grain];
  if (fixed !== undefined) return new Date(origin.getTime() + steps * fixed);
  const months = steps * (MONTHS_PER_STEP[grain] ?? 1);
  const year = origin.getUTCFullYear();
  const month = origin.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(origin.getUTCDate(), lastDay);
  return new Date(Date.UTC(year, month, day, origin.getUTCHours(), origin.getUTCMinutes(), origin.getUTCSeconds(), origin.getUTCMilliseconds()));
}

/** The step index of `at` on the grid that starts at `origin`, or null when `at` is not on the grid. */
function stepIndex(origin: Date, grain: Grain, at: Date): number | null {
  const fixed = FIXED_STEP_MS[grain];
  if (fixed !== undefined) {
    const steps = (at.getTime() - origin.getTime()) / fixed;
    return Number.isInteger(steps) ? steps : null;
  }
  const months = (at.getUTCFullYear() - origin.getUTCFullYear()) * 12 + (at.getUTCMonth() - origin.getUTCMonth());
  const per = MONTHS_PER_STEP[grain] ?? 1;
  if (months % per !== 0) return null;
  const steps = months / per;
  return addSteps(origin, grain, steps).getTime() === at.getTime() ? steps : null;
}

function iso(date: Date): string {
  return date.toISOString();
}

/**
 * Checks, sorts and completes a series so that it has exactly one finite value per grain step.
 *
 * - Points are sorted by time (the input is not changed).
 * - A NaN or infinite value, or an invalid timestamp, is an error naming the first bad point in
 *   time order; nothing is dropped silently.
 * - Two points with the same timestamp are an error (aggregate them first).
 * - A timestamp off the grid that starts at the first point (for example 10:30 in an hourly
 *   series) is an error.
 * - Missing steps between the first and last point are gaps. `fill: 'error'` (the default) refuses
 *   them; `'zero'` fills them with 0, which is right for counts (no event means zero events);
 *   `'interpolate'` fills them on the straight line between the neighbouring points, which suits
 *   rates and levels. Choosing is the caller's job, because only the caller knows what the metric
 *   is. Every filled timestamp is returned in `filled`.
 *
 * @throws StatsInputError when the series is empty, has bad values, duplicates, off-grid
 *   timestamps, gaps with `fill: 'error'`, or would exceed {@link MAX_POINTS} after filling.
 */
export function regularize(series: Series, options: { fill?: GapFill } = {}): { series: Series; filled: Date[] } {
  const fill = options.fill ?? 'error';
  if (fill !== 'zero' && fill !== 'interpolate' && fill !== 'error') {
    throw new StatsInputError(`Unknown gap fill "${String(fill)}".`, "Use 'zero' (counts), 'interpolate' (rates, levels) or 'error'.");
  }
  if (series === null || typeof series !== 'object' || !Array.isArray(series.points)) {
    throw new StatsInputError('A series needs a points array and a grain.');
  }
  assertGrain(series.grain);
  const grain = series.grain;
  if (series.points.length === 0) throw new StatsInputError('The series has no points.', 'Check the time range and filters.');

  series.points.forEach((point, index) => {
    const time = point?.timestamp instanceof Date ? point.timestamp.getTime() : Number.NaN;
    if (!Number.isFinite(time)) throw new StatsInputError(`Point ${index} has an invalid timestamp (${String(point?.timestamp)}).`);
  });
  const sorted = [...series.points].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());

  const bad = sorted.find((point) => typeof point.value !== 'number' || !Number.isFinite(point.value));
  if (bad !== undefined) {
    const count = sorted.filter((point) => typeof point.value !== 'number' || !Number.isFinite(point.value)).length;
    throw new StatsInputError(
      `The series has ${count} value${count === 1 ? '' : 's'} that ${count === 1 ? 'is' : 'are'} not a finite number; the first is ${String(bad.value)} at ${iso(bad.timestamp)}.`,
      'Remove or repair those points; NaN and infinite values are never dropped silently.',
    );
  }

  const weighted = sorted.some((point) => point.weight !== undefined);
  const badWeight = sorted.find((point) => weighted && !(typeof point.weight === 'number' && Number.isFinite(point.weight) && point.weight >= 0));
  if (badWeight !== undefined) {
    throw new StatsInputError(
      `The point at ${iso(badWeight.timestamp)} has weight ${String(badWeight.weight)}; weights must be given for every point and be finite and not negative.`,
      'Give every point its sample size, or none.',
    );
  }

  const origin = sorted[0]!.timestamp;
  const indexed: { index: number; point: Point }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const point = sorted[i]!;
    if (i > 0 && point.timestamp.getTime() === sorted[i - 1]!.timestamp.getTime()) {
      throw new StatsInputError(
        `The series has more than one point at ${iso(point.timestamp)}.`,
        `Aggregate to one value per ${grain} before analysing (sum counts, recompute rates).`,
      );
    }
    const index = stepIndex(origin, grain, point.timestamp);
    if (index === null) {
      throw new StatsInputError(
        `The timestamp ${iso(point.timestamp)} is not on the ${grain} grid that starts at the first point (${iso(origin)}).`,
        `Truncate timestamps to the start of each ${grain} and aggregate.`,
      );
    }
    indexed.push({ index, point });
  }

  const length = indexed[indexed.length - 1]!.index + 1;
  if (length > MAX_POINTS) {
    throw new StatsInputError(
      `Spread over ${grain}s, the series would have ${length} points (more than ${MAX_POINTS}); the grain is much finer than the data.`,
      'Use a coarser grain.',
    );
  }
  const missing = length - indexed.length;
  if (missing > 0 && fill === 'error') {
    const firstGap = indexed.findIndex((entry, i) => entry.index !== i);
    const at = addSteps(origin, grain, firstGap);
    throw new StatsInputError(
      `The series has ${missing} missing ${grain}${missing === 1 ? '' : 's'} between ${iso(origin)} and ${iso(indexed[indexed.length - 1]!.point.timestamp)}; the first is ${iso(at)}.`,
      "Fill them with regularize(series, { fill: 'zero' }) for counts or { fill: 'interpolate' } for rates and levels, or use a coarser grain.",
    );
  }

  const points: Point[] = [];
  const filled: Date[] = [];
  for (let k = 0; k < indexed.length; k++) {
    const entry = indexed[k]!;
    points.push({ timestamp: entry.point.timestamp, value: entry.point.value, ...(weighted ? { weight: entry.point.weight! } : {}) });
    const next = indexed[k + 1];
    if (next === undefined) break;
    const gap = next.index - entry.index;
    for (let step = 1; step < gap; step++) {
      const timestamp = addSteps(origin, grain, entry.index + step);
      const value = fill === 'zero' ? 0 : entry.point.value + ((next.point.value - entry.point.value) * step) / gap;
      // A filled step was not observed: with weights, it carries none.
      points.push({ timestamp, value, ...(weighted ? { weight: 0 } : {}) });
      filled.push(timestamp);
    }
  }
  return { series: { points, grain }, filled };
}

/** A validated regular series as parallel arrays, which is what the routines compute on. */
export interface RegularSeries {
  grain: Grain;
  timestamps: Date[];
  values: number[];
  /** Sample sizes, when the series has them (see {@link Point.weight}). */
  weights?: number[];
}

/**
 * Validates a series for an analysis routine: it must already be regular (no gaps), so no
 * routine fills anything behind the caller's back.
 */
export function toRegular(series: Series): RegularSeries {
  const { series: regular } = regularize(series, { fill: 'error' });
  return {
    grain: regular.grain,
    timestamps: regular.points.map((point) => point.timestamp),
    values: regular.points.map((point) => point.value),
    ...(regular.points[0]?.weight !== undefined ? { weights: regular.points.map((point) => point.weight!) } : {}),
  };
}
