/**
 * Exponential smoothing: Holt–Winters with additive or multiplicative seasonality, and
 * Gardner–McKenzie damped Holt (no seasonality). Parameters are fitted by minimising the sum of
 * squared one-step-ahead errors with Nelder–Mead.
 *
 * Equations (Hyndman & Athanasopoulos, FPP 2nd ed., §7.3–7.4), with ℓ level, b trend, s season,
 * m season length and ŷ_t the one-step forecast made at t − 1:
 *
 * additive        ŷ_t = ℓ + b + s_{t−m}
 *                 ℓ_t = α(y_t − s_{t−m}) + (1 − α)(ℓ_{t−1} + b_{t−1})
 *                 b_t = β(ℓ_t − ℓ_{t−1}) + (1 − β)b_{t−1}
 *                 s_t = γ(y_t − ℓ_{t−1} − b_{t−1}) + (1 − γ)s_{t−m}
 * multiplicative  ŷ_t = (ℓ + b)·s_{t−m}
 *                 ℓ_t = α·y_t/s_{t−m} + (1 − α)(ℓ_{t−1} + b_{t−1})
 *                 s_t = γ·y_t/(ℓ_{t−1} + b_{t−1}) + (1 − γ)s_{t−m}
 * damped          ŷ_t = ℓ + φb
 *                 ℓ_t = α·y_t + (1 − α)(ℓ_{t−1} + φb_{t−1})
 *                 b_t = β(ℓ_t − ℓ_{t−1}) + (1 − β)φb_{t−1}
 *
 * Bounds: α, β in [0.0001, 0.9999]; γ in [0.0001·(1 − α), 0.9999·(1 − α)] (FPP's 0 ≤ γ ≤ 1 − α);
 * φ in [0.8, 0.98].
 */
import { fromInterval, nelderMead, toInterval } from './nelder-mead.js';
import { StatsInputError } from './stats-input-error.js';

/** Seasonal form of Holt–Winters. */
export type Seasonality = 'additive' | 'multiplicative';

/** Smoothing parameters; `beta` is the trend parameter β* of the smoothing form above. */
export interface SmoothingParams {
  alpha: number;
  beta: number;
  gamma: number;
}

/** Holt–Winters state after `t` observations; `season[p]` is the latest index for positions ≡ p (mod m). */
export interface HoltWintersState {
  level: number;
  trend: number;
  season: number[];
  t: number;
}

const LOW = 0.0001;
const HIGH = 0.9999;

/** Minimum length of a Holt–Winters fit: two full seasons (the first two initialise the state). */
export function holtWintersMinPoints(seasonLength: number): number {
  return 2 * seasonLength;
}

/**
 * Initial state from the first two seasons: the trend is the difference of the two season means
 * divided by m; each seasonal index is the average over the two seasons of the value less (or,
 * multiplicative, divided by) the season mean moved along the trend to that position; indices are
 * normalised to sum to 0 (average 1). The level is projected back to just before the first point.
 */
export function initialHoltWintersState(values: readonly number[], m: number, seasonality: Seasonality): HoltWintersState {
  const mean = (from: number): number => values.slice(from, from + m).reduce((sum, v) => sum + v, 0) / m;
  const mean1 = mean(0);
  const mean2 = mean(m);
  const trend = (mean2 - mean1) / m;
  const season: number[] = [];
  for (let i = 0; i < m; i++) {
    const offset = trend * (i - (m - 1) / 2);
    const base1 = mean1 + offset;
    const base2 = mean2 + offset;
    if (seasonality === 'multiplicative') {
      if (!(base1 > 0 && base2 > 0)) {
        throw new StatsInputError('Multiplicative Holt–Winters needs a positive level throughout the first two seasons.', 'Use holt_winters_additive.');
      }
      season.push((values[i]! / base1 + values[i + m]! / base2) / 2);
    } else {
      season.push((values[i]! - base1 + (values[i + m]! - base2)) / 2);
    }
  }
  const average = season.reduce((sum, v) => sum + v, 0) / m;
  const normalised = seasonality === 'multiplicative' ? season.map((s) => s / average) : season.map((s) => s - average);
  return { level: mean1 - (trend * (m + 1)) / 2, trend, season: normalised, t: 0 };
}

/** The one-step forecast from `state` for its next observation. */
export function nextForecast(state: HoltWintersState, seasonality: Seasonality): number {
  const s = state.season[state.t % state.season.length]!;
  return seasonality === 'additive' ? state.level + state.trend + s : (state.level + state.trend) * s;
}

/** Updates `state` in place with observation `y`. */
export function updateHoltWinters(state: HoltWintersState, y: number, params: SmoothingParams, seasonality: Seasonality): void {
  const { alpha, beta, gamma } = params;
  const m = state.season.length;
  const p = state.t % m;
  const s = state.season[p]!;
  const base = state.level + state.trend;
  const level = seasonality === 'additive' ? alpha * (y - s) + (1 - alpha) * base : (alpha * y) / s + (1 - alpha) * base;
  state.trend = beta * (level - state.level) + (1 - beta) * state.trend;
  state.season[p] = seasonality === 'additive' ? gamma * (y - base) + (1 - gamma) * s : (gamma * y) / base + (1 - gamma) * s;
  state.level = level;
  state.t += 1;
}

/** One-step forecasts, their squared-error sum and the final state of a Holt–Winters run. */
export interface HoltWintersRun {
  /** ŷ_t for every t, made from the state before y_t. */
  forecasts: number[];
  sse: number;
  state: HoltWintersState;
}

/**
 * Runs Holt–Winters over `values` with fixed parameters. `feed(t, forecast, y)` may replace the
 * value used to update the state (the anomaly detector clips outliers this way); by default the
 * observation itself. `initial` replaces the two-season initial state (it is copied, not changed).
 */
export function runHoltWinters(
  values: readonly number[],
  m: number,
  params: SmoothingParams,
  seasonality: Seasonality,
  feed?: (t: number, forecast: number, y: number) => number,
  initial?: HoltWintersState,
): HoltWintersRun {
  const state = initial === undefined ? initialHoltWintersState(values, m, seasonality) : { ...initial, season: [...initial.season] };
  const forecasts: number[] = [];
  let sse = 0;
  for (let t = 0; t < values.length; t++) {
    const y = values[t]!;
    const forecast = nextForecast(state, seasonality);
    forecasts.push(forecast);
    sse += (y - forecast) ** 2;
    updateHoltWinters(state, feed === undefined ? y : feed(t, forecast, y), params, seasonality);
  }
  return { forecasts, sse, state };
}

/** Point forecasts 1…h steps after the state's last observation. */
export function holtWintersForecast(state: HoltWintersState, horizon: number, seasonality: Seasonality): number[] {
  const m = state.season.length;
  return Array.from({ length: horizon }, (_, k) => {
    const s = state.season[(state.t + k) % m]!;
    const base = state.level + (k + 1) * state.trend;
    return seasonality === 'additive' ? base + s : base * s;
  });
}

function paramsOf(theta: readonly number[]): SmoothingParams {
  const alpha = toInterval(theta[0]!, LOW, HIGH);
  return { alpha, beta: toInterval(theta[1]!, LOW, HIGH), gamma: toInterval(theta[2]!, LOW * (1 - alpha), HIGH * (1 - alpha)) };
}

function thetaOf(params: SmoothingParams): number[] {
  return [
    fromInterval(params.alpha, LOW, HIGH),
    fromInterval(params.beta, LOW, HIGH),
    fromInterval(params.gamma, LOW * (1 - params.alpha), HIGH * (1 - params.alpha)),
  ];
}

/** A fitted Holt–Winters model. */
export interface HoltWintersFit {
  params: SmoothingParams;
  run: HoltWintersRun;
  /** Residual variance SSE/(n − 3): one degree of freedom per smoothing parameter. */
  sigma2: number;
}

/** Starting points of the parameter search; the best of the three local minima wins. */
const STARTS: readonly SmoothingParams[] = [
  { alpha: 0.3, beta: 0.05, gamma: 0.1 },
  { alpha: 0.1, beta: 0.01, gamma: 0.3 },
  { alpha: 0.7, beta: 0.1, gamma: 0.05 },
];

/**
 * Fits α, β, γ with Nelder–Mead on logistic-transformed parameters, from three starting points.
 * The criterion is the one-step SSE, or with `criterionHorizon` H > 1 the mean squared error of
 * the 1…H-step forecasts ({@link multiStepError}). Needs 2·m values (checked by the caller).
 * `initial` replaces the two-season initial state. σ² is always from the one-step errors.
 */
export function fitHoltWinters(
  values: readonly number[],
  m: number,
  seasonality: Seasonality,
  options: { initial?: HoltWintersState; criterionHorizon?: number } = {},
): HoltWintersFit {
  const { initial, criterionHorizon = 1 } = options;
  const objective = (theta: number[]): number => {
    const params = paramsOf(theta);
    const value = criterionHorizon <= 1
      ? runHoltWinters(values, m, params, seasonality, undefined, initial).sse
      : multiStepError(values, m, params, seasonality, criterionHorizon, initial);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  let best: { theta: number[]; value: number } | null = null;
  for (const start of STARTS) {
    const minimum = nelderMead(objective, thetaOf(start), { step: 1, maxIterations: 400, tolerance: 1e-7 });
    if (best === null || minimum.value < best.value) best = { theta: minimum.x, value: minimum.value };
  }
  const params = paramsOf(best!.theta);
  const run = runHoltWinters(values, m, params, seasonality, undefined, initial);
  if (!Number.isFinite(run.sse)) {
    throw new StatsInputError(`Holt–Winters (${seasonality}) could not be fitted: the level reached zero or below.`, 'Use holt_winters_additive or damped_trend.');
  }
  return { params, run, sigma2: run.sse / Math.max(1, values.length - 3) };
}

/** Most forecast origins the multi-step criterion evaluates; longer series use every k-th point. */
const MULTI_STEP_ORIGINS = 2000;

/**
 * Mean over origins of the mean squared error of the 1…H-step forecasts made from each origin
 * (the "trace" criterion of multi-step estimation; Kourentzes & Trapero 2019). Long series are
 * evaluated from every k-th origin, counted back from the end, with k = ⌈n / 2000⌉.
 */
export function multiStepError(
  values: readonly number[],
  m: number,
  params: SmoothingParams,
  seasonality: Seasonality,
  horizon: number,
  initial?: HoltWintersState,
): number {
  const state = initial === undefined ? initialHoltWintersState(values, m, seasonality) : { ...initial, season: [...initial.season] };
  let total = 0;
  let count = 0;
  const n = values.length;
  const stride = Math.ceil(n / MULTI_STEP_ORIGINS);
  for (let t = 0; t < n; t++) {
    if ((n - 1 - t) % stride === 0) {
      for (let k = 0; k < horizon && t + k < n; k++) {
        const s = state.season[(t + k) % m]!;
        const base = state.level + (k + 1) * state.trend;
        const forecast = seasonality === 'additive' ? base + s : base * s;
        total += (values[t + k]! - forecast) ** 2;
        count++;
      }
    }
    updateHoltWinters(state, values[t]!, params, seasonality);
  }
  return total / count;
}

/**
 * Coefficients c_j of the one-step errors in the j-step forecast error of additive
 * Holt–Winters written as a linear innovations model (Hyndman et al. 2008, ch. 6):
 * c_j = α + j·α·β + γ·[j ≡ 0 mod m]. The h-step forecast variance is σ²(1 + Σ_{j<h} c_j²).
 */
export function additiveErrorCoefficient(j: number, params: SmoothingParams, m: number): number {
  return params.alpha + j * params.alpha * params.beta + (j % m === 0 ? params.gamma : 0);
}

/** Damped-trend parameters; `beta` is β* of the smoothing form. */
export interface DampedParams {
  alpha: number;
  beta: number;
  phi: number;
}

/** Damped trend state after `t` observations. */
export interface DampedState {
  level: number;
  trend: number;
  t: number;
}

/** Minimum length of a damped-trend fit: two points start the state, six one-step errors fit three parameters. */
export const DAMPED_MIN_POINTS = 8;

/** Damped Holt run: one-step forecasts from t = 2 (the first two points set ℓ = y₁, b = y₁ − y₀). */
export interface DampedRun {
  /** One-step forecasts for t = 2…n − 1. */
  forecasts: number[];
  sse: number;
  state: DampedState;
}

/** Runs damped Holt with fixed parameters. */
export function runDamped(values: readonly number[], params: DampedParams): DampedRun {
  const { alpha, beta, phi } = params;
  const state: DampedState = { level: values[1]!, trend: values[1]! - values[0]!, t: 2 };
  const forecasts: number[] = [];
  let sse = 0;
  for (let t = 2; t < values.length; t++) {
    const y = values[t]!;
    const forecast = state.level + phi * state.trend;
    forecasts.push(forecast);
    sse += (y - forecast) ** 2;
    const level = alpha * y + (1 - alpha) * forecast;
    state.trend = beta * (level - state.level) + (1 - beta) * phi * state.trend;
    state.level = level;
    state.t = t + 1;
  }
  return { forecasts, sse, state };
}

/** Damped forecasts 1…h steps ahead: ℓ + (φ + φ² + … + φ^k)·b. */
export function dampedForecast(state: DampedState, horizon: number, phi: number): number[] {
  const out: number[] = [];
  let sum = 0;
  let power = 1;
  for (let k = 1; k <= horizon; k++) {
    power *= phi;
    sum += power;
    out.push(state.level + sum * state.trend);
  }
  return out;
}

/** c_j = α + α·β·(φ + … + φ^j) for damped Holt (see {@link additiveErrorCoefficient}). */
export function dampedErrorCoefficient(j: number, params: DampedParams): number {
  let sum = 0;
  let power = 1;
  for (let i = 1; i <= j; i++) {
    power *= params.phi;
    sum += power;
  }
  return params.alpha + params.alpha * params.beta * sum;
}

/** A fitted damped-trend model. */
export interface DampedFit {
  params: DampedParams;
  run: DampedRun;
  /** SSE/(errors − 3). */
  sigma2: number;
}

export const PHI_MIN = 0.8;
export const PHI_MAX = 0.98;

/** Fits α, β, φ (φ in [0.8, 0.98]) by minimising the one-step SSE with Nelder–Mead from three starts. */
export function fitDamped(values: readonly number[]): DampedFit {
  const paramsFrom = (theta: readonly number[]): DampedParams => ({
    alpha: toInterval(theta[0]!, LOW, HIGH),
    beta: toInterval(theta[1]!, LOW, HIGH),
    phi: toInterval(theta[2]!, PHI_MIN, PHI_MAX),
  });
  const objective = (theta: number[]): number => runDamped(values, paramsFrom(theta)).sse;
  const starts: DampedParams[] = [
    { alpha: 0.3, beta: 0.05, phi: 0.9 },
    { alpha: 0.8, beta: 0.2, phi: 0.95 },
    { alpha: 0.1, beta: 0.01, phi: 0.85 },
  ];
  let best: { theta: number[]; value: number } | null = null;
  for (const start of starts) {
    const theta = [fromInterval(start.alpha, LOW, HIGH), fromInterval(start.beta, LOW, HIGH), fromInterval(start.phi, PHI_MIN, PHI_MAX)];
    const minimum = nelderMead(objective, theta, { step: 1, maxIterations: 400, tolerance: 1e-7 });
    if (best === null || minimum.value < best.value) best = { theta: minimum.x, value: minimum.value };
  }
  const params = paramsFrom(best!.theta);
  const run = runDamped(values, params);
  return { params, run, sigma2: run.sse / Math.max(1, run.forecasts.length - 3) };
}
