import { BaseCommand } from '../../cli/base-command.js';

export default class ConfigValidate extends BaseCommand {
  static override summary = 'Check analytics.yaml; every problem is listed with file:line:column.';
  static override examples = ['<%= config.bin %> config validate', '<%= config.bin %> config validate -w ./workspace'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigValidate);
    this.setupLogging('config', flags.debug);
    const workspace = await this.loadWorkspace(flags.workspace);
    const types = workspace.registry.specs.map((spec) => `${spec.type} v${spec.version}`).join(', ');
    this.out(`${workspace.configFile} is valid. Event types: ${types}.`);
  }
}
