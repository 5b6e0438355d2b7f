/**
 * Forecasts with prediction intervals, and their rolling-origin backtest against seasonal naive.
 *
 * Prediction intervals, at `level` (default 0.95) with z = Φ⁻¹((1 + level)/2):
 * - additive Holt–Winters and damped trend: analytic. The models are linear innovations state
 *   space models (Hyndman et al. 2008, ch. 6), so the h-step forecast error variance is
 *   σ²·(1 + Σ_{j=1}^{h−1} c_j²) with c_j = α + jαβ + γ·[j ≡ 0 mod m] (additive) or
 *   c_j = α + αβ(φ + … + φ^j) (damped); σ² is SSE/(number of one-step errors − 3).
 *   The interval is forecast ± z·√variance.
 * - multiplicative Holt–Winters: no closed form, so 2000 sample paths are simulated from the
 *   fitted model with normal one-step errors of variance σ² (fixed seed, so the result is
 *   deterministic) and the interval is their (1 − level)/2 and (1 + level)/2 quantiles.
 * - seasonal naive: σ² is the mean squared in-sample seasonal difference and the h-step
 *   variance σ²·(k + 1) with k = ⌊(h − 1)/m⌋ (FPP 2nd ed., §3.5).
 *
 * Before fitting, the smoothing methods replace the anomalies the seasonal_residual detector
 * finds by their expected values (from two seasons of data on; `cleanAnomalies: false` turns it
 * off), so a one-hour spike neither drags the parameters nor inflates σ. Holt–Winters parameters
 * minimise the multi-step (trace) error by default (see {@link ForecastOptions.criterion}); damped
 * trend minimises the one-step SSE.
 */
import { quantile } from 'simple-statistics';
import {
  meanAbsoluteError,
  meanAbsolutePercentageError,
  seasonalNaiveScale,
  symmetricMape,
} from './accuracy.js';
import { withoutAnomalies } from './anomalies.js';
import { normalQuantile } from './distributions.js';
import {
  additiveErrorCoefficient,
  DAMPED_MIN_POINTS,
  dampedErrorCoefficient,
  dampedForecast,
  fitDamped,
  fitHoltWinters,
  holtWintersForecast,
  holtWintersMinPoints,
  nextForecast,
  updateHoltWinters,
  type HoltWintersState,
  type SmoothingParams,
} from './holt-winters.js';
import { addSteps, seasonLength as grainSeasonLength, toRegular, type Series } from './series.js';
import { requireInteger, requireNumber, requirePoints, StatsInputError } from './stats-input-error.js';

/** One forecast step with its prediction interval. */
export interface ForecastPoint {
  timestamp: Date;
  value: number;
  lower: number;
  upper: number;
}

/** The forecasting methods. */
export type ForecastMethod = 'holt_winters_additive' | 'holt_winters_multiplicative' | 'damped_trend' | 'seasonal_naive';

export const FORECAST_METHODS: readonly ForecastMethod[] = ['holt_winters_additive', 'holt_winters_multiplicative', 'damped_trend', 'seasonal_naive'];

/** Default forecasting method. */
export const DEFAULT_FORECAST_METHOD: ForecastMethod = 'holt_winters_additive';

/** Options of {@link forecast}. */
export interface ForecastOptions {
  /** Steps ahead (whole grain steps, ≥ 1). */
  horizon: number;
  /** Default `holt_winters_additive`. */
  method?: ForecastMethod;
  /** Season length in steps; default the grain's ({@link grainSeasonLength}). */
  seasonLength?: number;
  /** Coverage of the prediction interval, in (0, 1); default 0.95. */
  level?: number;
  /**
   * Fit the smoothing methods to the series with its anomalies replaced by their expected values
   * (see {@link withoutAnomalies}); default true. Applies from two seasons on; the
   * seasonal naive method always repeats the raw data.
   */
  cleanAnomalies?: boolean;
  /**
   * What Holt–Winters' α, β, γ minimise: `one_step`, the sum of squared one-step errors (the
   * textbook criterion), or `multi_step` (default), the mean squared error of the 1…H-step
   * forecasts from every point with H = min(horizon, seasonLength), the "trace" criterion of
   * Kourentzes & Trapero (2019). One-step fitting on hourly data drives α towards 1, so the whole
   * next day hangs on the last hour; the multi-step criterion fits what the forecast is used for.
   */
  criterion?: FitCriterion;
}

/** See {@link ForecastOptions.criterion}. */
export type FitCriterion = 'one_step' | 'multi_step';

/** Result of {@link forecast}. */
export interface ForecastResult {
  method: ForecastMethod;
  /** Fitted parameters (alpha, beta, gamma, phi as applicable), seasonLength and sigma (one-step residual standard deviation). */
  params: Record<string, number>;
  points: ForecastPoint[];
}

/** Points each method needs with season length m. */
export function forecastMinPoints(method: ForecastMethod, m: number): { points: number; why: string } {
  switch (method) {
    case 'holt_winters_additive':
    case 'holt_winters_multiplicative':
      return { points: holtWintersMinPoints(m), why: `two full seasons of ${m} to initialise the level, trend and seasonal indices` };
    case 'damped_trend':
      return { points: DAMPED_MIN_POINTS, why: 'two to start the level and trend and six one-step errors to fit α, β and φ' };
    case 'seasonal_naive':
      return { points: m + 1, why: `one season of ${m} to repeat and one seasonal difference for the interval` };
  }
}

const SIMULATED_PATHS = 2000;
const MAX_HORIZON = 100_000;

interface RawForecast {
  params: Record<string, number>;
  mean: number[];
  lower: number[];
  upper: number[];
}

/** Deterministic PRNG (mulberry32) and standard normal draws by Box–Muller, for the simulated intervals. */
function normalSampler(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

function simulatedBand(state: HoltWintersState, params: SmoothingParams, sigma: number, horizon: number, level: number): { lower: number[]; upper: number[] } {
  const draw = normalSampler(0x5eed);
  const samples: number[][] = Array.from({ length: horizon }, () => []);
  for (let path = 0; path < SIMULATED_PATHS; path++) {
    const copy: HoltWintersState = { ...state, season: [...state.season] };
    for (let k = 0; k < horizon; k++) {
      const y = nextForecast(copy, 'multiplicative') + sigma * draw();
      samples[k]!.push(y);
      updateHoltWinters(copy, y, params, 'multiplicative');
    }
  }
  return {
    lower: samples.map((s) => quantile(s, (1 - level) / 2)),
    upper: samples.map((s) => quantile(s, (1 + level) / 2)),
  };
}

function analyticBand(mean: number[], sigma2: number, coefficient: (j: number) => number, z: number): { lower: number[]; upper: number[] } {
  const lower: number[] = [];
  const upper: number[] = [];
  let sumSquares = 0;
  mean.forEach((value, k) => {
    if (k > 0) sumSquares += coefficient(k) ** 2;
    const half = z * Math.sqrt(sigma2 * (1 + sumSquares));
    lower.push(value - half);
    upper.push(value + half);
  });
  return { lower, upper };
}

function seasonalNaive(values: readonly number[], m: number, horizon: number, z: number): RawForecast {
  const n = values.length;
  let squares = 0;
  for (let t = m; t < n; t++) squares += (values[t]! - values[t - m]!) ** 2;
  const sigma2 = squares / (n - m);
  const mean = Array.from({ length: horizon }, (_, k) => values[n - m + (k % m)]!);
  const lower = mean.map((value, k) => value - z * Math.sqrt(sigma2 * (Math.floor(k / m) + 1)));
  const upper = mean.map((value, k) => value + z * Math.sqrt(sigma2 * (Math.floor(k / m) + 1)));
  return { params: { seasonLength: m, sigma: Math.sqrt(sigma2) }, mean, lower, upper };
}

/** Forecasts `horizon` steps after `raw` (already validated and long enough). */
function forecastValues(
  raw: readonly number[],
  method: ForecastMethod,
  m: number,
  horizon: number,
  level: number,
  options: { intervals: boolean; clean: boolean; criterion: FitCriterion },
): RawForecast {
  const z = normalQuantile((1 + level) / 2);
  const intervals = options.intervals;
  if (method === 'seasonal_naive') return seasonalNaive(raw, m, horizon, z);
  const cleaned = options.clean ? withoutAnomalies(raw, m, method === 'holt_winters_multiplicative') : { values: [...raw], replaced: 0 };
  const values = cleaned.values;
  const fitted = fitMethod(values, method, m, horizon, { level, z, intervals }, options.criterion);
  return { ...fitted, params: { ...fitted.params, anomaliesReplaced: cleaned.replaced } };
}

function fitMethod(
  values: readonly number[],
  method: Exclude<ForecastMethod, 'seasonal_naive'>,
  m: number,
  horizon: number,
  interval: { level: number; z: number; intervals: boolean },
  criterion: FitCriterion,
): RawForecast {
  const { level, z, intervals } = interval;
  const criterionHorizon = criterion === 'multi_step' ? Math.min(horizon, m) : 1;
  switch (method) {
    case 'holt_winters_additive': {
      const fit = fitHoltWinters(values, m, 'additive', { criterionHorizon });
      const mean = holtWintersForecast(fit.run.state, horizon, 'additive');
      const band = intervals ? analyticBand(mean, fit.sigma2, (j) => additiveErrorCoefficient(j, fit.params, m), z) : { lower: mean, upper: mean };
      return { params: { ...fit.params, seasonLength: m, sigma: Math.sqrt(fit.sigma2), criterionHorizon }, mean, ...band };
    }
    case 'holt_winters_multiplicative': {
      const fit = fitHoltWinters(values, m, 'multiplicative', { criterionHorizon });
      const mean = holtWintersForecast(fit.run.state, horizon, 'multiplicative');
      const band = intervals ? simulatedBand(fit.run.state, fit.params, Math.sqrt(fit.sigma2), horizon, level) : { lower: mean, upper: mean };
      return { params: { ...fit.params, seasonLength: m, sigma: Math.sqrt(fit.sigma2), criterionHorizon }, mean, ...band };
    }
    case 'damped_trend': {
      const fit = fitDamped(values);
      const mean = dampedForecast(fit.run.state, horizon, fit.params.phi);
      const band = intervals ? analyticBand(mean, fit.sigma2, (j) => dampedErrorCoefficient(j, fit.params), z) : { lower: mean, upper: mean };
      return { params: { ...fit.params, sigma: Math.sqrt(fit.sigma2) }, mean, ...band };
    }
  }
}

function checkMethod(method: ForecastMethod): void {
  if (!FORECAST_METHODS.includes(method)) {
    throw new StatsInputError(`Unknown forecast method "${String(method)}".`, `Choose from ${FORECAST_METHODS.join(', ')}.`);
  }
}

function checkCriterion(criterion: FitCriterion): void {
  if (criterion !== 'one_step' && criterion !== 'multi_step') {
    throw new StatsInputError(`Unknown fitting criterion "${String(criterion)}".`, "Use 'one_step' or 'multi_step'.");
  }
}

function checkPositive(values: readonly number[], timestamps: readonly Date[], method: ForecastMethod): void {
  if (method !== 'holt_winters_multiplicative') return;
  const index = values.findIndex((value) => value <= 0);
  if (index >= 0) {
    throw new StatsInputError(
      `Multiplicative Holt–Winters needs values above 0; the value at ${timestamps[index]!.toISOString()} is ${values[index]}.`,
      'Use holt_winters_additive for series that can be zero or negative.',
    );
  }
}

/** The options forecast and backtest share, checked once: method, season length and horizon. */
function methodAndSeason(series: Series, options: { method?: ForecastMethod; seasonLength?: number; horizon: number }) {
  const { values, timestamps, grain } = toRegular(series);
  const method = options.method ?? DEFAULT_FORECAST_METHOD;
  checkMethod(method);
  const m = options.seasonLength ?? grainSeasonLength(grain);
  requireInteger('seasonLength', m, method === 'damped_trend' || method === 'seasonal_naive' ? 1 : 2);
  requireInteger('horizon', options.horizon, 1, MAX_HORIZON);
  return { values, timestamps, grain, method, m };
}

/**
 * Forecasts a regular series `horizon` steps ahead with a prediction interval (method and
 * interval construction as described at the top of this module). Minimum lengths: Holt–Winters
 * two seasons (48 points for hourly data), damped trend 8 points, seasonal naive one season + 1.
 * Multiplicative Holt–Winters needs every value above 0.
 *
 * @throws StatsInputError for an irregular or too short series, or bad options.
 */
export function forecast(series: Series, options: ForecastOptions): ForecastResult {
  const { values, timestamps, grain, method, m } = methodAndSeason(series, options);
  const level = options.level ?? 0.95;
  requireNumber('level', level, 0, 1);
  const needed = forecastMinPoints(method, m);
  requirePoints(`The ${method} forecast`, values.length, needed.points, needed.why);
  checkPositive(values, timestamps, method);
  const criterion = options.criterion ?? 'multi_step';
  checkCriterion(criterion);
  const raw = forecastValues(values, method, m, options.horizon, level, { intervals: true, clean: options.cleanAnomalies ?? true, criterion });
  const last = timestamps[timestamps.length - 1]!;
  return {
    method,
    params: raw.params,
    points: raw.mean.map((value, k) => ({ timestamp: addSteps(last, grain, k + 1), value, lower: raw.lower[k]!, upper: raw.upper[k]! })),
  };
}

/** Options of {@link backtest}. */
export interface BacktestOptions {
  /** Steps forecast from each origin. */
  horizon: number;
  /** Number of forecast origins; default 5. */
  origins?: number;
  method?: ForecastMethod;
  seasonLength?: number;
  /** As in {@link ForecastOptions.cleanAnomalies}, applied to each origin's training data; default true. */
  cleanAnomalies?: boolean;
  /** As in {@link ForecastOptions.criterion}; default `multi_step`. */
  criterion?: FitCriterion;
}

/** Result of {@link backtest}; every measure pools the forecasts of all origins. */
export interface BacktestResult {
  method: ForecastMethod;
  mae: number;
  /** Percent; null when an actual value is 0. */
  mape: number | null;
  /** Percent, 0–200. */
  smape: number;
  /** MAE scaled by the in-sample seasonal-naive MAE of each origin's training data; null when that is 0. */
  mase: number | null;
  baseline: { method: 'seasonal_naive'; mae: number; mase: number | null };
  origins: number;
}

/**
 * Rolling-origin evaluation. The last origins·horizon points are split into `origins`
 * consecutive windows of `horizon` points; for each, the method is fitted on everything before
 * the window and forecasts the window. Reported over all forecasts: MAE, MAPE, sMAPE, and MASE,
 * each error scaled by the in-sample MAE of the seasonal naive forecast on its origin's training
 * data (Hyndman & Koehler 2006). The seasonal naive forecast is run the same way as the baseline.
 *
 * @throws StatsInputError when the first origin's training data are shorter than the method
 *   needs (the message gives the total points required), or for bad options.
 */
export function backtest(series: Series, options: BacktestOptions): BacktestResult {
  const { values, timestamps, method, m } = methodAndSeason(series, options);
  const origins = options.origins ?? 5;
  requireInteger('origins', origins, 1, 1000);
  const horizon = options.horizon;
  const training = Math.max(forecastMinPoints(method, m).points, forecastMinPoints('seasonal_naive', m).points);
  requirePoints(
    `A backtest of ${method} with ${origins} origins of horizon ${horizon}`,
    values.length,
    training + origins * horizon,
    `${training} to train on before the first origin plus ${origins} × ${horizon} to forecast`,
  );
  checkPositive(values, timestamps, method);
  const clean = options.cleanAnomalies ?? true;
  const criterion = options.criterion ?? 'multi_step';
  checkCriterion(criterion);

  const actual: number[] = [];
  const predicted: number[] = [];
  const naive: number[] = [];
  let scaled = 0;
  let naiveScaled = 0;
  let scaleIsZero = false;
  for (let i = 0; i < origins; i++) {
    const origin = values.length - (origins - i) * horizon;
    const train = values.slice(0, origin);
    const window = values.slice(origin, origin + horizon);
    const forecastMean = forecastValues(train, method, m, horizon, 0.95, { intervals: false, clean, criterion }).mean;
    const naiveMean = forecastValues(train, 'seasonal_naive', m, horizon, 0.95, { intervals: false, clean: false, criterion }).mean;
    const scale = seasonalNaiveScale(train, m);
    if (scale === 0) scaleIsZero = true;
    else {
      scaled += meanAbsoluteError(window, forecastMean) / scale;
      naiveScaled += meanAbsoluteError(window, naiveMean) / scale;
    }
    actual.push(...window);
    predicted.push(...forecastMean);
    naive.push(...naiveMean);
  }
  return {
    method,
    mae: meanAbsoluteError(actual, predicted),
    mape: meanAbsolutePercentageError(actual, predicted),
    smape: symmetricMape(actual, predicted),
    mase: scaleIsZero ? null : scaled / origins,
    baseline: { method: 'seasonal_naive', mae: meanAbsoluteError(actual, naive), mase: scaleIsZero ? null : naiveScaled / origins },
    origins,
  };
}
