import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { compactWorkspaceLake } from '../../lake/upkeep/service.js';

export default class LakeCompact extends BaseCommand {
  static override summary = 'Merge the small files of each partition into one sorted file, without blocking readers.';
  static override description = 'Results of every query stay the same. The replaced files stay on disk for readers of older snapshots until `analytics lake vacuum` removes them.';
  static override examples = ['<%= config.bin %> lake compact', '<%= config.bin %> lake compact --table transactions --dry-run', '<%= config.bin %> lake compact --min-files 10 --format json'];
  static override flags = {
    table: Flags.string({ summary: 'Only this table (repeatable).', multiple: true }),
    'min-files': Flags.integer({ summary: 'Compact partitions with at least this many files.', default: 2, min: 2 }),
    'dry-run': Flags.boolean({ summary: 'Show what would be merged, change nothing.', default: false }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LakeCompact);
    this.setupLogging('lake', flags.debug);
    const result = await compactWorkspaceLake(await this.loadWorkspace(flags.workspace), {
      minFiles: flags['min-files'],
      dryRun: flags['dry-run'],
      ...(flags.table ? { tables: flags.table } : {}),
    });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    const files = result.partitions.reduce((sum, p) => sum + p.filesBefore, 0);
    this.out(result.partitions.length === 0
      ? 'Nothing to compact.'
      : `${result.dryRun ? 'Would merge' : 'Merged'} ${files} files in ${result.partitions.length} partitions${result.snapshotVersion ? ` (lake version ${result.snapshotVersion})` : ''}:\n${result.partitions.map((p) => `  ${p.table} ${Object.values(p.partition).join('/')}: ${p.filesBefore} files, ${p.rows} rows`).join('\n')}`);
  }
}
