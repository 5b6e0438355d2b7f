import { Flags } from '@oclif/core';
import { forecast, FORECAST_METHODS, type ForecastMethod } from '../../analytics/stats/index.js';
import { plotSeries } from '../../cli/plot.js';
import { forecastSeasonLength } from '../../analytics/series-source.js';
import { seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';
import { UserError } from '../../errors.js';
import { round } from './anomalies.js';

const STEP: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };
const GRAIN_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_629_746, quarter: 7_889_238 };

/** `14d` → steps of the grain; a bare number is steps. */
export function horizonSteps(text: string, grain: string): number {
  const match = /^(\d+)([mhdw]?)$/.exec(text);
  if (!match) throw new UserError('BAD_ARGUMENT', `--horizon ${text}: use steps (24) or a duration (14d, 48h).`);
  const steps = match[2] ? Math.round((Number(match[1]) * STEP[match[2]]!) / GRAIN_SECONDS[grain]!) : Number(match[1]);
  if (steps < 1) throw new UserError('BAD_ARGUMENT', `--horizon ${text} is shorter than one ${grain}.`);
  return steps;
}

export default class StatsForecast extends StatsCommand {
  static override summary = 'Forecast a metric or any series with prediction intervals (Holt-Winters additive or multiplicative, damped trend).';
  static override examples = ['<%= config.bin %> stats forecast transaction_count --grain day --horizon 14d --plot', '<%= config.bin %> stats forecast transaction_count --grain hour --horizon 48h --method holt_winters_multiplicative --format json'];
  static override args = seriesArgs;
  static override flags = {
    ...seriesFlags,
    horizon: Flags.string({ summary: 'How far ahead: steps or a duration (14d, 48h).', default: '7d' }),
    method: Flags.string({ summary: 'Method.', options: [...FORECAST_METHODS] }),
    'season-length': Flags.integer({ summary: 'Season length in steps (default: 24 for hours, 7 for days…).', min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsForecast);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const result = forecast(series, {
      horizon: horizonSteps(flags.horizon, loaded.grain),
      ...(flags.method ? { method: flags.method as ForecastMethod } : {}),
      ...((flags['season-length'] ?? forecastSeasonLength(loaded.grain, series.points.length)) ? { seasonLength: flags['season-length'] ?? forecastSeasonLength(loaded.grain, series.points.length)! } : {}),
    });
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
