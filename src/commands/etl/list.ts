import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { readRunRecords, effectiveStatus } from '../../etl/history.js';
import { validatePipelines } from '../../etl/validate.js';

export default class EtlList extends BaseCommand {
  static override summary = 'List the pipelines of pipelines.yaml with their steps, tables and last run.';
  static override examples = ['<%= config.bin %> etl list', '<%= config.bin %> etl list --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(EtlList);
    this.setupLogging('etl', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const summary = await validatePipelines(workspace);
    const runs = await readRunRecords(workspace);
    const rows = summary.pipelines.map((pipeline) => {
      const last = runs.find((run) => run.pipeline === pipeline.name);
      return {
        pipeline: pipeline.name,
        steps: pipeline.steps.length,
        tables: pipeline.steps.flatMap((step) => (step.load ? [step.load.table] : [])).join(', '),
        depends_on: pipeline.depends_on.join(', '),
        last_run: last ? `${effectiveStatus(last)} ${last.startedAt.slice(0, 19).replace('T', ' ')}` : '',
        description: pipeline.description ?? '',
      };
    });
    if (flags.format === 'json') return this.out(JSON.stringify(rows));
    if (rows.length === 0) return this.out('No pipelines in pipelines.yaml (see docs/etl.md).');
    this.out(renderTable(['pipeline', 'steps', 'tables', 'depends_on', 'last_run', 'description'].map((name) => ({ name, type: name === 'steps' ? 'BIGINT' : 'VARCHAR' })), rows));
  }
}
