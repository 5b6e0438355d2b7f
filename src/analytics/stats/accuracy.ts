/**
 * Forecast accuracy measures (Hyndman & Koehler 2006, "Another look at measures of forecast
 * accuracy"). Actuals and forecasts are parallel arrays of the same length.
 */

/** Mean absolute error. */
export function meanAbsoluteError(actual: readonly number[], forecast: readonly number[]): number {
  return actual.reduce((sum, y, i) => sum + Math.abs(y - forecast[i]!), 0) / actual.length;
}

/** Mean absolute percentage error, in percent: mean(100·|y − f| / |y|). Null when any actual is 0 (undefined). */
export function meanAbsolutePercentageError(actual: readonly number[], forecast: readonly number[]): number | null {
  if (actual.some((y) => y === 0)) return null;
  return actual.reduce((sum, y, i) => sum + (100 * Math.abs(y - forecast[i]!)) / Math.abs(y), 0) / actual.length;
}

/**
 * Symmetric MAPE, in percent (0–200): mean(200·|y − f| / (|y| + |f|)), the form in Hyndman &
 * Koehler 2006. A term with y = f = 0 counts as 0 (a perfect forecast).
 */
export function symmetricMape(actual: readonly number[], forecast: readonly number[]): number {
  return actual.reduce((sum, y, i) => {
    const f = forecast[i]!;
    const denominator = Math.abs(y) + Math.abs(f);
    return sum + (denominator === 0 ? 0 : (200 * Math.abs(y - f)) / denominator);
  }, 0) / actual.length;
}

/**
 * In-sample MAE of the seasonal naive forecast ŷ_t = y_{t−m}: (1/(n − m)) Σ_{t≥m} |y_t − y_{t−m}|,
 * the MASE denominator for seasonal data (m = 1 gives the naive forecast).
 */
export function seasonalNaiveScale(training: readonly number[], m: number): number {
  let sum = 0;
  for (let t = m; t < training.length; t++) sum += Math.abs(training[t]! - training[t - m]!);
  return sum / (training.length - m);
}

/** Mean absolute scaled error: MAE / scale. Null when the scale is 0 (the training data repeat exactly). */
export function meanAbsoluteScaledError(actual: readonly number[], forecast: readonly number[], scale: number): number | null {
  return scale > 0 ? meanAbsoluteError(actual, forecast) / scale : null;
}
