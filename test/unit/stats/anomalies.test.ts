import { describe, expect, it } from 'vitest';
import {
  analyzeAnomalies,
  chooseDetector,
  detectAnomalies,
  DETECTORS,
  StatsInputError,
  type Detector,
} from '../../../src/analytics/stats/index.js';
import { normals, seriesOf } from './synthetic-series.js';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
};

describe('robust z-score', () => {
  it('scores |x − median| / (1.4826·MAD), computed by hand', () => {
    // median 3; absolute deviations 2, 1, 0, 1, 97 → MAD 1 → scale 1.4826.
    const points = detectAnomalies(seriesOf([1, 2, 3, 4, 100], 'day'), { detector: 'robust_z' });
    expect(points.map((p) => p.expected)).toEqual([3, 3, 3, 3, 3]);
    expect(points[4]!.score).toBeCloseTo(97 / 1.4826, 10);
    expect(points[0]!.score).toBeCloseTo(2 / 1.4826, 10);
    expect(points.map((p) => p.anomaly)).toEqual([false, false, false, false, true]);
    expect(points[4]!.lower).toBeCloseTo(3 - 3.5 * 1.4826, 10);
    expect(points[4]!.upper).toBeCloseTo(3 + 3.5 * 1.4826, 10);
  });

  it('falls back to 1.2533 × mean absolute deviation when the MAD is 0, and says so', () => {
    // Six 5s and a 9: MAD = 0; mean absolute deviation from the median = 4/7.
    const analysis = analyzeAnomalies(seriesOf([5, 5, 5, 5, 5, 5, 9], 'day'), { detector: 'robust_z' });
    expect(analysis.scale.method).toBe('mean_absolute_deviation');
    expect(analysis.notes.join(' ')).toMatch(/median absolute deviation .* is 0/);
    expect(analysis.points[6]!.score).toBeCloseTo(4 / (1.2533 * (4 / 7)), 10);
    expect(analysis.points[6]!.anomaly).toBe(true);
    expect(analysis.points[0]!.score).toBe(0);
  });

  it('scores a constant series 0 everywhere and says there is no spread', () => {
    const analysis = analyzeAnomalies(seriesOf([2, 2, 2, 2], 'day'), { detector: 'robust_z' });
    expect(analysis.points.every((p) => p.score === 0 && !p.anomaly && p.expected === 2)).toBe(true);
    expect(analysis.notes.join(' ')).toMatch(/no spread/);
  });
});

describe('EWMA', () => {
  it('matches a step-by-step implementation of the documented recursion', () => {
    const z = normals(31);
    const values = Array.from({ length: 40 }, (_, t) => 10 + z() + (t === 25 ? 15 : 0));
    const alpha = 0.3;
    const threshold = 3;
    // Second implementation, from the description: start from the median and (1.4826·MAD)² of the
    // first max(5, ⌈2/α⌉) = 7 points; σ floored at a tenth of the whole series' 1.4826·MAD; score,
    // then update with the point clipped to the band edge when flagged.
    const mad = (xs: number[]) => median(xs.map((x) => Math.abs(x - median(xs))));
    const warm = values.slice(0, 7);
    let mean = median(warm);
    let variance = (1.4826 * mad(warm)) ** 2;
    const floor = 0.1 * 1.4826 * mad(values);
    const expected: { expected: number; score: number }[] = [];
    for (const y of values) {
      const sigma = Math.max(Math.sqrt(variance), floor);
      const score = Math.abs(y - mean) / sigma;
      expected.push({ expected: mean, score });
      const fed = score > threshold ? mean + Math.sign(y - mean) * threshold * sigma : y;
      const e = fed - mean;
      mean = mean + alpha * e;
      variance = (1 - alpha) * (variance + alpha * e * e);
    }
    const points = detectAnomalies(seriesOf(values, 'hour'), { detector: 'ewma', threshold, alpha });
    points.forEach((p, i) => {
      expect(p.expected).toBeCloseTo(expected[i]!.expected, 10);
      expect(p.score).toBeCloseTo(expected[i]!.score, 10);
    });
    expect(points[25]!.anomaly).toBe(true);
  });
});

describe('seasonal decomposition residuals', () => {
  it('expects the periodic value and flags a spike without flagging its hour on other days', () => {
    const z = normals(32);
    const base = Array.from({ length: 24 * 8 }, (_, t) => 100 + 50 * Math.sin((2 * Math.PI * t) / 24) + 2 * z());
    const values = base.map((v, t) => (t === 24 * 3 + 12 ? v + 120 : v));
    const points = detectAnomalies(seriesOf(values, 'hour'), { detector: 'seasonal_residual' });
    expect(points.filter((p) => p.anomaly).map((p) => points.indexOf(p))).toEqual([24 * 3 + 12]);
    // The expected value at the spike is the periodic value, not pulled up by the spike.
    expect(Math.abs(points[24 * 3 + 12]!.expected - (100 + 50 * Math.sin((2 * Math.PI * 12) / 24)))).toBeLessThan(3);
  });
});

describe('Holt–Winters prediction interval', () => {
  it('flags a spike and a drop in a seasonal series with trend', () => {
    const z = normals(33);
    const values = Array.from({ length: 24 * 10 }, (_, t) => 200 + 0.2 * t + 60 * Math.sin((2 * Math.PI * t) / 24) + 3 * z());
    values[24 * 6 + 5] = values[24 * 6 + 5]! + 80;
    values[24 * 8 + 15] = values[24 * 8 + 15]! - 80;
    const points = detectAnomalies(seriesOf(values, 'hour'), { detector: 'holt_winters' });
    const flagged = points.flatMap((p, i) => (p.anomaly ? [i] : []));
    expect(flagged).toEqual([24 * 6 + 5, 24 * 8 + 15]);
    const spike = points[24 * 6 + 5]!;
    expect(spike.value).toBeGreaterThan(spike.upper!);
  });
});

describe('every detector', () => {
  const z = normals(34);
  const values = Array.from({ length: 24 * 8 }, (_, t) => 50 + 20 * Math.cos((2 * Math.PI * t) / 24) + z());

  it.each(DETECTORS)('%s returns one finite entry per input point, in order', (detector: Detector) => {
    const series = seriesOf(values, 'hour');
    const points = detectAnomalies(series, { detector });
    expect(points).toHaveLength(values.length);
    points.forEach((p, i) => {
      expect(p.timestamp).toEqual(series.points[i]!.timestamp);
      expect(p.value).toBe(values[i]);
      for (const field of [p.expected, p.score, p.lower!, p.upper!]) expect(Number.isFinite(field)).toBe(true);
    });
  });

  it.each(DETECTORS)('%s handles a constant series without NaN and flags nothing', (detector: Detector) => {
    const points = detectAnomalies(seriesOf(new Array(24 * 3).fill(7), 'hour'), { detector });
    expect(points.every((p) => p.score === 0 && !p.anomaly && Number.isFinite(p.expected))).toBe(true);
  });

  it('states the points each detector needs', () => {
    const short = seriesOf(values.slice(0, 30), 'hour');
    expect(() => detectAnomalies(short, { detector: 'seasonal_residual' })).toThrow(/needs at least 48 points \(two full seasons of 24\); the series has 30/);
    expect(() => detectAnomalies(short, { detector: 'holt_winters' })).toThrow(/needs at least 48 points/);
    expect(() => detectAnomalies(seriesOf([1, 2], 'hour'), { detector: 'robust_z' })).toThrow(/needs at least 3 points/);
    expect(() => detectAnomalies(seriesOf([1, 2], 'hour'), { detector: 'ewma' })).toThrow(/needs at least 3 points/);
  });

  it('refuses unknown detectors and bad options', () => {
    const series = seriesOf(values, 'hour');
    expect(() => detectAnomalies(series, { detector: 'magic' as Detector })).toThrow(StatsInputError);
    expect(() => detectAnomalies(series, { threshold: 0 })).toThrow(/threshold/);
    expect(() => detectAnomalies(series, { detector: 'ewma', alpha: 1.5 })).toThrow(/alpha/);
    expect(() => detectAnomalies(series, { seasonLength: 1 })).toThrow(/seasonLength/);
  });
});

describe('default detector', () => {
  it('is seasonal_residual from seven seasons on and ewma below, with the reason', () => {
    expect(chooseDetector(168, 24).detector).toBe('seasonal_residual');
    expect(chooseDetector(167, 24)).toEqual({ detector: 'ewma', reason: expect.stringContaining('shorter than 7 seasons of 24') });
    expect(analyzeAnomalies(seriesOf(new Array(24).fill(1).map((v, i) => v + (i % 3)), 'hour')).detector).toBe('ewma');
  });

  it('adds a note when a seasonal detector runs on few seasons', () => {
    const z = normals(35);
    const analysis = analyzeAnomalies(seriesOf(Array.from({ length: 72 }, () => z()), 'hour'), { detector: 'seasonal_residual' });
    expect(analysis.notes.join(' ')).toMatch(/Only 3 seasons of 24/);
  });
});
