import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { retainWorkspaceLake } from '../../lake/upkeep/service.js';

export default class LakeRetention extends BaseCommand {
  static override summary = 'Drop partitions older than each table\'s retention (lake.retention in analytics.yaml).';
  static override examples = ['<%= config.bin %> lake retention --dry-run', '<%= config.bin %> lake retention --format json'];
  static override flags = {
    'dry-run': Flags.boolean({ summary: 'Show what would be dropped, change nothing.', default: false }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LakeRetention);
    this.setupLogging('lake', flags.debug);
    const result = await retainWorkspaceLake(await this.loadWorkspace(flags.workspace), { dryRun: flags['dry-run'] });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    this.out(result.dropped.length === 0
      ? 'Nothing is older than its retention (set lake.retention in analytics.yaml).'
      : `${result.dryRun ? 'Would drop' : 'Dropped'} ${result.dropped.length} partitions${result.snapshotVersion ? ` (lake version ${result.snapshotVersion})` : ''}:\n${result.dropped.map((d) => `  ${d.table} ${d.partition}: ${d.files} files, ${d.rows} rows`).join('\n')}`);
  }
}
