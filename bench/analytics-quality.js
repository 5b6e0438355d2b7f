#!/usr/bin/env node
/**
 * Quality of the statistics on generated data (issue 6), through the real path: generate 21 days
 * with injected anomalies, ingest, query hourly metric series through the metrics layer, and
 * - score the default anomaly detector against the generator's ground truth: precision over
 *   flagged hours, recall over injected anomalies (found when any of its hours is flagged);
 * - backtest the default forecast against seasonal-naive on hourly transaction counts (MASE).
 * Exported for bench/run.js; runnable alone.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backtest, DEFAULT_DETECTOR, DEFAULT_FORECAST_METHOD, detectAnomalies, regularize } from '../dist/analytics/stats/index.js';
import { forecastSeasonLength, metricSeries } from '../dist/analytics/series-source.js';
import { ingestFiles } from '../dist/pipelines/ingest/file-ingest.js';
import { generateToOutput } from '../dist/pipelines/synthetic-data.js';
import { initWorkspace } from '../dist/workspace/init.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

/** Which metric of metrics.yaml each kind of injected anomaly moves. */
const METRIC_OF = {
  transaction_spike: 'transaction_count',
  decline_rate_surge: 'decline_rate',
  notification_delivery_drop: 'notification_delivery_rate',
  security_alert_surge: 'security_alert_count',
  fraud_review_surge: 'fraud_review_rate',
  notification_latency_spike: 'notification_latency_median',
};

/** Generated data sets: different seeds, lengths and volumes, so one lucky set cannot carry the figure. */
export const QUALITY_SETS = [
  { seed: 11, days: 7, rate: 1 },
  { seed: 5, days: 14, rate: 1 },
  { seed: 23, days: 21, rate: 0.5 },
];

export async function benchAnalyticsQuality() {
  const sets = [];
  for (const set of QUALITY_SETS) sets.push(await evaluateSet(set));
  const flagged = sets.reduce((sum, set) => sum + set.flagged, 0);
  const hits = sets.reduce((sum, set) => sum + set.flaggedInTruth, 0);
  const found = sets.reduce((sum, set) => sum + set.found, 0);
  const anomalies = sets.reduce((sum, set) => sum + set.anomalies, 0);
  return { detector: DEFAULT_DETECTOR, precision: hits / flagged, recall: found / anomalies, anomalies, flagged, sets, forecast: sets.at(-1).forecast };
}

async function evaluateSet({ days, seed, rate }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-quality-'));
  try {
    await initWorkspace(dir);
    rmSync(path.join(dir, 'streams.yaml'), { force: true }); // no stream jobs here
    copyFileSync('metrics.yaml', path.join(dir, 'metrics.yaml'));
    const start = new Date(Date.UTC(2026, 10, 17) - days * 86_400_000);
    const end = new Date(start.getTime() + days * 86_400_000);
    const file = path.join(dir, 'events.ndjson');
    await generateToOutput({ seed, start, end, rate }, { format: 'ndjson', out: file, truthFile: path.join(dir, 'truth.json') });
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8'));
    const workspace = await openWorkspace({ workspace: dir });
    await ingestFiles(workspace, { paths: [file], cwd: dir });

    // One series per (metric, dimension filter); all anomalies on it are its truth.
    const series = new Map();
    for (const anomaly of truth.anomalies) {
      const key = `${METRIC_OF[anomaly.kind]} ${JSON.stringify(anomaly.dimensions)}`;
      const entry = series.get(key) ?? { metric: METRIC_OF[anomaly.kind], where: anomaly.dimensions, anomalies: [] };
      entry.anomalies.push(anomaly);
      series.set(key, entry);
    }
    let flagged = 0;
    let flaggedInTruth = 0;
    let found = 0;
    for (const entry of series.values()) {
      const loaded = await metricSeries(workspace, { metric: entry.metric, grain: 'hour', from: start, to: end, where: entry.where });
      const { series: regular } = regularize({ points: loaded.points, grain: 'hour' }, { fill: loaded.fill });
      const points = detectAnomalies(regular);
      const inWindow = (timestamp, anomaly) => timestamp >= new Date(anomaly.start) && timestamp < new Date(anomaly.end);
      for (const point of points.filter((p) => p.anomaly)) {
        flagged += 1;
        if (entry.anomalies.some((anomaly) => inWindow(point.timestamp, anomaly))) flaggedInTruth += 1;
      }
      for (const anomaly of entry.anomalies) if (points.some((p) => p.anomaly && inWindow(p.timestamp, anomaly))) found += 1;
    }
    const precision = flagged === 0 ? 0 : flaggedInTruth / flagged;
    const recall = found / truth.anomalies.length;

    const counts = await metricSeries(workspace, { metric: 'transaction_count', grain: 'hour', from: start, to: end });
    const { series: hourly } = regularize({ points: counts.points, grain: 'hour' }, { fill: 'zero' });
    const seasonLength = forecastSeasonLength('hour', hourly.points.length);
    const test = backtest(hourly, { horizon: 24, origins: 5, ...(seasonLength ? { seasonLength } : {}) });
    return { seed, days, rate, anomalies: truth.anomalies.length, series: series.size, precision, recall, flagged, flaggedInTruth, found, forecast: { method: test.method ?? DEFAULT_FORECAST_METHOD, seasonLength: seasonLength ?? 24, mase: test.mase, baselineMase: test.baseline.mase, mae: test.mae, smape: test.smape } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(JSON.stringify(await benchAnalyticsQuality(), null, 2));
}
