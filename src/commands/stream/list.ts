import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { listStreams } from '../../streams/service.js';

export default class StreamList extends BaseCommand {
  static override summary = 'List the stream jobs of streams.yaml with their watermark and result rows in the lake.';
  static override description = 'Loads and checks streams.yaml (every problem with file:line:column), then shows each job: kind, event types, window or time bound, allowed lateness, the watermark committed in the lake and how many result rows its lake table holds; `output` names the Kafka topic a job also produces to.';
  static override examples = ['<%= config.bin %> stream list', '<%= config.bin %> stream list --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(StreamList);
    this.setupLogging('stream', flags.debug);
    const jobs = await listStreams(await this.loadWorkspace(flags.workspace));
    if (flags.format === 'json') return this.out(JSON.stringify(jobs));
    const columns = ['name', 'kind', 'events', 'shape', 'lateness', 'output', 'watermark', 'rows', 'enabled'].map((name) => ({ name, type: 'VARCHAR' }));
    this.out(renderTable(columns, jobs.map((job) => ({ ...job, events: job.events.join(', '), output: job.output ?? '', enabled: job.enabled ? 'yes' : 'no' }))));
  }
}
