import { describe, expect, it } from 'vitest';
import { classicalDecomposition } from '../../../src/analytics/stats/index.js';
import { extendTrend } from '../../../src/analytics/stats/decomposition.js';
import { normals } from './synthetic-series.js';

/** Classical decomposition written out with explicit weights, as in FPP §3.4 / R's decompose. */
function naiveDecomposition(y: readonly number[], m: number): { trend: (number | null)[]; indices: number[] } {
  const n = y.length;
  const half = Math.floor(m / 2);
  const weights = m % 2 === 1 ? new Array<number>(m).fill(1 / m) : [1 / (2 * m), ...new Array<number>(m - 1).fill(1 / m), 1 / (2 * m)];
  const trend = y.map((_, i) => {
    if (i < half || i >= n - half) return null;
    return weights.reduce((sum, w, j) => sum + w * y[i - half + j]!, 0);
  });
  const indices: number[] = [];
  for (let p = 0; p < m; p++) {
    const values: number[] = [];
    for (let i = p; i < n; i += m) if (trend[i] !== null) values.push(y[i]! - trend[i]!);
    indices.push(values.reduce((a, b) => a + b, 0) / values.length);
  }
  const mean = indices.reduce((a, b) => a + b, 0) / m;
  return { trend, indices: indices.map((v) => v - mean) };
}

describe('classical decomposition', () => {
  it('reproduces a quarterly example worked by hand', () => {
    // y = 10·(position + 1) + 4·(year) → 2×4 MA at t=2: (0.5·10 + 20 + 30 + 40 + 0.5·14)/4 = 25.5,
    // rising by 1 per quarter; detrended values per quarter are −13.5, −4.5, 4.5, 13.5 every year.
    const y = [10, 20, 30, 40, 14, 24, 34, 44, 18, 28, 38, 48];
    const result = classicalDecomposition(y, 4);
    expect(result.trend).toEqual([null, null, 25.5, 26.5, 27.5, 28.5, 29.5, 30.5, 31.5, 32.5, null, null]);
    expect(result.indices).toEqual([-13.5, -4.5, 4.5, 13.5]);
    expect(result.seasonal.slice(0, 5)).toEqual([-13.5, -4.5, 4.5, 13.5, -13.5]);
    expect(result.remainder.filter((r) => r !== null).every((r) => Math.abs(r!) < 1e-12)).toBe(true);
  });

  it('matches the explicit-weights implementation for even and odd periods', () => {
    const z = normals(21);
    for (const m of [24, 7]) {
      const y = Array.from({ length: m * 5 + 3 }, (_, t) => 20 + 0.3 * t + 5 * Math.sin((2 * Math.PI * t) / m) + z());
      const expected = naiveDecomposition(y, m);
      const result = classicalDecomposition(y, m);
      result.trend.forEach((v, i) => (v === null ? expect(expected.trend[i]).toBeNull() : expect(v).toBeCloseTo(expected.trend[i]!, 10)));
      result.indices.forEach((v, p) => expect(v).toBeCloseTo(expected.indices[p]!, 10));
      expect(result.indices.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
    }
  });

  it('takes medians of the detrended values when asked', () => {
    // Position 1 has detrended values around one outlier; the median ignores it.
    const y = [0, 1, 0, 1, 0, 101, 0, 1, 0, 1, 0, 1];
    const means = classicalDecomposition(y, 2).indices;
    const medians = classicalDecomposition(y, 2, { seasonal: 'median' }).indices;
    expect(Math.abs(means[1]!)).toBeGreaterThan(5);
    expect(medians[1]).toBeLessThan(1);
  });

  it('extends the trend at both ends along a straight line', () => {
    const trend = [null, null, 2, 3, 4, 5, null, null];
    expect(extendTrend(trend, 4)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('says it needs two full seasons', () => {
    expect(() => classicalDecomposition([1, 2, 3, 4, 5, 6, 7], 4)).toThrow(/needs at least 8 points \(two full seasons of 4\); the series has 7/);
    expect(() => classicalDecomposition([1, 2, 3, 4], 1)).toThrow(/seasonLength/);
  });
});
