/**
 * Patterns: autocorrelation, detection of daily and weekly cycles, hour-of-day and day-of-week
 * profiles. Calendar positions are UTC.
 */
import { linearFit } from './trend.js';
import { toRegular, type Grain, type Series } from './series.js';
import { requireInteger, requirePoints, StatsInputError } from './stats-input-error.js';

/** Above this many multiply-adds the autocorrelation is computed by FFT instead of directly. */
const DIRECT_LIMIT = 20_000_000;

function assertFiniteValues(values: readonly number[], what: string): void {
  if (!Array.isArray(values)) throw new StatsInputError(`${what} needs an array of numbers.`);
  const index = values.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
  if (index >= 0) throw new StatsInputError(`${what}: value ${index} is ${String(values[index])}, not a finite number.`);
}

/**
 * Sample autocorrelation function r_0 … r_maxLag (index = lag; r_0 = 1):
 * r_k = Σ_{t<n−k} (x_t − x̄)(x_{t+k} − x̄) / Σ_t (x_t − x̄)², the usual biased estimator
 * (Box & Jenkins), which keeps the sequence positive semi-definite. Computed directly, or by FFT
 * when n·maxLag is large.
 *
 * @throws StatsInputError with fewer than 2 values, a maxLag outside 0…n−1, a non-finite value,
 *   or a constant series (whose autocorrelation is undefined: 0/0).
 */
export function autocorrelation(values: number[], maxLag: number): number[] {
  assertFiniteValues(values, 'Autocorrelation');
  const n = values.length;
  requirePoints('Autocorrelation', n, 2, 'two values to correlate');
  requireInteger('maxLag', maxLag, 0, n - 1);
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const centred = values.map((value) => value - mean);
  const denominator = centred.reduce((sum, value) => sum + value * value, 0);
  if (denominator === 0) {
    throw new StatsInputError(`Autocorrelation is undefined for a constant series (every value is ${values[0]}).`);
  }
  const sums = n * maxLag > DIRECT_LIMIT ? lagProductsByFft(centred, maxLag) : lagProductsDirect(centred, maxLag);
  return sums.map((sum) => sum / denominator);
}

function lagProductsDirect(centred: readonly number[], maxLag: number): number[] {
  const n = centred.length;
  const sums: number[] = [];
  for (let lag = 0; lag <= maxLag; lag++) {
    let sum = 0;
    for (let t = 0; t + lag < n; t++) sum += centred[t]! * centred[t + lag]!;
    sums.push(sum);
  }
  return sums;
}

/** In-place iterative radix-2 FFT (inverse when `inverse`), unnormalised. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / size;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = start + k;
        const b = a + size / 2;
        const tRe = re[b]! * curRe - im[b]! * curIm;
        const tIm = re[b]! * curIm + im[b]! * curRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a] = re[a]! + tRe;
        im[a] = im[a]! + tIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}

/** Σ_t x_t·x_{t+k} for k = 0…maxLag via the Wiener–Khinchin theorem (zero-padded, so not circular). */
function lagProductsByFft(centred: readonly number[], maxLag: number): number[] {
  let size = 1;
  while (size < 2 * centred.length) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  centred.forEach((value, i) => (re[i] = value));
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  return Array.from({ length: maxLag + 1 }, (_, k) => re[k]! / size);
}

/** One cycle's verdict. */
export interface CycleResult {
  /** True when the autocorrelation at the cycle's lag is a local peak of at least {@link CYCLE_MIN_ACF} (and above 2/√n). */
  detected: boolean;
  /**
   * Autocorrelation at the cycle's lag, on the detrended series at the resolution the cycle is
   * looked for at. Null when the grain cannot show the cycle (a daily cycle in daily data) or the
   * series is shorter than two cycles.
   */
  acf: number | null;
}

/** Result of {@link seasonality}. */
export interface SeasonalityResult {
  dailyCycle: CycleResult;
  weeklyCycle: CycleResult;
  /**
   * The dominant period in grain steps: among the autocorrelation peaks at lags 2…min(n/2, 2000)
   * that pass the detection rule, the shortest lag whose peak is within 10 % of the strongest
   * (so a daily cycle reads as 24, not as its multiple 48). Null when there is none.
   */
  period: number | null;
}

/** The smallest autocorrelation that counts as a cycle: a moderate correlation, by convention. */
export const CYCLE_MIN_ACF = 0.3;
const PERIOD_MAX_LAG = 2000;

/** Mean of each UTC hour or day bucket, in time order. */
function bucketMeans(timestamps: readonly Date[], values: readonly number[], bucketMs: number): number[] {
  const means: number[] = [];
  let current = Number.NaN;
  let sum = 0;
  let count = 0;
  values.forEach((value, i) => {
    const bucket = Math.floor(timestamps[i]!.getTime() / bucketMs);
    if (bucket !== current && count > 0) {
      means.push(sum / count);
      sum = 0;
      count = 0;
    }
    current = bucket;
    sum += value;
    count++;
  });
  if (count > 0) means.push(sum / count);
  return means;
}

function detrend(values: readonly number[]): number[] {
  const fit = linearFit(values.map((_, i) => i), values);
  return values.map((value, i) => value - (fit.intercept + fit.slope * i));
}

function isConstant(values: readonly number[]): boolean {
  return values.every((value) => value === values[0]);
}

/** True when the detrended values are rounding noise of an exact line (nothing left to correlate). */
function isFlat(detrended: readonly number[], values: readonly number[]): boolean {
  const size = values.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  return detrended.every((value) => Math.abs(value) <= 1e-9 * size);
}

/** The detection rule at one lag of a detrended series; null when it has fewer than two cycles or no variation. */
function cycleAt(values: readonly number[], lag: number): CycleResult {
  if (values.length < 2 * lag || isConstant(values)) return { detected: false, acf: null };
  const detrended = detrend(values);
  if (isFlat(detrended, values)) return { detected: false, acf: null };
  const acf = autocorrelation(detrended, Math.min(lag + 1, detrended.length - 1));
  const at = acf[lag]!;
  const before = acf[lag - 1] ?? Number.NEGATIVE_INFINITY;
  const after = acf[lag + 1] ?? Number.NEGATIVE_INFINITY;
  const detected = at >= Math.max(CYCLE_MIN_ACF, 2 / Math.sqrt(values.length)) && at >= before && at >= after;
  return { detected, acf: at };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Looks for a daily and a weekly cycle by autocorrelation of the linearly detrended series.
 * The daily cycle is looked for at hourly resolution (lag 24; minute data are averaged per UTC
 * hour first), the weekly cycle at daily resolution (lag 7; minute and hour data are averaged per
 * UTC day first), which keeps the faster cycle from masking the slower. A cycle is detected when
 * its autocorrelation is a local peak (not below its neighbouring lags) of at least 0.3 and above
 * the white-noise bound 2/√n. Each needs two full cycles (48 hours, 14 days); shorter series get
 * `acf: null`. A constant series has no cycles (`acf: null`, `period: null`).
 *
 * @throws StatsInputError for an irregular series.
 */
export function seasonality(series: Series): SeasonalityResult {
  const { values, timestamps, grain } = toRegular(series);
  const notApplicable: CycleResult = { detected: false, acf: null };
  const hourly = grain === 'minute' ? bucketMeans(timestamps, values, HOUR_MS) : grain === 'hour' ? values : null;
  const daily = grain === 'minute' || grain === 'hour' ? bucketMeans(timestamps, values, DAY_MS) : grain === 'day' ? values : null;
  const dailyCycle = hourly === null ? notApplicable : cycleAt(hourly, 24);
  const weeklyCycle = daily === null ? notApplicable : cycleAt(daily, 7);
  return { dailyCycle, weeklyCycle, period: dominantPeriod(values) };
}

function dominantPeriod(values: readonly number[]): number | null {
  const maxLag = Math.min(Math.floor(values.length / 2), PERIOD_MAX_LAG);
  if (maxLag < 3 || isConstant(values)) return null;
  const detrended = detrend(values);
  if (isFlat(detrended, values)) return null;
  const acf = autocorrelation(detrended, maxLag);
  const bound = Math.max(CYCLE_MIN_ACF, 2 / Math.sqrt(values.length));
  const peaks: { lag: number; acf: number }[] = [];
  for (let lag = 2; lag < maxLag; lag++) {
    const at = acf[lag]!;
    if (at >= bound && at > acf[lag - 1]! && at >= acf[lag + 1]!) peaks.push({ lag, acf: at });
  }
  if (peaks.length === 0) return null;
  const strongest = Math.max(...peaks.map((peak) => peak.acf));
  return peaks.find((peak) => peak.acf >= 0.9 * strongest)!.lag;
}

/** Result of {@link profiles}. */
export interface ProfilesResult {
  /** Mean value per UTC hour (0–23), for hours present; empty for day and coarser grains. */
  hourOfDay: { hour: number; mean: number }[];
  /** Mean value per UTC weekday (0 = Sunday … 6 = Saturday), for days present; empty for week and coarser grains. */
  dayOfWeek: { day: number; mean: number }[];
}

const FINER_THAN_DAY: ReadonlySet<Grain> = new Set(['minute', 'hour']);
const DAY_OR_FINER: ReadonlySet<Grain> = new Set(['minute', 'hour', 'day']);

/**
 * Hour-of-day and day-of-week profiles: the mean value of the points falling on each UTC hour
 * and each UTC weekday. Profiles a grain cannot show are empty (no hour of day for daily data).
 * Needs at least one point.
 *
 * @throws StatsInputError for an irregular series.
 */
export function profiles(series: Series): ProfilesResult {
  const { values, timestamps, grain } = toRegular(series);
  const profile = (keyOf: (date: Date) => number, size: number): { key: number; mean: number }[] => {
    const sums = new Array<number>(size).fill(0);
    const counts = new Array<number>(size).fill(0);
    values.forEach((value, i) => {
      const key = keyOf(timestamps[i]!);
      sums[key] = sums[key]! + value;
      counts[key] = counts[key]! + 1;
    });
    return sums.flatMap((sum, key) => (counts[key]! > 0 ? [{ key, mean: sum / counts[key]! }] : []));
  };
  return {
    hourOfDay: FINER_THAN_DAY.has(grain) ? profile((date) => date.getUTCHours(), 24).map(({ key, mean }) => ({ hour: key, mean })) : [],
    dayOfWeek: DAY_OR_FINER.has(grain) ? profile((date) => date.getUTCDay(), 7).map(({ key, mean }) => ({ day: key, mean })) : [],
  };
}
