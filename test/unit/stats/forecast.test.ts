import { describe, expect, it } from 'vitest';
import {
  backtest,
  forecast,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanAbsoluteScaledError,
  seasonalNaiveScale,
  StatsInputError,
  symmetricMape,
  type Series,
} from '../../../src/analytics/stats/index.js';
import { normals, seriesOf } from './synthetic-series.js';

const Z975 = 1.959963984540054;

describe('accuracy measures, computed by hand', () => {
  const actual = [10, 20, 30, 40];
  const predicted = [12, 18, 33, 40];

  it('MAE, MAPE and sMAPE', () => {
    // |e| = 2, 2, 3, 0 → MAE 1.75; |e|/y = 20 %, 10 %, 10 %, 0 → MAPE 10 %;
    // 200|e|/(|y| + |f|) = 400/22, 400/38, 600/63, 0 → sMAPE (18.1818 + 10.5263 + 9.5238)/4 = 9.5580 %.
    expect(meanAbsoluteError(actual, predicted)).toBe(1.75);
    expect(meanAbsolutePercentageError(actual, predicted)).toBeCloseTo(10, 12);
    expect(symmetricMape(actual, predicted)).toBeCloseTo((400 / 22 + 400 / 38 + 600 / 63) / 4, 12);
    expect(symmetricMape(actual, predicted)).toBeCloseTo(9.558, 3);
  });

  it('MASE against the in-sample seasonal naive MAE (Hyndman & Koehler 2006)', () => {
    // Training 1, 3, 2, 4, 3, 5 with m = 2: seasonal differences 1, 1, 1, 1 → scale 1 → MASE = MAE.
    expect(seasonalNaiveScale([1, 3, 2, 4, 3, 5], 2)).toBe(1);
    expect(meanAbsoluteScaledError(actual, predicted, 1)).toBe(1.75);
    // m = 1 (naive): differences 2, 1, 2, 1, 2 → scale 1.6.
    expect(seasonalNaiveScale([1, 3, 2, 4, 3, 5], 1)).toBeCloseTo(1.6, 12);
    expect(meanAbsoluteScaledError(actual, predicted, 0)).toBeNull();
  });

  it('MAPE is null when an actual is zero; sMAPE counts 0 vs 0 as perfect', () => {
    expect(meanAbsolutePercentageError([0, 1], [0, 1])).toBeNull();
    expect(symmetricMape([0, 1], [0, 2])).toBeCloseTo((0 + 200 / 3) / 2, 12);
  });
});

describe('forecast', () => {
  it('seasonal naive repeats the last season with σ²(k + 1) intervals (FPP §3.5)', () => {
    // Training 1…6, m = 3: forecasts 4, 5, 6, 4; seasonal differences all 3 → σ = 3.
    const result = forecast(seriesOf([1, 2, 3, 4, 5, 6], 'day'), { horizon: 4, method: 'seasonal_naive', seasonLength: 3 });
    expect(result.points.map((p) => p.value)).toEqual([4, 5, 6, 4]);
    expect(result.params).toEqual({ seasonLength: 3, sigma: 3 });
    expect(result.points[0]!.upper - 4).toBeCloseTo(Z975 * 3, 10);
    expect(result.points[3]!.upper - 4).toBeCloseTo(Z975 * 3 * Math.SQRT2, 10);
    expect(result.points.map((p) => p.timestamp.toISOString().slice(0, 10))).toEqual(['2026-01-11', '2026-01-12', '2026-01-13', '2026-01-14']);
  });

  it('continues month and quarter grids by calendar month', () => {
    const monthly: Series = { grain: 'month', points: Array.from({ length: 13 }, (_, i) => ({ timestamp: new Date(Date.UTC(2025, i, 1)), value: 10 + (i % 12) })) };
    const result = forecast(monthly, { horizon: 2, method: 'seasonal_naive' });
    expect(result.points.map((p) => p.timestamp.toISOString().slice(0, 10))).toEqual(['2026-02-01', '2026-03-01']);
    expect(result.points.map((p) => p.value)).toEqual([11, 12]);
  });

  it('additive Holt–Winters continues an exact seasonal series with trend', () => {
    const exact = (t: number) => 200 + 2 * t + 30 * Math.sin((2 * Math.PI * t) / 24);
    const values = Array.from({ length: 24 * 8 }, (_, t) => exact(t));
    const result = forecast(seriesOf(values, 'hour'), { horizon: 48 });
    expect(result.method).toBe('holt_winters_additive');
    result.points.forEach((p, k) => expect(p.value).toBeCloseTo(exact(values.length + k), 3));
    expect(result.points[0]!.timestamp.toISOString()).toBe('2026-01-13T00:00:00.000Z');
  });

  it('gives additive Holt–Winters intervals of z·σ·√(published variance factor)', () => {
    const z = normals(51);
    const values = Array.from({ length: 24 * 9 }, (_, t) => 100 + 0.3 * t + 25 * Math.sin((2 * Math.PI * t) / 24) + 4 * z());
    const result = forecast(seriesOf(values, 'hour'), { horizon: 60, level: 0.95 });
    const { alpha, beta: betaStar, gamma, sigma } = result.params as { alpha: number; beta: number; gamma: number; sigma: number };
    const beta = alpha * betaStar;
    const m = 24;
    result.points.forEach((p, index) => {
      const h = index + 1;
      const k = Math.floor((h - 1) / m);
      const factor = 1 + (h - 1) * (alpha ** 2 + alpha * beta * h + (beta ** 2 * h * (2 * h - 1)) / 6) + gamma * k * (2 * alpha + gamma + beta * m * (k + 1));
      expect(p.upper - p.value).toBeCloseTo(Z975 * sigma * Math.sqrt(factor), 8);
      expect(p.value - p.lower).toBeCloseTo(Z975 * sigma * Math.sqrt(factor), 8);
    });
  });

  it('multiplicative Holt–Winters gives deterministic simulated intervals that widen', () => {
    const z = normals(52);
    const values = Array.from({ length: 24 * 8 }, (_, t) => (500 + t) * (1 + 0.4 * Math.sin((2 * Math.PI * t) / 24)) + 5 * z());
    const series = seriesOf(values, 'hour');
    const a = forecast(series, { horizon: 36, method: 'holt_winters_multiplicative' });
    const b = forecast(series, { horizon: 36, method: 'holt_winters_multiplicative' });
    expect(a).toEqual(b);
    for (const p of a.points) {
      expect(p.lower).toBeLessThan(p.value);
      expect(p.upper).toBeGreaterThan(p.value);
    }
    const width = (i: number) => a.points[i]!.upper - a.points[i]!.lower;
    expect(width(35)).toBeGreaterThan(width(0));
  });

  it('damped trend flattens: each step adds φ times the previous increment', () => {
    const z = normals(53);
    const values = Array.from({ length: 40 }, (_, t) => 50 + 2 * t + 0.5 * z());
    const result = forecast(seriesOf(values, 'day'), { horizon: 5, method: 'damped_trend' });
    const phi = result.params.phi!;
    expect(phi).toBeGreaterThanOrEqual(0.8);
    expect(phi).toBeLessThanOrEqual(0.98);
    const steps = result.points.slice(1).map((p, i) => p.value - result.points[i]!.value);
    for (let i = 1; i < steps.length; i++) expect(steps[i]! / steps[i - 1]!).toBeCloseTo(phi, 8);
  });

  it('says how many points each method needs', () => {
    const short = seriesOf(Array.from({ length: 40 }, (_, t) => t + 1), 'hour');
    expect(() => forecast(short, { horizon: 3 })).toThrow(/holt_winters_additive forecast needs at least 48 points \(two full seasons of 24/);
    expect(() => forecast(seriesOf([1, 2, 3, 4, 5, 6, 7], 'day'), { horizon: 3, method: 'damped_trend' })).toThrow(/needs at least 8 points/);
    expect(() => forecast(seriesOf([1, 2, 3, 4, 5, 6, 7], 'day'), { horizon: 3, method: 'seasonal_naive' })).toThrow(/needs at least 8 points \(one season of 7/);
  });

  it('refuses zero or negative values for the multiplicative method, and bad options', () => {
    const values = Array.from({ length: 48 }, (_, t) => 10 + (t % 24));
    values[30] = 0;
    expect(() => forecast(seriesOf(values, 'hour'), { horizon: 2, method: 'holt_winters_multiplicative' })).toThrow(/needs values above 0; the value at 2026-01-06T06:00:00.000Z is 0/);
    const ok = seriesOf(Array.from({ length: 48 }, (_, t) => 10 + (t % 24)), 'hour');
    expect(() => forecast(ok, { horizon: 0 })).toThrow(StatsInputError);
    expect(() => forecast(ok, { horizon: 2, level: 1 })).toThrow(/level/);
    expect(() => forecast(ok, { horizon: 2, method: 'arima' as never })).toThrow(/Unknown forecast method/);
  });
});

describe('backtest', () => {
  it('pools the errors of rolling origins, computed by hand for seasonal naive', () => {
    // m = 2, horizon 2, origins at 6 and 8: forecasts [3, 5] and [4, 6] for actuals [4, 6] and
    // [5, 7]; every error 1, every training scale 1 → MAE 1, MASE 1;
    // MAPE = (1/4 + 1/6 + 1/5 + 1/7)/4·100; sMAPE = (200/7 + 200/11 + 200/9 + 200/13)/4.
    const series = seriesOf([1, 3, 2, 4, 3, 5, 4, 6, 5, 7], 'day');
    const result = backtest(series, { horizon: 2, origins: 2, method: 'seasonal_naive', seasonLength: 2 });
    expect(result.mae).toBe(1);
    expect(result.mase).toBe(1);
    expect(result.mape).toBeCloseTo(((1 / 4 + 1 / 6 + 1 / 5 + 1 / 7) / 4) * 100, 10);
    expect(result.smape).toBeCloseTo((200 / 7 + 200 / 11 + 200 / 9 + 200 / 13) / 4, 10);
    expect(result.baseline).toEqual({ method: 'seasonal_naive', mae: 1, mase: 1 });
    expect(result.origins).toBe(2);
  });

  it('Holt–Winters beats seasonal naive on MASE for a seasonal series with trend', () => {
    const z = normals(54);
    const values = Array.from({ length: 24 * 14 }, (_, t) => 100 + 0.5 * t + 20 * Math.sin((2 * Math.PI * t) / 24) + 3 * z());
    const result = backtest(seriesOf(values, 'hour'), { horizon: 24 });
    expect(result.method).toBe('holt_winters_additive');
    expect(result.origins).toBe(5);
    expect(result.mase!).toBeLessThan(result.baseline.mase!);
    expect(result.mase!).toBeLessThan(0.5);
  });

  it('replaces a spike in a short series before fitting, so it is not copied into the next season', () => {
    // Given four days (fewer than the seven seasons detection advises) of a daily cycle with a tenfold spike at 18:00 on the second day
    const z = normals(8);
    const values = Array.from({ length: 24 * 4 }, (_, t) => 100 + 40 * Math.sin((2 * Math.PI * t) / 24) + 2 * z());
    values[24 + 18] = 1000;
    const series = seriesOf(values, 'hour');
    // When forecasting the fifth day with and without cleaning
    const cleaned = forecast(series, { horizon: 24, method: 'holt_winters_additive' });
    const raw = forecast(series, { horizon: 24, method: 'holt_winters_additive', cleanAnomalies: false });
    // Then only the uncleaned fit expects the spike again at 18:00
    const expected18 = 100 + 40 * Math.sin((2 * Math.PI * 18) / 24);
    expect(cleaned.params.anomaliesReplaced).toBeGreaterThanOrEqual(1);
    expect(Math.abs(cleaned.points[18]!.value - expected18)).toBeLessThan(15);
    expect(raw.points[18]!.value - expected18).toBeGreaterThan(100);
  });

  it('gives null MASE and MAPE rather than NaN for a constant series', () => {
    const result = backtest(seriesOf(new Array(24 * 8).fill(5), 'hour'), { horizon: 12, origins: 3 });
    expect(result.mae).toBeCloseTo(0, 8);
    expect(result.mase).toBeNull();
    expect(result.baseline.mase).toBeNull();
    expect(Number.isFinite(result.smape)).toBe(true);
  });

  it('says how many points the rolling origins need', () => {
    expect(() => backtest(seriesOf(Array.from({ length: 100 }, (_, t) => t), 'hour'), { horizon: 24 })).toThrow(
      /needs at least 168 points \(48 to train on before the first origin plus 5 × 24 to forecast\); the series has 100/,
    );
  });
});
