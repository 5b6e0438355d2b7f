import { promises as fs } from 'node:fs';
import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../cli/base-command.js';
import { renderTable } from '../cli/output.js';
import { checksToJunit } from '../checks/junit.js';
import { runChecks, type CheckRun } from '../checks/run.js';

export default class Check extends BaseCommand {
  static override summary = 'Run the data checks declared in pipelines.yaml; exit 1 when an error-severity check fails.';
  static override description = 'Checks: not_null, unique, accepted_values, relationships, range, row_count, freshness, volume_change (against the previous run) and custom SQL returning failing rows. For CI: --junit writes JUnit XML, --format json prints the results.';
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --junit reports/checks.xml',
    '<%= config.bin %> check --select transactions_unique_id --format json',
  ];
  static override flags = {
    select: Flags.string({ summary: 'Run only this check (repeatable).', multiple: true }),
    junit: Flags.string({ summary: 'Also write JUnit XML to this file.' }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
    'max-rows': Flags.integer({ summary: 'Failing rows shown per check.', default: 5, min: 0 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    this.setupLogging('check', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const run = await runChecks(workspace, { sampleRows: flags['max-rows'], ...(flags.select ? { select: flags.select } : {}) });
    if (flags.junit) await fs.writeFile(flags.junit, checksToJunit(run));
    if (flags.format === 'json') this.out(JSON.stringify(run));
    else this.out(renderCheckRun(run));
    if (run.failedBuild) this.exit(1);
  }
}

export function renderCheckRun(run: CheckRun): string {
  const lines: string[] = [];
  for (const result of run.results) {
    const mark = result.status === 'pass' ? chalk.green('✔') : result.status === 'skipped' ? chalk.gray('-') : result.severity === 'warn' ? chalk.yellow('!') : chalk.red('✖');
    if (result.status === 'skipped') {
      lines.push(`${mark} ${result.name}  ${chalk.gray(`skipped: ${result.message}`)}`);
      continue;
    }
    lines.push(`${mark} ${result.name}${result.status === 'pass' ? '' : `  ${result.status === 'error' ? chalk.red(`could not run: ${result.message}`) : result.message}${result.severity === 'warn' ? ' (warning)' : ''}`}`);
    if (result.sample.length > 0) {
      const columns = Object.keys(result.sample[0]!).map((name) => ({ name, type: 'VARCHAR' }));
      lines.push(renderTable(columns, result.sample).split('\n').map((line) => `    ${line}`).join('\n'));
    }
  }
  lines.push('', `${run.results.length} checks: ${run.passed} passed, ${run.failed} failed, ${run.errored} could not run, ${run.warned} warnings${run.skipped ? `, ${run.skipped} skipped` : ''} (${run.seconds.toFixed(2)}s, lake version ${run.snapshotVersion})`);
  return lines.join('\n');
}
