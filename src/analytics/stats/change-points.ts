/**
 * Change points in the mean by PELT (Killick, Fearnhead & Eckley 2012): the exact minimiser of
 * Σ segment costs + penalty × (number of change points), with the normal mean-change cost
 * C(segment) = Σ (y − segment mean)² / σ².
 */
import { classicalDecomposition } from './decomposition.js';
import { robustScale } from './robust-scale.js';
import { seasonLength as grainSeasonLength, toRegular, type Series } from './series.js';
import { requireInteger, requireNumber, requirePoints } from './stats-input-error.js';

/** A change in the mean: the segment before ends at `index − 1`, the one after starts at `index`. */
export interface ChangePoint {
  index: number;
  timestamp: Date;
  /** Mean of the (seasonally adjusted, when adjusted) values of the segment before. */
  before: number;
  /** Mean of the segment after. */
  after: number;
}

/** Options of {@link changePoints}. */
export interface ChangePointOptions {
  /** Shortest segment, in points (≥ 2); default 5. */
  minSegment?: number;
  /** Cost of one change point, in units of σ²-scaled squared error; default 3·ln(n) (an MBIC-like penalty). */
  penalty?: number;
  /**
   * Subtract the classical seasonal component (season length of the grain) before looking for
   * changes, so a daily cycle is not read as changes; default true when the series has two full
   * seasons, false otherwise.
   */
  deseasonalize?: boolean;
}

export const DEFAULT_MIN_SEGMENT = 5;

/**
 * The optimal segmentation of `values` under the penalised mean-change cost, given σ.
 * Returns the start index of every segment after the first.
 */
export function pelt(values: readonly number[], sigma: number, penalty: number, minSegment: number): number[] {
  const n = values.length;
  const s1 = [0];
  const s2 = [0];
  for (const value of values) {
    s1.push(s1[s1.length - 1]! + value);
    s2.push(s2[s2.length - 1]! + value * value);
  }
  const variance = sigma * sigma;
  // Cost of the segment values[from..to), never below 0 despite rounding.
  const cost = (from: number, to: number): number => {
    const sum = s1[to]! - s1[from]!;
    return Math.max(0, s2[to]! - s2[from]! - (sum * sum) / (to - from)) / variance;
  };
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const previous = new Array<number>(n + 1).fill(0);
  best[0] = -penalty;
  // Candidates for the last change before t; `expires` is when pruning takes effect (see below).
  let candidates: { start: number; expires: number }[] = [];
  for (let t = minSegment; t <= n; t++) {
    const newcomer = t - minSegment;
    if (newcomer === 0 || newcomer >= minSegment) candidates.push({ start: newcomer, expires: Number.POSITIVE_INFINITY });
    candidates = candidates.filter((candidate) => candidate.expires > t);
    let value = Number.POSITIVE_INFINITY;
    let argument = 0;
    for (const { start } of candidates) {
      const total = best[start]! + cost(start, t) + penalty;
      if (total < value) {
        value = total;
        argument = start;
      }
    }
    best[t] = value;
    previous[t] = argument;
    // PELT pruning: if F(s) + C(s, t) > F(t), then s can never beat t as the last change for any
    // end T ≥ t + minSegment. Ends closer than that cannot use t, so s stays until then.
    for (const candidate of candidates) {
      if (candidate.expires === Number.POSITIVE_INFINITY && best[candidate.start]! + cost(candidate.start, t) > value) {
        candidate.expires = t + minSegment;
      }
    }
  }
  const changes: number[] = [];
  for (let t = n; t > 0; t = previous[t]!) if (previous[t]! > 0) changes.unshift(previous[t]!);
  return changes;
}

/**
 * Change points in the mean of a regular series, by PELT with the normal mean-change cost.
 * σ is estimated robustly from first differences (1.4826·MAD(Δy)/√2), which a shift in the
 * mean barely affects. The series is seasonally adjusted first when it has two full seasons
 * (see {@link ChangePointOptions.deseasonalize}). Isolated spikes can show up as a pair of
 * changes around a short segment; raise `minSegment` or `penalty` against that. Needs
 * 2·minSegment points; a constant series has no change points.
 *
 * @throws StatsInputError for an irregular or too short series, or bad options.
 */
export function changePoints(series: Series, options: ChangePointOptions = {}): ChangePoint[] {
  const { values, timestamps, grain } = toRegular(series);
  const minSegment = options.minSegment ?? DEFAULT_MIN_SEGMENT;
  requireInteger('minSegment', minSegment, 2);
  requirePoints('Change-point detection', values.length, 2 * minSegment, `two segments of at least ${minSegment}`);
  const n = values.length;
  const penalty = options.penalty ?? 3 * Math.log(n);
  requireNumber('penalty', penalty, 0, Number.POSITIVE_INFINITY, true);
  const m = grainSeasonLength(grain);
  const adjust = options.deseasonalize ?? n >= 2 * m;
  const adjusted = adjust ? classicalDecomposition(values, m).seasonal.map((s, i) => values[i]! - s) : values;

  const differences = adjusted.slice(1).map((value, i) => value - adjusted[i]!);
  const sigma = robustScale(differences).scale / Math.SQRT2;
  if (sigma === 0) return [];
  const starts = pelt(adjusted, sigma, penalty, minSegment);
  const bounds = [0, ...starts, n];
  const means = bounds.slice(0, -1).map((from, k) => {
    const to = bounds[k + 1]!;
    return adjusted.slice(from, to).reduce((sum, value) => sum + value, 0) / (to - from);
  });
  return starts.map((index, k) => ({ index, timestamp: timestamps[index]!, before: means[k]!, after: means[k + 1]! }));
}
