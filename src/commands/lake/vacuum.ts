import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { formatBytes } from '../../cli/progress.js';
import { vacuumWorkspaceLake } from '../../lake/upkeep/service.js';

export default class LakeVacuum extends BaseCommand {
  static override summary = 'Delete files no snapshot needs (after compaction, retention or a crash), once older than the grace period.';
  static override examples = ['<%= config.bin %> lake vacuum --dry-run', '<%= config.bin %> lake vacuum --grace-minutes 10'];
  static override flags = {
    'grace-minutes': Flags.integer({ summary: 'Only delete files older than this (default: lake.vacuum_grace_minutes).', min: 0 }),
    'dry-run': Flags.boolean({ summary: 'List what would be deleted, delete nothing.', default: false }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LakeVacuum);
    this.setupLogging('lake', flags.debug);
    const result = await vacuumWorkspaceLake(await this.loadWorkspace(flags.workspace), {
      dryRun: flags['dry-run'],
      ...(flags['grace-minutes'] === undefined ? {} : { graceMinutes: flags['grace-minutes'] }),
    });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    this.out(`${result.dryRun ? 'Would delete' : 'Deleted'} ${result.deleted.length} item${result.deleted.length === 1 ? '' : 's'} (${formatBytes(result.bytes)})${result.deleted.length > 0 ? ':\n' : ''}${result.deleted.map((item) => `  ${item.path} (${item.why})`).join('\n')}`);
  }
}
