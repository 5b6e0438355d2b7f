/**
 * Statistical analysis of metric series: trend, patterns, anomalies, forecasts. Every function
 * is pure (no I/O, no printing) and takes a {@link Series} that is regular: one finite value per
 * grain step, as {@link regularize} makes it. Bad input throws a {@link StatsInputError}
 * (BAD_ARGUMENT) saying what is wrong and, for short series, how many points the method needs.
 *
 * Minimum lengths (m = season length; 24 for hourly data):
 * | routine | points |
 * |---|---|
 * | trend | 3 |
 * | autocorrelation | 2 (and maxLag < n) |
 * | seasonality | any; a cycle needs two cycles of data, else its acf is null |
 * | changePoints | 2 × minSegment (10 by default) |
 * | detectAnomalies robust_z, ewma | 3 |
 * | detectAnomalies seasonal_residual, holt_winters | 2m (7m advised; the default below 7m is ewma) |
 * | forecast Holt–Winters | 2m |
 * | forecast damped_trend | 8 |
 * | forecast seasonal_naive | m + 1 |
 * | backtest | the method's minimum + origins × horizon |
 */
export { StatsInputError } from './stats-input-error.js';
export { GRAINS, regularize, seasonLength, type GapFill, type Grain, type Point, type Series } from './series.js';
export { mannKendall, trend, type MannKendallResult, type TrendResult } from './trend.js';
export {
  autocorrelation,
  profiles,
  seasonality,
  type CycleResult,
  type ProfilesResult,
  type SeasonalityResult,
} from './patterns.js';
export { classicalDecomposition, type Decomposition } from './decomposition.js';
export { changePoints, type ChangePoint, type ChangePointOptions } from './change-points.js';
export {
  analyzeAnomalies,
  chooseDetector,
  DEFAULT_DETECTOR,
  DEFAULT_EWMA_ALPHA,
  DEFAULT_THRESHOLDS,
  DETECTORS,
  detectAnomalies,
  detectorMinPoints,
  precisionFactors,
  SEASONAL_DEFAULT_SEASONS,
  SHORT_SERIES_DETECTOR,
  withoutAnomalies,
  type AnomalyAnalysis,
  type AnomalyOptions,
  type AnomalyPoint,
  type Detector,
} from './anomalies.js';
export {
  backtest,
  DEFAULT_FORECAST_METHOD,
  forecast,
  FORECAST_METHODS,
  forecastMinPoints,
  type FitCriterion,
  type BacktestOptions,
  type BacktestResult,
  type ForecastMethod,
  type ForecastOptions,
  type ForecastPoint,
  type ForecastResult,
} from './forecast.js';
export { meanAbsoluteError, meanAbsolutePercentageError, meanAbsoluteScaledError, seasonalNaiveScale, symmetricMape } from './accuracy.js';
