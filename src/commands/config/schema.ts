import { promises as fs } from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { workspaceSchema } from '../../config/workspace-schema.js';

export default class ConfigSchema extends BaseCommand {
  static override summary = 'Print the JSON Schema of analytics.yaml (for editor completion).';
  static override examples = ['<%= config.bin %> config schema > analytics.schema.json', '<%= config.bin %> config schema --out schemas/analytics.schema.json'];
  static override flags = { out: Flags.string({ char: 'o', summary: 'Write to this file instead of stdout.' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigSchema);
    const text = `${JSON.stringify(configJsonSchema(workspaceSchema, { id: 'https://analytics.local/schemas/analytics.schema.json', title: 'analytics.yaml' }), null, 2)}\n`;
    if (flags.out) await fs.writeFile(flags.out, text);
    else process.stdout.write(text);
  }
}
