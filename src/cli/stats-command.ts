/**
 * What every `analytics stats …` command shares: where the series comes from (a metric with its
 * arguments, or --input FILE --time COL --value COL), gap filling, and output.
 */
import { Args, Flags } from '@oclif/core';
import { fileSeries, forecastSeasonLength, metricSeries, type LoadedSeries } from '../analytics/series-source.js';
import { FORECAST_METHODS, regularize, type ForecastMethod, type Series } from '../analytics/stats/index.js';
import { UserError } from '../errors.js';
import { GRAINS, type Grain } from '../metrics/schema.js';
import { BaseCommand } from './base-command.js';
import { parseDateFlag as parseDate } from './dates.js';

export const seriesArgs = { metric: Args.string({ description: 'Metric name (or use --input).' }) };

export const seriesFlags = {
  grain: Flags.string({ summary: 'Time grain of the series.', options: [...GRAINS] }),
  from: Flags.string({ summary: 'Start, inclusive (ISO 8601).' }),
  to: Flags.string({ summary: 'End, exclusive (ISO 8601).' }),
  where: Flags.string({ summary: 'One slice of a dimension, DIM=VALUE (repeatable), e.g. --where country=DE.', multiple: true }),
  input: Flags.string({ summary: 'Analyse a CSV or Parquet file instead of a metric.' }),
  time: Flags.string({ summary: 'Time column of --input.', default: 'timestamp' }),
  value: Flags.string({ summary: 'Value column of --input.', default: 'value' }),
  fill: Flags.string({ summary: 'How missing periods are filled (default: zero for counts and sums, interpolate otherwise).', options: ['zero', 'interpolate', 'error'] }),
  format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  plot: Flags.boolean({ summary: 'Draw the series in the terminal.', default: false }),
};


/** Flags of the commands that forecast (forecast, backtest); `horizon` has a default of its own in each. */
export const forecastFlags = {
  method: Flags.string({ summary: 'Method.', options: [...FORECAST_METHODS] }),
  'season-length': Flags.integer({ summary: 'Season length in steps (default: 24 for hours, or 168 with two weeks of hourly data; 7 for days…).', min: 1 }),
};

const STEP_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };
const GRAIN_SECONDS: Record<Grain, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_629_746, quarter: 7_889_238 };

/** `14d` → steps of the grain; a bare number is steps. */
export function horizonSteps(text: string, grain: Grain): number {
  const match = /^(\d+)([mhdw]?)$/.exec(text);
  if (!match) throw new UserError('BAD_ARGUMENT', `--horizon ${text}: use steps (24) or a duration (14d, 48h).`);
  const steps = match[2] ? Math.round((Number(match[1]) * STEP_SECONDS[match[2]]!) / GRAIN_SECONDS[grain]) : Number(match[1]);
  if (steps < 1) throw new UserError('BAD_ARGUMENT', `--horizon ${text} is shorter than one ${grain}.`);
  return steps;
}

/** The options forecast and backtest share: horizon in steps, method, and the season length (flag or default). */
export function forecastOptions(flags: { horizon: string; method?: string | undefined; 'season-length'?: number | undefined }, loaded: LoadedSeries, series: Series) {
  const seasonLength = flags['season-length'] ?? forecastSeasonLength(loaded.grain, series.points.length);
  return {
    horizon: horizonSteps(flags.horizon, loaded.grain),
    ...(flags.method ? { method: flags.method as ForecastMethod } : {}),
    ...(seasonLength === undefined ? {} : { seasonLength }),
  };
}

export interface ResolvedSeries {
  loaded: LoadedSeries;
  series: Series;
  filled: Date[];
}

export abstract class StatsCommand extends BaseCommand {
  protected async loadSeries(args: { metric?: string | undefined }, flags: Record<string, unknown>): Promise<ResolvedSeries> {
    const grain = flags.grain as Grain | undefined;
    let loaded: LoadedSeries;
    if (flags.input) {
      if (args.metric) throw new UserError('BAD_ARGUMENT', 'Give a metric or --input, not both.');
      loaded = await fileSeries(String(flags.input), { time: String(flags.time), value: String(flags.value), ...(grain ? { grain } : {}) });
    } else {
      if (!args.metric) throw new UserError('BAD_ARGUMENT', 'Name a metric, or pass --input FILE --time COLUMN --value COLUMN.', { hint: 'See analytics metrics list.' });
      const where = Object.fromEntries(((flags.where as string[] | undefined) ?? []).map((pair) => {
        const [key, ...rest] = pair.split('=');
        if (!key || rest.length === 0) throw new UserError('BAD_ARGUMENT', `--where ${pair}: expected DIM=VALUE.`);
        return [key, rest.join('=')];
      }));
      const workspace = await this.loadWorkspace(flags.workspace as string | undefined);
      const from = parseDate(flags.from as string | undefined, 'from');
      const to = parseDate(flags.to as string | undefined, 'to');
      loaded = await metricSeries(workspace, { metric: args.metric, where, ...(grain ? { grain } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
    }
    if (loaded.points.length === 0) throw new UserError('BAD_ARGUMENT', `${loaded.label} has no data in this range.`, { hint: 'Widen --from/--to, or check the metric with analytics metrics query.' });
    const fill = (flags.fill as 'zero' | 'interpolate' | 'error' | undefined) ?? loaded.fill;
    const { series, filled } = regularize({ points: loaded.points, grain: loaded.grain }, { fill });
    if (filled.length > 0) this.logger.info(`filled ${filled.length} missing ${loaded.grain} period${filled.length === 1 ? '' : 's'} with ${fill === 'zero' ? 'zero' : 'interpolated values'}`, { filled: filled.length, fill });
    return { loaded, series, filled };
  }
}
