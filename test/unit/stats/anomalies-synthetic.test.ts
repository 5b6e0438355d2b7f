import { describe, expect, it } from 'vitest';
import { analyzeAnomalies, detectAnomalies, type Detector } from '../../../src/analytics/stats/index.js';
import { precisionRecall, seasonalCountsWithAnomalies, seriesOf } from './synthetic-series.js';

/**
 * Hourly Poisson counts with a weekday and a weekend daily profile, and one-hour anomalies
 * injected at busy hours: spikes ×2.5–3.5 and drops ×0.2–0.4 (see synthetic-series.ts). The
 * anomalous hours are known, so precision and recall are exact.
 */
const f1 = ({ precision, recall }: { precision: number; recall: number }) => (2 * precision * recall) / (precision + recall);

describe('anomaly detection on synthetic seasonal counts', () => {
  it.each([1, 2, 3])('the default detector finds injected spikes and drops with precision and recall ≥ 0.8 (seed %i)', (seed) => {
    const { values, anomalies } = seasonalCountsWithAnomalies({ days: 14, base: 300, spikes: 8, drops: 5, seed });
    const analysis = analyzeAnomalies(seriesOf(values));
    expect(analysis.detector).toBe('seasonal_residual');
    const result = precisionRecall(analysis.points.map((p) => p.anomaly), anomalies);
    expect(result.precision).toBeGreaterThanOrEqual(0.8);
    expect(result.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('does better than the detectors without a notion of season', () => {
    let defaultF1 = 0;
    const others: Record<string, number> = { robust_z: 0, ewma: 0 };
    for (const seed of [4, 5, 6]) {
      const { values, anomalies } = seasonalCountsWithAnomalies({ days: 14, base: 300, spikes: 8, drops: 5, seed });
      const series = seriesOf(values);
      defaultF1 += f1(precisionRecall(detectAnomalies(series).map((p) => p.anomaly), anomalies));
      for (const detector of Object.keys(others)) {
        others[detector]! += f1(precisionRecall(detectAnomalies(series, { detector: detector as Detector }).map((p) => p.anomaly), anomalies));
      }
    }
    for (const value of Object.values(others)) expect(defaultF1).toBeGreaterThan(value);
  });

  it('on a series shorter than a week the default (EWMA band) still finds spikes', () => {
    const { values, anomalies } = seasonalCountsWithAnomalies({ days: 3, base: 300, spikes: 3, drops: 0, seed: 7 });
    const analysis = analyzeAnomalies(seriesOf(values));
    expect(analysis.detector).toBe('ewma');
    const result = precisionRecall(analysis.points.map((p) => p.anomaly), anomalies);
    expect(result.precision).toBeGreaterThanOrEqual(0.8);
    expect(result.recall).toBeGreaterThanOrEqual(0.8);
  });
});
