/**
 * Classical additive decomposition (as in R's `decompose`, Kendall & Stuart; Hyndman &
 * Athanasopoulos, FPP §3.4): y = trend + seasonal + remainder.
 */
import { median } from 'simple-statistics';
import { linearFit } from './trend.js';
import { requireInteger, requirePoints } from './stats-input-error.js';

/** Result of {@link classicalDecomposition}. */
export interface Decomposition {
  /** Centred moving average of order `period` (2×period when even); null for the first and last ⌊period/2⌋ points. */
  trend: (number | null)[];
  /** The seasonal index of each point's position in the cycle (counted from the first point). */
  seasonal: number[];
  /** The `period` seasonal indices, summing to 0. */
  indices: number[];
  /** y − trend − seasonal; null where the trend is. */
  remainder: (number | null)[];
}

/** The minimum length of a decomposition: two full seasons. */
export function decompositionMinPoints(period: number): number {
  return 2 * period;
}

/**
 * Classical additive decomposition with season length `period` (≥ 2):
 * 1. trend = centred moving average (for an even period the 2×m average, weights 1/(2m) on the
 *    two ends and 1/m inside);
 * 2. seasonal index of position p = mean of y − trend over the points at position p, then all
 *    indices shifted to sum to 0;
 * 3. remainder = y − trend − seasonal.
 *
 * `seasonal: 'median'` takes the median instead of the mean in step 2, which an anomaly at the
 * same position on another cycle cannot move (the anomaly detector uses it to clean flagged points).
 *
 * @throws StatsInputError when `period` is not an integer ≥ 2 or there are fewer than two seasons.
 */
export function classicalDecomposition(values: readonly number[], period: number, options: { seasonal?: 'mean' | 'median' } = {}): Decomposition {
  requireInteger('seasonLength', period, 2);
  requirePoints(`A seasonal decomposition with season length ${period}`, values.length, decompositionMinPoints(period), `two full seasons of ${period}`);
  const n = values.length;
  const half = Math.floor(period / 2);
  const trend: (number | null)[] = new Array<number | null>(n).fill(null);
  // Prefix sums keep the moving average O(n).
  const prefix = [0];
  for (const value of values) prefix.push(prefix[prefix.length - 1]! + value);
  const windowSum = (from: number, to: number): number => prefix[to + 1]! - prefix[from]!;
  for (let i = half; i < n - half; i++) {
    trend[i] = period % 2 === 1
      ? windowSum(i - half, i + half) / period
      : (0.5 * values[i - half]! + windowSum(i - half + 1, i + half - 1) + 0.5 * values[i + half]!) / period;
  }
  const detrended: number[][] = Array.from({ length: period }, () => []);
  for (let i = 0; i < n; i++) {
    const level = trend[i];
    if (level !== null && level !== undefined) detrended[i % period]!.push(values[i]! - level);
  }
  const raw = detrended.map((list) => (options.seasonal === 'median' ? median(list) : list.reduce((sum, v) => sum + v, 0) / list.length));
  const offset = raw.reduce((sum, value) => sum + value, 0) / period;
  const indices = raw.map((value) => value - offset);
  const seasonal = values.map((_, i) => indices[i % period]!);
  const remainder = values.map((value, i) => {
    const level = trend[i];
    return level === null || level === undefined ? null : value - level - seasonal[i]!;
  });
  return { trend, seasonal, indices, remainder };
}

/**
 * The trend with its undefined ends filled by extending a least-squares line through the first
 * (or last) `period` defined trend values, so the most recent points get an expected value too.
 */
export function extendTrend(trend: readonly (number | null)[], period: number): number[] {
  const defined = trend.flatMap((value, i) => (value === null ? [] : [{ i, value }]));
  const head = defined.slice(0, period);
  const tail = defined.slice(-period);
  const line = (points: { i: number; value: number }[]): ((i: number) => number) => {
    const fit = linearFit(points.map((p) => p.i), points.map((p) => p.value));
    return (i) => fit.intercept + fit.slope * i;
  };
  const before = line(head);
  const after = line(tail);
  const first = defined[0]!.i;
  return trend.map((value, i) => (value !== null ? value : i < first ? before(i) : after(i)));
}
