import { Flags } from '@oclif/core';
import { backtest } from '../../analytics/stats/index.js';
import { forecastFlags, forecastOptions, seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';

export default class StatsBacktest extends StatsCommand {
  static override summary = 'Backtest a forecast method over rolling origins: MAE, MAPE, sMAPE and MASE against seasonal-naive.';
  static override examples = ['<%= config.bin %> stats backtest transaction_count --grain hour --horizon 24h --origins 5', '<%= config.bin %> stats backtest transaction_count --grain day --horizon 7d --method damped_trend --format json'];
  static override args = seriesArgs;
  static override flags = {
    ...seriesFlags,
    horizon: Flags.string({ summary: 'Steps or duration forecast from each origin.', default: '1d' }),
    origins: Flags.integer({ summary: 'Rolling origins.', default: 5, min: 1 }),
    ...forecastFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsBacktest);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const result = backtest(series, {
      ...forecastOptions(flags, loaded, series),
      origins: flags.origins,
    });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    const fmt = (value: number | null, digits = 3) => (value === null ? 'n/a' : value.toFixed(digits));
    this.out([
      `${loaded.label}: ${result.method}, ${result.origins} origins`,
      `  MAE ${fmt(result.mae, 2)}  MAPE ${fmt(result.mape, 2)}%  sMAPE ${fmt(result.smape, 2)}%  MASE ${fmt(result.mase)}`,
      `  seasonal-naive: MAE ${fmt(result.baseline.mae, 2)}  MASE ${fmt(result.baseline.mase)}  → ${result.mase !== null && result.baseline.mase !== null ? (result.mase < result.baseline.mase ? 'better than seasonal-naive' : 'not better than seasonal-naive') : 'n/a'}`,
    ].join('\n'));
  }
}
