import { Flags } from '@oclif/core';
import chalk from 'chalk';
import { BaseCommand } from '../../cli/base-command.js';
import { validatePipelines, type EtlPlanSummary } from '../../etl/validate.js';

export default class EtlValidate extends BaseCommand {
  static override summary = 'Check pipelines.yaml (schema, every SQL parsed by DuckDB, the DAG) and print the plan.';
  static override description = 'Problems are listed with file:line and the pipeline and step they are about: SQL that does not parse, a cycle, a step or table that does not exist, an unknown {{ parameter }}. Exit 1 on any problem.';
  static override examples = ['<%= config.bin %> etl validate', '<%= config.bin %> etl validate --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(EtlValidate);
    this.setupLogging('etl', flags.debug);
    const summary = await validatePipelines(await this.loadWorkspace(flags.workspace));
    this.out(flags.format === 'json' ? JSON.stringify(summary) : renderPlan(summary));
  }
}

export function renderPlan(summary: EtlPlanSummary): string {
  const lines = [`${chalk.green('✔')} ${summary.file}: ${summary.pipelines.length} pipelines, ${summary.pipelines.reduce((sum, pipeline) => sum + pipeline.steps.length, 0)} steps, ${summary.checks} checks; every SQL parses, no cycle, nothing missing (lake version ${summary.lakeVersion})`, ''];
  for (const pipeline of summary.pipelines) {
    lines.push(`${chalk.bold(pipeline.name)}${pipeline.depends_on.length ? chalk.gray(` after ${pipeline.depends_on.join(', ')}`) : ''}${pipeline.description ? chalk.gray(`  ${pipeline.description}`) : ''}`);
    const levels = Math.max(0, ...pipeline.steps.map((step) => step.level)) + 1;
    for (let level = 0; level < levels; level++) {
      const steps = pipeline.steps.filter((step) => step.level === level);
      lines.push(`  ${chalk.gray(`level ${level}${steps.length > 1 ? ` (${steps.length} independent steps)` : ''}`)}`);
      for (const step of steps) {
        const reads = [...step.upstream, ...step.tables];
        const load = step.load ? ` → ${step.load.table} (${step.load.mode}${step.load.key ? ` on ${step.load.key.join(', ')}` : ''}${step.load.partition_by ? `, by ${step.load.partition_by}` : ''})` : '';
        lines.push(`    ${step.name}${chalk.gray(reads.length ? ` ← ${reads.join(', ')}` : '')}${load}${step.checks ? chalk.gray(`, ${step.checks} checks`) : ''}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
