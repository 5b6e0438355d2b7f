import { Args, Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { parseDateFlag } from '../../cli/dates.js';
import { StepTree, stepLine } from '../../cli/step-tree.js';
import { UserError, type ErrorCode } from '../../errors.js';
import { runEtl, type EtlRunResult } from '../../etl/run.js';

export default class EtlRun extends BaseCommand {
  static override summary = 'Run ETL pipelines from pipelines.yaml: all of them, or the ones named, dependencies first.';
  static override description = `Each date is committed atomically: a failed or killed run leaves every table as it was, and re-running a date gives the same tables. A backfill (--from/--to) commits one date at a time and, when run again after a failure, skips the dates already committed (--restart redoes them). Exit 0 when every step succeeded, 1 when the run failed (the message names the pipeline and step).`;
  static override strict = false;
  static override args = { pipeline: Args.string({ description: 'Pipeline names (default: every pipeline).' }) };
  static override examples = [
    '<%= config.bin %> etl run',
    '<%= config.bin %> etl run warehouse --date 2026-11-24',
    '<%= config.bin %> etl run warehouse --from 2026-11-01 --to 2026-11-07',
    '<%= config.bin %> etl run warehouse --select dim_customer+',
    '<%= config.bin %> etl run --format json',
  ];
  static override flags = {
    select: Flags.string({ summary: 'Run only this step (repeatable): name, name+ (and what depends on it), +name (and what it depends on).', multiple: true }),
    date: Flags.string({ summary: 'Process one date (YYYY-MM-DD): {{ run_date }}, {{ from }} and {{ to }} cover that day.', exclusive: ['from', 'to'] }),
    from: Flags.string({ summary: 'Backfill from this date (YYYY-MM-DD, included), one date at a time.' }),
    to: Flags.string({ summary: 'Backfill to this date (YYYY-MM-DD, included).' }),
    restart: Flags.boolean({ summary: 'Backfill: redo the dates an unfinished earlier run of the same range committed.', default: false }),
    concurrency: Flags.integer({ summary: 'Steps run at the same time at most.', default: 2, min: 1 }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(EtlRun);
    this.setupLogging('etl', flags.debug);
    for (const [flag, value] of [['date', flags.date], ['from', flags.from], ['to', flags.to]] as const) {
      if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UserError('BAD_ARGUMENT', `--${flag}: "${value}" is not a date.`, { hint: 'Use YYYY-MM-DD, e.g. 2026-11-24.' });
      parseDateFlag(value, flag);
    }
    const workspace = await this.loadWorkspace(flags.workspace);
    const tree = new StepTree(this.logger);
    const result = await runEtl(workspace, {
      pipelines: argv as string[],
      ...(flags.select ? { select: flags.select } : {}),
      ...(flags.date ? { date: flags.date } : {}),
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      restart: flags.restart,
      concurrency: flags.concurrency,
      onEvent: tree.onEvent,
    });
    tree.stop();
    this.out(flags.format === 'json' ? JSON.stringify(result) : renderEtlRun(result));
    if (result.error) {
      const hint = result.runs.flatMap((run) => run.partitions).find((partition) => partition.error)?.error as { hint?: string } | undefined;
      throw new UserError(result.error.code as ErrorCode, result.error.message, hint?.hint ? { hint: hint.hint } : {});
    }
  }
}

export function renderEtlRun(result: EtlRunResult): string {
  const lines: string[] = [];
  for (const run of result.runs) {
    const status = run.status === 'succeeded' ? chalk.green('succeeded') : chalk.red('failed');
    lines.push(`${chalk.bold(run.pipeline)} ${status} in ${(run.seconds ?? 0).toFixed(2)}s  ${chalk.gray(`run ${run.id}${run.resumedFrom ? `, resumed ${run.resumedFrom}` : ''}`)}`);
    for (const partition of run.partitions) {
      const version = partition.committedVersion === undefined ? '' : chalk.gray(`  lake ${partition.inputVersion} → ${partition.committedVersion}`);
      if (partition.date !== null || run.partitions.length > 1) lines.push(`  ${partition.date ?? 'all dates'}: ${partition.status}${partition.status === 'skipped' ? ' (committed by the run resumed)' : ''}${version}`);
      else if (version) lines.push(`  ${version.trim()}`);
      const width = Math.max(12, ...partition.steps.map((step) => step.name.length));
      for (const step of partition.steps) {
        lines.push(`    ${stepLine(step, 0, width)}`);
        if (step.error && step.status !== 'skipped') lines.push(`      ${chalk.red(step.error)}`);
        for (const check of step.checks ?? []) if (check.status !== 'pass') lines.push(`      ${check.severity === 'warn' ? chalk.yellow('!') : chalk.red('✖')} check ${check.name}: ${check.message}`);
      }
    }
  }
  const steps = result.runs.flatMap((run) => run.partitions.flatMap((partition) => partition.steps));
  lines.push('', `${result.runs.length} pipeline${result.runs.length === 1 ? '' : 's'}, ${steps.filter((step) => step.status === 'succeeded').length} steps succeeded, ${steps.filter((step) => step.status === 'failed').length} failed, ${steps.filter((step) => step.status === 'skipped').length} skipped (${result.seconds.toFixed(2)}s)`);
  return lines.join('\n');
}
