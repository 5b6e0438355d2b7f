import { trend } from '../../analytics/stats/index.js';
import { plotSeries } from '../../cli/plot.js';
import { seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';
import { round } from './anomalies.js';

export default class StatsTrend extends StatsCommand {
  static override summary = 'Trend of a metric or any series: regression slope with a 95% interval, Mann-Kendall test, percent change.';
  static override examples = ['<%= config.bin %> stats trend fraud_rate --grain day --from 2026-10-01', '<%= config.bin %> stats trend transaction_volume --format json'];
  static override args = seriesArgs;
  static override flags = seriesFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsTrend);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const result = trend(series);
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    const mk = result.mannKendall;
    this.out([
      `${loaded.label}, ${series.points.length} ${loaded.grain} points`,
      `  slope        ${round(result.slope)} per ${loaded.grain} (95% CI ${round(result.slopeCi95[0])} … ${round(result.slopeCi95[1])}), ${round(result.slopePerDay)} per day, R² ${result.r2.toFixed(3)}`,
      `  Mann-Kendall ${mk.trend} (S ${mk.s}, z ${mk.z.toFixed(2)}, p ${mk.pValue.toFixed(4)}, tau ${mk.tau.toFixed(3)})`,
      `  change       ${result.percentChange === null ? 'n/a (starts at zero)' : `${result.percentChange.toFixed(1)}% over the range (fitted line)`}`,
      ...(flags.plot ? ['', plotSeries(series.points.map((point) => point.value), { color: Boolean(process.stdout.isTTY) })] : []),
    ].join('\n'));
  }
}
