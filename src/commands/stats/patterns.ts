import { changePoints, profiles, seasonality } from '../../analytics/stats/index.js';
import { seriesArgs, seriesFlags, StatsCommand } from '../../cli/stats-command.js';
import { round } from './anomalies.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export default class StatsPatterns extends StatsCommand {
  static override summary = 'Seasonality (daily and weekly cycles by autocorrelation), hour-of-day and day-of-week profiles, change points.';
  static override examples = ['<%= config.bin %> stats patterns transaction_count --grain hour', '<%= config.bin %> stats patterns notification_delivery_rate --grain hour --format json'];
  static override args = seriesArgs;
  static override flags = seriesFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StatsPatterns);
    this.setupLogging('stats', flags.debug);
    const { loaded, series } = await this.loadSeries(args, flags);
    const result = { seasonality: seasonality(series), profiles: profiles(series), changePoints: series.points.length >= 20 ? changePoints(series) : [] };
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    const cycle = (name: string, c: { detected: boolean; acf: number | null }) => `${name} ${c.acf === null ? 'n/a (needs two cycles of data)' : `${c.detected ? 'yes' : 'no'} (acf ${c.acf.toFixed(2)})`}`;
    this.out([
      `${loaded.label}, ${series.points.length} ${loaded.grain} points`,
      `  cycles       ${cycle('daily', result.seasonality.dailyCycle)}; ${cycle('weekly', result.seasonality.weeklyCycle)}; dominant period ${result.seasonality.period ?? 'none'}`,
      ...(result.profiles.hourOfDay.length > 0 ? [`  by hour      ${result.profiles.hourOfDay.map((h) => `${h.hour}h ${round(h.mean)}`).join('  ')}`] : []),
      ...(result.profiles.dayOfWeek.length > 0 ? [`  by weekday   ${result.profiles.dayOfWeek.map((d) => `${DAYS[d.day]} ${round(d.mean)}`).join('  ')}`] : []),
      `  change points ${result.changePoints.length === 0 ? 'none' : result.changePoints.map((c) => `${c.timestamp.toISOString()} (${round(c.before)} → ${round(c.after)})`).join(', ')}`,
    ].join('\n'));
  }
}
