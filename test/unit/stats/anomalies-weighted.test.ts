import { describe, expect, it } from 'vitest';
import { detectAnomalies, precisionFactors, regularize, type Point } from '../../../src/analytics/stats/index.js';
import { hourlyIntensity, poisson, precisionRecall, START, uniforms } from './synthetic-series.js';

/**
 * Hourly decline rates: each hour has Poisson(base·profile) transactions, each declined with
 * probability 5 %, except one-hour surges at busy hours where it is 35 %. At night an hour has a
 * handful of transactions, so its rate swings by tens of points by chance alone; the weight (the
 * number of transactions) is what tells such an hour from a real surge.
 */
function declineRates(seed: number, days = 14, base = 40): { points: Point[]; anomalies: Set<number> } {
  const u = uniforms(seed);
  const draw = poisson(seed + 3);
  const n = days * 24;
  const busy = Array.from({ length: n }, (_, i) => i).filter((i) => hourlyIntensity(i, 1) >= 1);
  const anomalies = new Set<number>();
  while (anomalies.size < 8) anomalies.add(busy[Math.floor(u() * busy.length)]!);
  const points = Array.from({ length: n }, (_, i): Point => {
    const trials = Math.max(1, draw(hourlyIntensity(i, base)));
    const p = anomalies.has(i) ? 0.35 : 0.05;
    let declined = 0;
    for (let k = 0; k < trials; k++) if (u() < p) declined++;
    return { timestamp: new Date(START.getTime() + i * 3_600_000), value: declined / trials, weight: trials };
  });
  return { points, anomalies };
}

describe('anomaly scoring weighted by sample size', () => {
  it('computes precision factors as √(w / median w), capped at four times the median', () => {
    expect(precisionFactors([1, 4, 4, 100, 0])).toEqual([0.5, 1, 1, 2, 0]);
    expect(precisionFactors([0, 0])).toBeUndefined();
    expect(precisionFactors(undefined)).toBeUndefined();
  });

  const f1 = ({ precision, recall }: { precision: number; recall: number }) => (precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));

  it.each([1, 2, 3])('weighted rates reach precision and recall ≥ 0.8, better than unweighted scoring, whose band is set by the noisy quiet hours (seed %i)', (seed) => {
    const { points, anomalies } = declineRates(seed);
    const weighted = precisionRecall(detectAnomalies({ points, grain: 'hour' }).map((p) => p.anomaly), anomalies);
    const unweighted = precisionRecall(detectAnomalies({ points: points.map(({ timestamp, value }) => ({ timestamp, value })), grain: 'hour' }).map((p) => p.anomaly), anomalies);
    expect(weighted.precision).toBeGreaterThanOrEqual(0.8);
    expect(weighted.recall).toBeGreaterThanOrEqual(0.8);
    expect(f1(weighted)).toBeGreaterThan(f1(unweighted));
  });

  it('widens the band of a point by 1/√(relative weight)', () => {
    const { points } = declineRates(4);
    const scored = detectAnomalies({ points, grain: 'hour' });
    const factors = precisionFactors(points.map((p) => p.weight!))!;
    const width = (i: number) => scored[i]!.upper! - scored[i]!.lower!;
    const quiet = factors.indexOf(Math.min(...factors));
    const busy = factors.indexOf(Math.max(...factors));
    expect(factors[busy]! / factors[quiet]!).toBeGreaterThan(2);
    expect(width(quiet) * factors[quiet]!).toBeCloseTo(width(busy) * factors[busy]!, 9);
  });

  it('gives filled gaps weight 0: they score 0 and have no band', () => {
    const at = (h: number) => new Date(START.getTime() + h * 3_600_000);
    const { series, filled } = regularize({ grain: 'hour', points: [{ timestamp: at(0), value: 0.1, weight: 10 }, { timestamp: at(3), value: 0.4, weight: 10 }] }, { fill: 'interpolate' });
    expect(filled).toHaveLength(2);
    expect(series.points.map((p) => p.weight)).toEqual([10, 0, 0, 10]);
    const scored = detectAnomalies(series, { detector: 'robust_z' });
    expect(scored[1]).toMatchObject({ score: 0, anomaly: false });
    expect(scored[1]!.lower).toBeUndefined();
  });

  it('refuses weights on only some points, or negative ones', () => {
    const at = (h: number) => new Date(START.getTime() + h * 3_600_000);
    expect(() => regularize({ grain: 'hour', points: [{ timestamp: at(0), value: 1, weight: 3 }, { timestamp: at(1), value: 1 }] })).toThrow(/weights must be given for every point/);
    expect(() => regularize({ grain: 'hour', points: [{ timestamp: at(0), value: 1, weight: -1 }] })).toThrow(/weight -1/);
  });
});
