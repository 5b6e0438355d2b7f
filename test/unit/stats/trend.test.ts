import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, studentTQuantile } from '../../../src/analytics/stats/distributions.js';
import { mannKendall, StatsInputError, trend } from '../../../src/analytics/stats/index.js';
import { linearFit } from '../../../src/analytics/stats/trend.js';
import { normals, seriesOf, uniforms } from './synthetic-series.js';

describe('normal and t distributions (against published tables)', () => {
  it('gives the normal quantiles of the standard tables', () => {
    // Abramowitz & Stegun 26.2 / NIST: z_0.975, z_0.995, z_0.9 and a far tail value.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 12);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
  });

  it('gives Φ(1.96) = 0.9750 and Φ(0) = 0.5', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  });

  it('gives the two-sided 95 % t values of the t table', () => {
    // t_{0.975, df} for df = 1, 2, 5, 10, 30 (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736, 6);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652730, 7);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.570581836, 7);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138852, 7);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272456, 7);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138852, 7);
  });
});

describe('Mann–Kendall', () => {
  it('reproduces the worked example by hand (Holy Cross, "A Mann-Kendall example")', () => {
    // 14 values with one tied pair (12.9): 72 pairs up, 18 down, 1 tie → S = 54;
    // Var = 14·13·33/18 − 2·1·9/18 = 332.667; Z = (S − 1)/√Var = 2.9058; one-sided p ≈ 0.0018.
    const values = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7];
    const result = mannKendall(values);
    expect(result.s).toBe(54);
    expect(result.variance).toBeCloseTo(332.6667, 4);
    expect(result.z).toBeCloseTo(2.9058, 4);
    expect(result.pValue / 2).toBeCloseTo(0.0018, 4);
    expect(result.tau).toBeCloseTo(54 / 91, 10);
    expect(result.trend).toBe('increasing');
  });

  it('matches a direct pairwise count with tie groups on random data with many ties', () => {
    const u = uniforms(3);
    const values = Array.from({ length: 501 }, (_, i) => Math.floor(u() * 8) - Math.floor(u() * 2) + (i % 50 === 0 ? 3 : 0));
    // Second implementation: count concordant and discordant pairs, ties by explicit grouping.
    let up = 0;
    let down = 0;
    for (let i = 0; i < values.length; i++) {
      for (let j = i + 1; j < values.length; j++) {
        if (values[j]! > values[i]!) up++;
        if (values[j]! < values[i]!) down++;
      }
    }
    const n = values.length;
    const ties = [...new Set(values)].map((v) => values.filter((x) => x === v).length);
    const variance = (n * (n - 1) * (2 * n + 5) - ties.reduce((sum, t) => sum + t * (t - 1) * (2 * t + 5), 0)) / 18;
    const s = up - down;
    const z = s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(variance);
    const result = mannKendall(values);
    expect(result.s).toBe(s);
    expect(result.variance).toBeCloseTo(variance, 8);
    expect(result.z).toBeCloseTo(z, 10);
    expect(result.pValue).toBeCloseTo(2 * (1 - normalCdf(Math.abs(z))), 10);
  });

  it('reports no trend with z = 0 and p = 1 for a constant series', () => {
    const result = mannKendall([5, 5, 5, 5, 5]);
    expect(result).toMatchObject({ s: 0, variance: 0, z: 0, pValue: 1, tau: 0, trend: 'none' });
  });

  it('finds a decreasing trend', () => {
    expect(mannKendall([10, 9, 9.5, 8, 7, 7.2, 6, 5, 4.4, 3]).trend).toBe('decreasing');
  });
});

describe('linear fit (against published values)', () => {
  it("reproduces Anscombe's first data set: slope 0.5001 (SE 0.1179), intercept 3.0001, R² 0.6665", () => {
    const x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
    const y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    const fit = linearFit(x, y);
    expect(fit.slope).toBeCloseTo(0.5001, 4);
    expect(fit.intercept).toBeCloseTo(3.0001, 4);
    expect(fit.r2).toBeCloseTo(0.6665, 4);
    expect(fit.slopeStandardError).toBeCloseTo(0.1179, 4);
  });
});

describe('trend', () => {
  it('matches the closed-form least-squares line and t interval computed here', () => {
    const z = normals(11);
    const values = Array.from({ length: 30 }, (_, i) => 50 + 1.5 * i + 4 * z());
    const n = values.length;
    const xBar = (n - 1) / 2;
    const yBar = values.reduce((a, b) => a + b, 0) / n;
    const sxx = values.reduce((sum, _, i) => sum + (i - xBar) ** 2, 0);
    const sxy = values.reduce((sum, y, i) => sum + (i - xBar) * (y - yBar), 0);
    const slope = sxy / sxx;
    const intercept = yBar - slope * xBar;
    const sse = values.reduce((sum, y, i) => sum + (y - intercept - slope * i) ** 2, 0);
    const sst = values.reduce((sum, y) => sum + (y - yBar) ** 2, 0);
    const se = Math.sqrt(sse / (n - 2) / sxx);
    const t28 = 2.048407142; // t_{0.975, 28} from the t table
    const result = trend(seriesOf(values, 'hour'));
    expect(result.slope).toBeCloseTo(slope, 10);
    expect(result.intercept).toBeCloseTo(intercept, 9);
    expect(result.r2).toBeCloseTo(1 - sse / sst, 10);
    expect(result.slopeCi95[0]).toBeCloseTo(slope - t28 * se, 6);
    expect(result.slopeCi95[1]).toBeCloseTo(slope + t28 * se, 6);
    expect(result.slopePerDay).toBeCloseTo(slope * 24, 9);
    expect(result.percentChange).toBeCloseTo((100 * slope * (n - 1)) / Math.abs(intercept), 8);
    expect(result.mannKendall.trend).toBe('increasing');
  });

  it('converts the slope per step to per day for daily and weekly grains', () => {
    const values = [1, 3, 5, 7, 9];
    expect(trend(seriesOf(values, 'day')).slopePerDay).toBeCloseTo(2, 12);
    expect(trend(seriesOf(values, 'week')).slopePerDay).toBeCloseTo(2 / 7, 12);
  });

  it('handles a constant series without NaN', () => {
    const result = trend(seriesOf([4, 4, 4, 4], 'day'));
    expect(result).toMatchObject({ slope: 0, intercept: 4, r2: 1, slopeCi95: [0, 0], percentChange: 0 });
    expect(result.mannKendall.pValue).toBe(1);
    expect(JSON.stringify(result)).not.toContain('null');
  });

  it('gives a null percent change when the fitted start is zero', () => {
    expect(trend(seriesOf([0, 1, 2, 3], 'day')).percentChange).toBeNull();
  });

  it('says how many points it needs', () => {
    expect(() => trend(seriesOf([1, 2], 'day'))).toThrow(StatsInputError);
    expect(() => trend(seriesOf([1, 2], 'day'))).toThrow(/needs at least 3 points.*has 2/);
  });
});
