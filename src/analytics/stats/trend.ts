/**
 * Trend: an ordinary least-squares line with a 95 % confidence interval on its slope, the
 * Mann–Kendall test for a monotonic trend, and the percent change along the fitted line.
 */
import { linearRegression } from 'simple-statistics';
import { normalCdf, studentTQuantile } from './distributions.js';
import { stepDays, toRegular, type Series } from './series.js';
import { requirePoints } from './stats-input-error.js';

/** Result of the Mann–Kendall test. */
export interface MannKendallResult {
  /** S = Σ_{i<j} sign(x_j − x_i). */
  s: number;
  /** Variance of S under no trend, corrected for ties. */
  variance: number;
  /** Normal score of S with continuity correction: (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, else 0. */
  z: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)) from the normal approximation. */
  pValue: number;
  /** Kendall's tau-a, S / (n(n − 1)/2). */
  tau: number;
  /** `increasing` or `decreasing` when p < 0.05, else `none`. */
  trend: 'increasing' | 'decreasing' | 'none';
}

/** Result of {@link trend}. */
export interface TrendResult {
  /** Least-squares slope, in value units per grain step. */
  slope: number;
  /** The slope per day (per step divided by the step's length in days; months use 30.436875 days). */
  slopePerDay: number;
  /** The fitted value at the first point. */
  intercept: number;
  /** Coefficient of determination; 1 for a constant series (the flat line fits it exactly). */
  r2: number;
  /** 95 % confidence interval of the slope per step, from the t distribution with n − 2 degrees of freedom. */
  slopeCi95: [number, number];
  mannKendall: MannKendallResult;
  /**
   * Change along the fitted line from the first to the last point, in percent of the fitted first
   * value: 100·slope·(n − 1)/|intercept|. Null when the fitted first value is zero (no base to
   * compare with). The fitted line is used rather than the raw end points, which in a seasonal
   * series compare different phases of the cycle.
   */
  percentChange: number | null;
}

/** The minimum number of points for {@link trend}: a slope interval needs one degree of freedom. */
export const TREND_MIN_POINTS = 3;

/**
 * S = Σ_{i<j} sign(x_j − x_i) in O(n log n) (Knight 1966): with N = n(n − 1)/2 pairs, T the
 * pairs of equal values and D the discordant pairs (i < j, x_i > x_j, counted while merge
 * sorting), S = (N − T − D) − D.
 */
function kendallS(values: readonly number[]): number {
  const n = values.length;
  let discordant = 0;
  let work = [...values];
  let buffer = new Array<number>(n);
  for (let width = 1; width < n; width *= 2) {
    for (let start = 0; start < n; start += 2 * width) {
      const middle = Math.min(start + width, n);
      const end = Math.min(start + 2 * width, n);
      let left = start;
      let right = middle;
      let out = start;
      while (left < middle && right < end) {
        // Equal values are not discordant: take from the left on ties.
        if (work[left]! <= work[right]!) buffer[out++] = work[left++]!;
        else {
          discordant += middle - left;
          buffer[out++] = work[right++]!;
        }
      }
      while (left < middle) buffer[out++] = work[left++]!;
      while (right < end) buffer[out++] = work[right++]!;
    }
    [work, buffer] = [buffer, work];
  }
  let tied = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && work[j] === work[i]) j++;
    tied += ((j - i) * (j - i - 1)) / 2;
    i = j;
  }
  return (n * (n - 1)) / 2 - tied - 2 * discordant;
}

/**
 * Mann–Kendall test for a monotonic trend (Mann 1945; Kendall 1975; Gilbert 1987, §16.4).
 * The normal approximation is the usual one and is rough below about 10 points.
 * A constant series has variance 0 and gets z = 0, p = 1.
 *
 * @throws StatsInputError with fewer than 3 values.
 */
export function mannKendall(values: readonly number[]): MannKendallResult {
  const n = values.length;
  requirePoints('The Mann–Kendall test', n, 3, 'at least three observations to compare');
  const s = kendallS(values);
  const groups = new Map<number, number>();
  for (const value of values) groups.set(value, (groups.get(value) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of groups.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  let z = 0;
  if (variance > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(variance);
    else if (s < 0) z = (s + 1) / Math.sqrt(variance);
  }
  const pValue = Math.min(1, Math.max(0, 2 * (1 - normalCdf(Math.abs(z)))));
  const tau = s / ((n * (n - 1)) / 2);
  const trend = pValue < 0.05 ? (z > 0 ? 'increasing' : 'decreasing') : 'none';
  return { s, variance, z, pValue, tau, trend };
}

/** Least-squares line y = intercept + slope·x with the slope's standard error. */
export interface LinearFit {
  slope: number;
  intercept: number;
  r2: number;
  /** Standard error of the slope, √(SSE/(n − 2) / Σ(x − x̄)²). */
  slopeStandardError: number;
}

/**
 * Ordinary least squares of y on x (slope and intercept by simple-statistics'
 * `linearRegression`), with R² and the slope's standard error.
 */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  const n = x.length;
  const { m: slope, b: intercept } = linearRegression(x.map((xi, i) => [xi, y[i]!]));
  const meanX = x.reduce((sum, v) => sum + v, 0) / n;
  const meanY = y.reduce((sum, v) => sum + v, 0) / n;
  let sxx = 0;
  let sst = 0;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - meanX) ** 2;
    sst += (y[i]! - meanY) ** 2;
    sse += (y[i]! - (intercept + slope * x[i]!)) ** 2;
  }
  // Rounding can leave a tiny SSE on an exact line; a zero total variance means a constant series.
  const r2 = sst === 0 ? 1 : Math.min(1, Math.max(0, 1 - sse / sst));
  const slopeStandardError = n > 2 && sxx > 0 ? Math.sqrt(sse / (n - 2) / sxx) : 0;
  return { slope, intercept, r2, slopeStandardError };
}

/**
 * Trend of a regular series: the least-squares line on the step index (0 at the first point),
 * its 95 % slope interval, the Mann–Kendall test and the percent change along the line.
 * Needs at least 3 points.
 *
 * @throws StatsInputError for an irregular series (see {@link regularize}) or fewer than 3 points.
 */
export function trend(series: Series): TrendResult {
  const { values, grain } = toRegular(series);
  const n = values.length;
  requirePoints('A trend', n, TREND_MIN_POINTS, 'a slope and one degree of freedom for its interval');
  const x = values.map((_, i) => i);
  const fit = linearFit(x, values);
  const t = studentTQuantile(0.975, n - 2);
  const slopeCi95: [number, number] = [fit.slope - t * fit.slopeStandardError, fit.slope + t * fit.slopeStandardError];
  const scale = values.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  const percentChange = Math.abs(fit.intercept) <= 1e-12 * scale || fit.intercept === 0
    ? null
    : (100 * fit.slope * (n - 1)) / Math.abs(fit.intercept);
  return {
    slope: fit.slope,
    slopePerDay: fit.slope / stepDays(grain),
    intercept: fit.intercept,
    r2: fit.r2,
    slopeCi95,
    mannKendall: mannKendall(values),
    percentChange,
  };
}
