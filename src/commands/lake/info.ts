import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { renderTable } from '../../cli/output.js';
import { formatBytes } from '../../cli/progress.js';
import { workspaceLakeInfo } from '../../lake/upkeep/service.js';

export default class LakeInfo extends BaseCommand {
  static override summary = 'Show the lake: tables, partitions, files, rows, bytes, oldest and newest event.';
  static override examples = ['<%= config.bin %> lake info', '<%= config.bin %> lake info --format json'];
  static override flags = { format: Flags.string({ summary: 'Output format.', options: ['table', 'json'], default: 'table' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(LakeInfo);
    this.setupLogging('lake', flags.debug);
    const info = await workspaceLakeInfo(await this.loadWorkspace(flags.workspace));
    if (flags.format === 'json') return this.out(JSON.stringify(info));
    const columns = ['table', 'partitions', 'files', 'rows', 'size', 'oldest', 'newest'].map((name) => ({ name, type: ['partitions', 'files', 'rows'].includes(name) ? 'BIGINT' : 'VARCHAR' }));
    this.out(renderTable(columns, info.tables.map((table) => ({ ...table, size: formatBytes(table.bytes) }))));
    this.out(`lake version ${info.version}, committed ${info.committedAt}`);
  }
}
