import { Flags } from '@oclif/core';
import { forecast } from '../../analytics/stats/index.js';
import { plotSeries } from '../../cli/plot.js';
import { forecastFlags, forecastOptions, seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';
import { round } from './anomalies.js';

export default class StatsForecast extends StatsCommand {
  static override summary = 'Forecast a metric or any series with prediction intervals (Holt-Winters additive or multiplicative, damped trend).';
  static override examples = ['<%= config.bin %> stats forecast transaction_count --grain day --horizon 14d --plot', '<%= config.bin %> stats forecast transaction_count --grain hour --horizon 48h --method holt_winters_multiplicative --format json'];
  static override args = seriesArgs;
  static override flags = {
    ...seriesFlags,
    horizon: Flags.string({ summary: 'How far ahead: steps or a duration (14d, 48h).', default: '7d' }),
    ...forecastFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsForecast);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const result = forecast(series, forecastOptions(flags, loaded, series));
    if (flags.format === 'json') {
      return this.out(JSON.stringify({ method: result.method, params: result.params, points: result.points.map((p) => ({ timestamp: p.timestamp.toISOString(), value: p.value, lower: p.lower, upper: p.upper })) }));
    }
    const lines = [
      `${loaded.label}: ${result.method}, ${result.points.length} ${loaded.grain} steps ahead (${Object.entries(result.params).map(([k, v]) => `${k} ${round(v)}`).join(', ')})`,
      ...result.points.slice(0, 48).map((p) => `  ${p.timestamp.toISOString()}  ${round(p.value)}  [${round(p.lower)} … ${round(p.upper)}]`),
      ...(result.points.length > 48 ? [`  … ${result.points.length - 48} more (--format json)`] : []),
    ];
    if (flags.plot) {
      const history = series.points.map((p) => p.value);
      const nan = history.map(() => Number.NaN);
      lines.push('', plotSeries([...history, ...result.points.map((p) => p.value)], {
        bands: [[...nan, ...result.points.map((p) => p.lower)], [...nan, ...result.points.map((p) => p.upper)]],
        color: Boolean(process.stdout.isTTY),
      }));
    }
    this.out(lines.join('\n'));
  }
}
