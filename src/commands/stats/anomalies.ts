import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { analyzeAnomalies, DETECTORS, type Detector } from '../../analytics/stats/index.js';
import { plotSeries } from '../../cli/plot.js';
import { seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';

export default class StatsAnomalies extends StatsCommand {
  static override summary = 'Flag anomalous points of a metric or any series, with the expected value and a score.';
  static override description = 'Detectors: seasonal_residual (default for series of two seasons or more), holt_winters, ewma, robust_z (default for shorter series). --format json prints one object per input point: timestamp, value, expected, score, anomaly.';
  static override examples = [
    '<%= config.bin %> stats anomalies transaction_count --grain hour --plot',
    '<%= config.bin %> stats anomalies decline_rate --grain hour --where country=DE --format json',
    '<%= config.bin %> stats anomalies --input series.csv --time ts --value v --detector ewma',
  ];
  static override args = seriesArgs;
  static override flags = {
    ...seriesFlags,
    detector: Flags.string({ summary: 'Detector.', options: [...DETECTORS] }),
    threshold: Flags.string({ summary: 'Score above which a point is anomalous (default per detector).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsAnomalies);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const analysis = analyzeAnomalies(series, {
      ...(flags.detector ? { detector: flags.detector as Detector } : {}),
      ...(flags.threshold ? { threshold: Number(flags.threshold) } : {}),
    });
    if (flags.format === 'json') {
      this.out(JSON.stringify(analysis.points.map((point) => ({ timestamp: point.timestamp.toISOString(), value: point.value, expected: point.expected, score: point.score, anomaly: point.anomaly }))));
      return;
    }
    const flagged = analysis.points.filter((point) => point.anomaly);
    const lines = [
      `${loaded.label}: ${flagged.length} anomalous of ${analysis.points.length} ${loaded.grain} points (${analysis.detector}, threshold ${analysis.threshold}; ${analysis.reason})`,
      ...analysis.notes.map((note) => `  note: ${note}`),
      ...flagged.map((point) => `  ${chalk.red('▲')} ${point.timestamp.toISOString()}  value ${round(point.value)}  expected ${round(point.expected)}  score ${point.score.toFixed(1)}`),
    ];
    if (flags.plot) lines.push('', plotSeries(analysis.points.map((point) => point.value), { marks: analysis.points.flatMap((point, index) => (point.anomaly ? [index] : [])), color: Boolean(process.stdout.isTTY) }));
    this.out(lines.join('\n'));
  }
}

export function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
