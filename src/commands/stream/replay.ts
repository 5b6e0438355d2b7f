import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { runQuery } from '../../analytics/query.js';
import { BaseCommand } from '../../cli/base-command.js';
import { parseDateFlag } from '../../cli/dates.js';
import { renderRows, renderTable } from '../../cli/output.js';
import { ident, literal } from '../../duckdb/sql.js';
import { UserError } from '../../errors.js';
import { loadStreams } from '../../streams/config.js';
import { replayJob } from '../../streams/replay.js';

export default class StreamReplay extends BaseCommand {
  static override summary = 'Recompute a stream job from the events in the lake (the same results as the live run).';
  static override description = 'Reads the job\'s event types from the lake batch by batch, in commit order, and runs the same operators as ingest, so the rows equal those the live run wrote to the job\'s lake table (revisions and batch ids included) as long as the job ran since the lake\'s first batch. --from/--to keep the results whose time (window start, the left event\'s time, the match time) is in [from, to). --check compares the replay with the lake table and exits 1 on any difference.';
  static override examples = [
    '<%= config.bin %> stream replay tx_per_minute --from 2026-11-24T10:00:00Z --to 2026-11-24T11:00:00Z',
    '<%= config.bin %> stream replay fraud_joined --format json > fraud_joined.json',
    '<%= config.bin %> stream replay merchant_decline_rate --from 2026-11-24 --check',
  ];
  static override args = { name: Args.string({ description: 'Job name (streams.yaml).', required: true }) };
  static override flags = {
    from: Flags.string({ summary: 'Start of the results kept (ISO 8601, inclusive).' }),
    to: Flags.string({ summary: 'End of the results kept (ISO 8601, exclusive).' }),
    format: Flags.string({ summary: 'Output format.', options: ['table', 'json', 'ndjson', 'csv'], default: 'table' }),
    check: Flags.boolean({ summary: 'Compare with the job\'s lake table instead of printing rows; exit 1 if they differ.', default: false }),
    'max-rows': Flags.integer({ summary: 'Rows shown in table format.', default: 200, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StreamReplay);
    this.setupLogging('stream', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const from = parseDateFlag(flags.from, 'from');
    const to = parseDateFlag(flags.to, 'to');
    if (from && to && from >= to) throw new UserError('BAD_ARGUMENT', `--from ${flags.from} is not before --to ${flags.to}.`, { hint: 'Swap them.' });
    const { compiled } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
    const result = await replayJob(workspace.lakeRoot, workspace.registry, compiled, args.name, { ...(from ? { from } : {}), ...(to ? { to } : {}) }, { memoryLimit: workspace.config.engine.memory_limit });
    const columns = result.columns.map((column) => ({ name: column.name, type: column.sqlType }));
    const rows = result.rows as Record<string, never>[];
    if (flags.check) {
      const job = compiled.jobs.find((candidate) => candidate.name === args.name)!;
      const timeColumn = job.kind === 'window' ? 'window_start' : job.kind === 'join' ? 'coalesce(left_occurred_at, right_occurred_at)' : 'occurred_at';
      const where = [from ? `${timeColumn} >= ${literal(from.toISOString())}::TIMESTAMPTZ` : '', to ? `${timeColumn} < ${literal(to.toISOString())}::TIMESTAMPTZ` : ''].filter(Boolean);
      const live = await runQuery(workspace, `SELECT * FROM ${ident(args.name)}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`);
      const canonical = (list: readonly Record<string, unknown>[]) => list.map((row) => JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key]]))).sort();
      const replayed = canonical(rows);
      const stored = canonical(live.rows);
      const liveSet = new Set(stored);
      const replaySet = new Set(replayed);
      const missing = replayed.filter((row) => !liveSet.has(row)).length;
      const extra = stored.filter((row) => !replaySet.has(row)).length;
      const summary = { job: args.name, replayed: replayed.length, live: stored.length, only_in_replay: missing, only_in_lake: extra, equal: missing === 0 && extra === 0 && replayed.length === stored.length, lake_version: result.lakeVersion };
      this.out(flags.format === 'json' ? JSON.stringify(summary) : `${summary.equal ? 'equal' : 'DIFFERENT'}: ${summary.replayed} replayed rows, ${summary.live} rows in the lake table, ${missing} only in the replay, ${extra} only in the lake (lake version ${summary.lake_version})`);
      if (!summary.equal) process.exitCode = 1;
      return;
    }
    if (flags.format === 'table') {
      const shown = rows.slice(0, flags['max-rows']);
      this.out(renderTable(columns, shown, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
      process.stderr.write(chalk.gray(`${rows.length} row${rows.length === 1 ? '' : 's'} from ${result.events} events in ${result.batches} batches (${result.late} late, ${result.future} future) · lake version ${result.lakeVersion}\n`));
      return;
    }
    process.stdout.write(renderRows(flags.format as 'json' | 'ndjson' | 'csv', columns, rows));
  }
}
