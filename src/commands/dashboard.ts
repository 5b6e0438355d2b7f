import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../cli/base-command.js';
import { loadDashboard, DEFAULT_DASHBOARD } from '../dashboard/load.js';
import type { DashboardStart } from '../dashboard/run.js';
import { TIME_RANGES, type TimeRangeName } from '../dashboard/schema.js';
import { parseCustomRange } from '../dashboard/time-range.js';
import { loadView } from '../dashboard/views.js';
import { parseFilters } from '../dashboard/filters.js';
import { preferProductionBuilds, readEnv, renderLiveFramesOnTerminal } from '../env.js';
import { UserError } from '../errors.js';

export default class Dashboard extends BaseCommand {
  static override summary = 'Open a live, interactive terminal dashboard (dashboards/<name>.yaml), or print one frame with --once.';
  static override description = `Widgets bind to metrics of metrics.yaml, SQL over the lake or streams of the ingest daemon's live feed, and refresh on their interval (unchanged data is answered from the metrics cache). Keys: Tab focus, arrows select, Enter drill down, f filter, 1-4 time range (15m, 1h, 24h, 7d), t custom range, e/E export CSV/JSON, p screen snapshot, w save view, z zoom, ? help, q quit. Needs a terminal; --once prints one frame (plain text when stdout is not a terminal) for scripts. Reference: docs/dashboard.md.`;
  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --range 24h --filter country=FR',
    '<%= config.bin %> dashboard --view fraud-fr',
    '<%= config.bin %> dashboard ops --once --columns 200 --rows 60 > frame.txt',
  ];
  static override args = { name: Args.string({ description: `Dashboard name (dashboards/<name>.yaml; default: ${DEFAULT_DASHBOARD}).`, required: false }) };
  static override flags = {
    once: Flags.boolean({ summary: 'Print one frame to stdout when every widget has answered, then exit.', default: false }),
    view: Flags.string({ summary: 'Open a saved view (filters, time range, focus, zoom), saved with w.' }),
    range: Flags.string({ summary: 'Time range at start: 15m, 1h, 24h, 7d, a span such as 6h, or "FROM TO" (ISO, UTC).' }),
    filter: Flags.string({ summary: 'Global filter dimension=value (repeatable), e.g. country=FR.', multiple: true }),
    columns: Flags.integer({ summary: 'With --once: frame width (default: the terminal\'s, else 200).', min: 40, max: 1000 }),
    rows: Flags.integer({ summary: 'With --once: frame height (default: the terminal\'s, else 60).', min: 10, max: 500 }),
    'output-dir': Flags.string({ summary: 'Where exports (e/E) and screen snapshots (p) go (default: exports/ in the workspace).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Dashboard);
    this.setupLogging('dashboard', flags.debug);
    const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY);
    if (!flags.once && !interactive) {
      throw new UserError('NOT_A_TERMINAL', 'analytics dashboard needs an interactive terminal, and stdin or stdout is not one.', {
        hint: 'Run it in a terminal, or print one frame for a script with: analytics dashboard --once > frame.txt',
      });
    }
    if (readEnv('NO_COLOR') !== undefined || (flags.once && !process.stdout.isTTY)) chalk.level = 0;
    const workspace = await this.loadWorkspace(flags.workspace);
    const view = flags.view ? await loadView(workspace, flags.view) : undefined;
    const dashboard = await loadDashboard(workspace, args.name ?? view?.dashboard ?? DEFAULT_DASHBOARD);
    const start: DashboardStart = {};
    if (view) {
      start.range = typeof view.time_range === 'string' ? view.time_range : (parseCustomRange(`${view.time_range.from} ${view.time_range.to}`) as Exclude<ReturnType<typeof parseCustomRange>, string>);
      start.filters = view.filters;
      const focus = dashboard.widgets.findIndex((widget) => widget.id === view.focus);
      start.ui = { viewName: flags.view!, zoom: view.zoom, ...(focus >= 0 ? { focus } : {}) };
    }
    if (flags.range) {
      if ((TIME_RANGES as readonly string[]).includes(flags.range)) start.range = flags.range as TimeRangeName;
      else {
        const range = parseCustomRange(flags.range);
        if (typeof range === 'string') throw new UserError('BAD_ARGUMENT', `--range ${flags.range}: ${range}.`, { hint: 'Use 15m, 1h, 24h, 7d, a span such as 6h, or "2026-11-24T00:00 2026-11-25T00:00".' });
        start.range = range;
      }
    }
    if (flags.filter) {
      const filters = parseFilters(flags.filter.join(' '), dashboard.config.filters);
      if (typeof filters === 'string') throw new UserError('BAD_ARGUMENT', `--filter: ${filters}.`, { hint: 'Declare the dimension under filters: in the dashboard YAML.' });
      start.filters = { ...start.filters, ...filters };
    }
    // React and Ink are imported only now, after the environment they read at import is settled.
    preferProductionBuilds();
    if (!flags.once) renderLiveFramesOnTerminal();
    const { renderOnce, runLiveDashboard } = await import('../dashboard/run.js');
    if (flags.once) {
      const size = { columns: flags.columns ?? (process.stdout.isTTY ? process.stdout.columns : 200), lines: flags.rows ?? (process.stdout.isTTY ? process.stdout.rows : 60) };
      this.out(await renderOnce(workspace, dashboard, size, start));
      return;
    }
    await runLiveDashboard(workspace, dashboard, { ...start, debug: flags.debug, outputDir: flags['output-dir'] ?? workspace.resolve('exports') });
  }
}
