import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { initWorkspace } from '../workspace/init.js';

export default class Init extends BaseCommand {
  static override summary = 'Create a workspace: config, pipelines, reports, rates table and lake folder.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init ./payments-analytics', '<%= config.bin %> init . --force'];
  static override args = { dir: Args.string({ description: 'Folder to create the workspace in.', default: '.' }) };
  static override flags = {
    force: Flags.boolean({ summary: 'Rewrite the scaffolded files of an existing workspace (the lake is kept).', default: false }),
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    this.setupLogging('init', flags.debug);
    const result = await initWorkspace(args.dir, { force: flags.force });
    if (flags.format === 'json') return this.out(JSON.stringify(result));
    this.out(`Created workspace in ${result.root}:\n${result.created.map((file) => `  ${file}`).join('\n')}\nNext: analytics generate --out events.ndjson && analytics ingest file events.ndjson`);
  }
}
