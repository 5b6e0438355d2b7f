import { describe, expect, it } from 'vitest';
import { autocorrelation, changePoints, profiles, seasonality, StatsInputError } from '../../../src/analytics/stats/index.js';
import { pelt } from '../../../src/analytics/stats/change-points.js';
import { normals, seriesOf } from './synthetic-series.js';

/** The textbook sample ACF, written out directly: r_k = Σ (x_t − x̄)(x_{t+k} − x̄) / Σ (x_t − x̄)². */
function directAcf(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let denominator = 0;
  for (const v of x) denominator += (v - mean) ** 2;
  const out: number[] = [];
  for (let k = 0; k <= maxLag; k++) {
    let numerator = 0;
    for (let t = 0; t < n - k; t++) numerator += (x[t]! - mean) * (x[t + k]! - mean);
    out.push(numerator / denominator);
  }
  return out;
}

describe('autocorrelation', () => {
  it('matches the direct formula', () => {
    const z = normals(5);
    const x = Array.from({ length: 200 }, (_, t) => Math.sin((2 * Math.PI * t) / 12) + 0.5 * z());
    const acf = autocorrelation(x, 30);
    const expected = directAcf(x, 30);
    expect(acf).toHaveLength(31);
    acf.forEach((r, k) => expect(r).toBeCloseTo(expected[k]!, 12));
    expect(acf[0]).toBe(1);
  });

  it('matches the direct formula on the FFT path used for long series', () => {
    const z = normals(6);
    const x = Array.from({ length: 20_001 }, (_, t) => Math.cos((2 * Math.PI * t) / 24) + z());
    const acf = autocorrelation(x, 1500);
    const expected = directAcf(x, 1500);
    for (const k of [0, 1, 2, 23, 24, 25, 168, 1000, 1500]) expect(acf[k]).toBeCloseTo(expected[k]!, 9);
  });

  it('computes a small case by hand', () => {
    // x = 1, 2, 3, 4: mean 2.5, deviations −1.5, −0.5, 0.5, 1.5, Σd² = 5;
    // lag 1: (−1.5·−0.5 + −0.5·0.5 + 0.5·1.5)/5 = 1.25/5 = 0.25; lag 2: (−1.5·0.5 + −0.5·1.5)/5 = −0.3.
    const acf = autocorrelation([1, 2, 3, 4], 2);
    expect(acf[1]).toBeCloseTo(0.25, 12);
    expect(acf[2]).toBeCloseTo(-0.3, 12);
  });

  it('refuses a constant series, bad lags and non-finite values', () => {
    expect(() => autocorrelation([3, 3, 3], 1)).toThrow(/undefined for a constant series/);
    expect(() => autocorrelation([1, 2, 3], 3)).toThrow(StatsInputError);
    expect(() => autocorrelation([1, 2, 3], 1.5)).toThrow(/maxLag/);
    expect(() => autocorrelation([1, Number.NaN, 3], 1)).toThrow(/value 1 is NaN/);
    expect(() => autocorrelation([1], 0)).toThrow(/needs at least 2 points/);
  });
});

describe('seasonality', () => {
  it('detects a daily cycle in hourly data and reports period 24', () => {
    const z = normals(8);
    const values = Array.from({ length: 24 * 10 }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / 24) + 5 * z());
    const result = seasonality(seriesOf(values, 'hour'));
    expect(result.dailyCycle.detected).toBe(true);
    expect(result.dailyCycle.acf!).toBeGreaterThan(0.8);
    expect(result.weeklyCycle.detected).toBe(false);
    expect(result.period).toBe(24);
  });

  it('detects a weekly cycle in daily data', () => {
    const z = normals(9);
    const values = Array.from({ length: 7 * 12 }, (_, t) => 50 + (t % 7 >= 5 ? -20 : 5) + 3 * z());
    const result = seasonality(seriesOf(values, 'day'));
    expect(result.weeklyCycle.detected).toBe(true);
    expect(result.dailyCycle).toEqual({ detected: false, acf: null });
    expect(result.period).toBe(7);
  });

  it('detects nothing in white noise, and a linear trend is not a cycle', () => {
    const z = normals(10);
    const noise = seasonality(seriesOf(Array.from({ length: 24 * 8 }, () => z()), 'hour'));
    expect(noise.dailyCycle.detected).toBe(false);
    expect(noise.period).toBeNull();
    const ramp = seasonality(seriesOf(Array.from({ length: 24 * 8 }, (_, t) => t + 0.1 * z()), 'hour'));
    expect(ramp.dailyCycle.detected).toBe(false);
  });

  it('gives null for cycles longer than half the series and for a constant series', () => {
    const short = seasonality(seriesOf(Array.from({ length: 30 }, (_, t) => t % 24), 'hour'));
    expect(short.dailyCycle).toEqual({ detected: false, acf: null });
    const constant = seasonality(seriesOf(new Array(100).fill(7), 'hour'));
    expect(constant).toEqual({ dailyCycle: { detected: false, acf: null }, weeklyCycle: { detected: false, acf: null }, period: null });
  });
});

describe('profiles', () => {
  it('averages by UTC hour of day and by weekday (0 = Sunday)', () => {
    // 48 hours from Monday 00:00: value = hour of day, plus 100 on the second day (Tuesday).
    const values = Array.from({ length: 48 }, (_, t) => (t % 24) + (t >= 24 ? 100 : 0));
    const result = profiles(seriesOf(values, 'hour'));
    expect(result.hourOfDay).toHaveLength(24);
    expect(result.hourOfDay[5]).toEqual({ hour: 5, mean: 55 }); // (5 + 105)/2
    expect(result.dayOfWeek).toEqual([
      { day: 1, mean: 11.5 }, // Monday: mean of 0…23
      { day: 2, mean: 111.5 },
    ]);
  });

  it('leaves out profiles the grain cannot show', () => {
    const daily = profiles(seriesOf([1, 2, 3, 4, 5, 6, 7, 8], 'day'));
    expect(daily.hourOfDay).toEqual([]);
    expect(daily.dayOfWeek.find((d) => d.day === 1)).toEqual({ day: 1, mean: 4.5 }); // Mondays: 1 and 8
    expect(profiles(seriesOf([1, 2, 3], 'week'))).toEqual({ hourOfDay: [], dayOfWeek: [] });
  });
});

/** Optimal partitioning by exhaustive dynamic programming (no pruning), the reference for PELT. */
function optimalPartitioning(x: readonly number[], sigma: number, penalty: number, minSegment: number): number[] {
  const n = x.length;
  const cost = (a: number, b: number): number => {
    const seg = x.slice(a, b);
    const mean = seg.reduce((s, v) => s + v, 0) / seg.length;
    return seg.reduce((s, v) => s + (v - mean) ** 2, 0) / (sigma * sigma);
  };
  const best = [-penalty];
  const last = [0];
  for (let t = 1; t <= n; t++) {
    best[t] = Number.POSITIVE_INFINITY;
    for (let s = 0; s <= t - minSegment; s++) {
      if (s !== 0 && s < minSegment) continue;
      const value = best[s]! + cost(s, t) + penalty;
      if (value < best[t]!) {
        best[t] = value;
        last[t] = s;
      }
    }
  }
  const changes: number[] = [];
  for (let t = n; last[t]! > 0; t = last[t]!) changes.unshift(last[t]!);
  return changes;
}

describe('change points', () => {
  it('finds the same segmentation as exhaustive optimal partitioning', () => {
    const z = normals(12);
    for (const minSegment of [2, 5, 3]) {
      const levels = [0, 4, 1, 6, 6.5, 2];
      const x = Array.from({ length: 180 }, (_, t) => levels[Math.floor(t / 30)]! + z());
      const expected = optimalPartitioning(x, 1, 3 * Math.log(x.length), minSegment);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      expect(pelt(x, 1, 3 * Math.log(x.length), minSegment)).toEqual(expected);
    }
  });

  it('locates a level shift and reports the means either side', () => {
    const z = normals(13);
    const values = Array.from({ length: 60 }, (_, t) => (t < 35 ? 10 : 18) + z());
    const result = changePoints(seriesOf(values, 'day'), { deseasonalize: false });
    expect(result).toHaveLength(1);
    expect(result[0]!.index).toBe(35);
    expect(result[0]!.timestamp.toISOString()).toBe(new Date(Date.UTC(2026, 0, 5 + 35)).toISOString());
    expect(result[0]!.before).toBeCloseTo(values.slice(0, 35).reduce((a, b) => a + b) / 35, 10);
    expect(result[0]!.after).toBeCloseTo(values.slice(35).reduce((a, b) => a + b) / 25, 10);
  });

  it('does not read a daily cycle as changes once it is removed', () => {
    const z = normals(14);
    const values = Array.from({ length: 24 * 8 }, (_, t) => 100 + 40 * Math.sin((2 * Math.PI * t) / 24) + (t >= 24 * 5 ? 30 : 0) + 2 * z());
    const result = changePoints(seriesOf(values, 'hour'));
    expect(result.map((c) => c.index)).toHaveLength(1);
    expect(Math.abs(result[0]!.index - 24 * 5)).toBeLessThanOrEqual(2);
  });

  it('finds none in a constant series and none in noise', () => {
    expect(changePoints(seriesOf(new Array(40).fill(3), 'day'))).toEqual([]);
    const z = normals(15);
    expect(changePoints(seriesOf(Array.from({ length: 200 }, () => z()), 'day'), { deseasonalize: false })).toEqual([]);
  });

  it('says how many points it needs', () => {
    expect(() => changePoints(seriesOf([1, 2, 3, 4, 5, 6, 7, 8, 9], 'day'))).toThrow(/needs at least 10 points \(two segments of at least 5\)/);
    expect(() => changePoints(seriesOf([1, 2, 3, 4], 'day'), { minSegment: 1 })).toThrow(/minSegment/);
  });
});
